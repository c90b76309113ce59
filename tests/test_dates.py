"""One date reader for every source (core/dates.py): the precision written is the precision kept."""

import pytest

from civwatch.core.dates import dotted_date, partial_date, read_date, slashed_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1962", "1962"),
        ("1962-03", "1962-03"),
        ("1962-03-09", "1962-03-09"),
        ("09.03.1962", "1962-03-09"),
        ("9.3.1962", "1962-03-09"),
        (" 09.03.1962 ", "1962-03-09"),
        ("1962-00", "1962"),  # OFSI's "00": the month is not known
        ("1962-02-30", None),
        ("1962-13", None),
        ("1962-00-05", None),  # a day without its month is no date at all
        ("30.02.1962", None),
        ("00.03.1962", None),
        ("March 1962", None),
        ("", None),
    ],
)
def test_read_date_keeps_the_precision_written(text: str, expected: str | None) -> None:
    assert read_date(text) == expected


def test_dotted_date_takes_only_whole_dates() -> None:
    assert dotted_date("01.02.2020") == "2020-02-01"
    assert dotted_date("2020-02-01") is None
    assert dotted_date("02.2020") is None


def test_slashed_date_reads_days_first_and_only_whole_dates() -> None:
    assert slashed_date("05/08/2026") == "2026-08-05"  # the EU's CSV: 5 August, not 8 May
    assert slashed_date("30/02/2026") is None
    assert slashed_date("08/2026") is None
    assert slashed_date("05.08.2026") is None
    # People's spreadsheets may write months first: the general reader does not guess.
    assert read_date("05/08/2026") is None


def test_partial_date_refuses_impossible_parts() -> None:
    assert partial_date(1962) == "1962"
    assert partial_date(1962, 2) == "1962-02"
    assert partial_date(1962, 2, 29) is None
    assert partial_date(1962, None, 5) is None
