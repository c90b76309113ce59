"""Candidates from the ACF list, and sanctions elsewhere in pages and dossiers."""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civwatch.accountability import dossier
from civwatch.accountability.models import Entry
from civwatch.accountability.workflow import move
from civwatch.sanctions.models import Dataset, ListEntry
from tests.accountability_data import documented_official, entry_for
from tests.auth_helpers import sign_in
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).parent / "data" / "acf-candidates-sample.csv"


def test_acf_organisers_of_repressions_become_candidates_once_and_stay_unpublished(client):
    loader = make_user("rita", "researcher")
    call_command("import", "acf-list", str(SAMPLE))
    call_command("accountability", "candidates", "--dataset", "acf-list", "--as", "rita")
    entries = Entry.objects.order_by("entity__name")
    assert [e.entity.name for e in entries] == [
        "Аббазов Ильшат Загфярович", "Абдулаев М. М.", "Абрамов Р. Е.",
    ]  # fmt: skip
    assert {(e.status, e.origin, e.created_by) for e in entries} == {
        ("candidate", "acf-list", loader)
    }
    assert "Judge of the Moscow City Court" in entries[0].internal_notes

    call_command("accountability", "candidates", "--dataset", "acf-list", "--as", "rita")
    assert Entry.objects.count() == 3
    page = client.get("/accountability/").content.decode()
    assert "Аббазов" not in page and "No published entries yet." in page
    assert "Опубликованных записей пока нет." in client.get("/ru/accountability/").content.decode()


def test_candidates_from_a_dataset_not_imported_is_a_clear_error():
    make_user("rita", "researcher")
    with pytest.raises(CommandError, match="No dataset “acf-list”: import it first"):
        call_command("accountability", "candidates", "--dataset", "acf-list", "--as", "rita")


def test_existing_sanctions_appear_in_the_dossier_and_on_the_public_page(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    carol, eddie = make_user("carol", "researcher"), make_user("eddie", "editor")
    official = documented_official(carol, eddie)
    entry = entry_for(official, carol)
    ofac = Dataset.objects.create(slug="us-ofac-sdn", title="OFAC SDN", kind="official",
                                  jurisdiction="us")  # fmt: skip
    ListEntry.objects.create(
        dataset=ofac, source_id="99001", entity=official["judge"], name="PODYACHEV, Yuriy",
        programmes=["GLOMAG"], listed_since=datetime.date(2023, 3, 3),
    )  # fmt: skip
    sign_in(client, carol)
    staff_list = client.get("/accountability/staff/").content.decode()
    assert "United States: OFAC SDN: GLOMAG since 2023-03-03" in staff_list
    client.logout()
    rows = {row["code"]: row["text"] for row in dossier.build(entry, "uk")["sanctions"]}
    assert rows["us"] == (
        "OFAC SDN: GLOMAG since 2023-03-03"
        " (Magnitsky-type human-rights regime, anti-corruption regime)"
    )
    assert rows["uk"].startswith("not known (no official list")

    for to, user in [("documented", carol), ("verified", eddie), ("published", eddie)]:
        move(entry, to, user)
    page = client.get(f"/accountability/{entry.pk}/").content.decode()
    assert "OFAC SDN: GLOMAG since 2023-03-03" in page
