"""The `civwatch` command: Django's management commands under one name.

`civwatch serve` runs the web server, `civwatch import ...`, `civwatch export ...` and the
others are the project's own commands; every Django command (migrate, createsuperuser,
db_worker, ...) is there too.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civwatch.settings")
    from django.core.management import execute_from_command_line

    from civwatch.core.actor import cli_actor, set_process_actor

    # Audit events of this process name the operating-system account that ran it.
    set_process_actor(cli_actor())

    try:
        execute_from_command_line(["civwatch", *(sys.argv[1:] if argv is None else argv)])
    except BrokenPipeError:
        # The reader went away (`civwatch export ... | head`): not an error worth a traceback.
        # Exit at once: the half-read database cursors need no tidying for a reader gone.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        os._exit(1)


if __name__ == "__main__":
    main()
