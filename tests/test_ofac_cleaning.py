"""Reading OFAC's remarks: aliases with apostrophes and birth-date ranges (issue 14).

Every case is a real entry of the bundled data/sanctions/us-ofac-sdn/sdn.csv (OFAC's SDN list,
public domain; see data/sanctions/README.md), named by its ent_num.
"""

import re

import pytest

from civwatch.sanctions.ofac import read_ofac_directory
from civwatch.sanctions.sources import parse_birth_dates
from civwatch.sanctions.xref import birth_date_agreement
from tests.test_sanctions_import import OFAC, ofac_rows


@pytest.fixture(scope="module")
def entries():
    return {e.source_id: e for e in read_ofac_directory(OFAC).entries}


@pytest.mark.parametrize(
    ("ent_num", "alias"),
    [
        ("15232", "O'NINNO"),  # was stored as "O"
        ("10726", "ABU 'AZZAM"),  # was lost
        ("10726", "ABU 'ABDALLAH"),
        ("8265", "HAJJ AS'AD AHMAD"),  # was "HAJJ AS"
        ("7150", "'ABD AL-MUHSI"),  # the leading apostrophe is the name's ('Abd)
        ("6925", "FOOPIE"),  # ''FOOPIE'': a nickname quoted twice
        ("11177", "ABU-AL-KARKH, Yusuf"),  # 'ABU-AL-KARKH', 'Yusuf': one name, stray quotes
    ],
)
def test_aliases_with_apostrophes_are_whole(entries, ent_num, alias):
    assert alias in entries[ent_num].aliases


def test_every_quoted_alias_of_the_remarks_is_kept_whole(entries):
    for row in ofac_rows("sdn.csv"):
        for item in row[11].strip().rstrip(".").split(";"):
            item = item.strip().removeprefix("alt. ")
            quoted = re.match(r"^[afn]\.k\.a\. '(.+)'$", item)
            if quoted and "', '" not in quoted.group(1):
                alias = quoted.group(1)
                if alias[0] == alias[-1] == "'":
                    alias = alias[1:-1]
                assert alias in entries[row[0]].aliases, (row[0], item)
    # No fragment cut at an apostrophe is left: "O", "ABU-", "MERA"...
    assert "O" not in entries["15232"].aliases
    assert "ABU-" not in entries["3754"].aliases


def test_birth_date_ranges_are_stored_as_what_they_cover(entries):
    assert entries["15962"].birth_dates == ["1961", "1962"]  # 01 Jan 1961 to 31 Dec 1962
    months = entries["23470"].birth_dates  # Mar 1962 to Feb 1963
    assert months[0] == "1962-03" and months[-1] == "1963-02" and len(months) == 12
    assert parse_birth_dates("26 Sep 1946 to 07 Dec 1946") == [
        "1946-09", "1946-10", "1946-11", "1946-12",
    ]  # fmt: skip
    # Nowhere are the two ends of a range kept as two exact dates.
    for row in ofac_rows("sdn.csv"):
        alone = set(re.findall(r"DOB (\d\d \w{3} \d{4})(?=[;.])", row[11]))  # 26745 has both
        for start, end in re.findall(r"DOB (\d\d \w{3} \d{4}) to (\d\d \w{3} \d{4})", row[11]):
            exact = {d for e in {start, end} - alone for d in parse_birth_dates(e)}
            assert not exact & set(entries[row[0]].birth_dates), row[0]


def test_someone_born_inside_a_range_does_not_conflict(entries):
    assert birth_date_agreement(entries["15962"].birth_dates, ["1961-07-15"]) == "partial"
    assert birth_date_agreement(entries["23470"].birth_dates, ["1962-11-02"]) == "partial"
    assert birth_date_agreement(entries["23470"].birth_dates, ["1963-04-02"]) == "conflict"


def test_tax_numbers_are_read_apart(entries):
    assert entries["38877"].details["tax_numbers"] == ["583712612853"]
    assert entries["39207"].details["tax_numbers"] == ["3050100254"]
