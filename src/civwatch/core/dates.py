"""Dates as the sources write them, read into ISO 8601 at the precision the source gives.

One reader for every importer and upload: registers write DD.MM.YYYY, sanctions lists and
people's spreadsheets write a year, a year and month, or a whole date. A birth date known only
to the year must stay a year ("1962"), not become 1 January, or screening would see a conflict
with everyone born later that year.
"""

import datetime
import re

from django.utils.dateformat import format as date_format

ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def partial_date(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """An ISO date at the precision given ("1962", "1962-03", "1962-03-09"), or None when the
    parts are impossible (31 February, month 13, a day without its month)."""
    if day and not month:
        return None
    try:
        if day:
            return datetime.date(year, month, day).isoformat()
        if month:
            datetime.date(year, month, 1)
            return f"{year:04d}-{month:02d}"
    except ValueError:
        return None
    return f"{year:04d}"


def dotted_date(text: str) -> str | None:
    """A whole date written DD.MM.YYYY (the Ministry's form), or None."""
    return day_month_year(text, ".")


def slashed_date(text: str) -> str | None:
    """A whole date written DD/MM/YYYY (the EU's and OFSI's CSV files), or None.

    Kept apart from `read_date`: people's spreadsheets may write MM/DD/YYYY, which no reader
    can tell from DD/MM/YYYY, so only readers of a source known to write days first use it."""
    return day_month_year(text, "/")


def day_month_year(text: str, separator: str) -> str | None:
    parts = text.strip().split(separator)
    if len(parts) != 3:
        return None
    try:
        day, month, year = (int(p) for p in parts)
    except ValueError:
        return None
    return partial_date(year, month, day) if day and month else None


def read_date(text: str) -> str | None:
    """YYYY, YYYY-MM, YYYY-MM-DD or DD.MM.YYYY as an ISO date (or its prefix); None if not."""
    text = text.strip()
    if ISO_DATE.match(text):
        return partial_date(*(int(p) for p in text.split("-")))
    return dotted_date(text)


def for_people(value: "str | datetime.date") -> str:
    """A date at its precision, in words of the page's language: "9 March 1965" / "9 марта
    1965", "March 1965" / "март 1965", "1965". Text that is not an ISO date is kept as the
    source wrote it."""
    if isinstance(value, datetime.date):
        return date_format(value, "j E Y")
    text = str(value).strip()
    if not ISO_DATE.match(text):
        return text
    parts = [int(p) for p in text.split("-")]
    if partial_date(*parts) is None:
        return text
    if len(parts) == 3:
        return date_format(datetime.date(*parts), "j E Y")  # E: the month as a date says it
    if len(parts) == 2:
        return date_format(datetime.date(*parts, 1), "F Y")
    return text
