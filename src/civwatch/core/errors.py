from pathlib import Path


class UserError(Exception):
    """A failure caused by what the user gave us (bad file, suspect data): shown as it is.

    Command-line commands turn it into a clean error and a non-zero exit, background jobs
    into a failed job with this message, web views into a form error.
    """


class InputError(UserError):
    """Bad input in a file: the message names the file, the row (or line, `unit`) and the
    field, so the user can open the file at the place that is wrong.

    The one input-error type of every reader (registers, sanctions lists, case imports):
    rows are counted from 1 as the file's own viewer shows them."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        row: int | None = None,
        field: str | None = None,
        unit: str = "row",
    ) -> None:
        self.path, self.row, self.field, self.problem = Path(path), row, field, problem
        # The file's name, not its path: a background job reads uploads from the server's
        # storage, whose paths are nobody's business; the name is the one the user gave.
        where = [self.path.name]
        if row is not None:
            where.append(f"{unit} {row}")
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {problem}")
