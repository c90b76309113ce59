"""The accountability list: statuses, the publication gate, scope checks, dossiers, export."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from followthemoney import model

from civwatch.accountability import dossier, scope, workflow
from civwatch.accountability.exports import ftm_entries
from civwatch.accountability.models import Entry
from civwatch.core.errors import UserError
from civwatch.matching.translit import romanise
from tests.accountability_data import NAME, documented_official, entry_for
from tests.auth_helpers import sign_in
from tests.processes import pdf_text
from tests.test_cases import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return {
        "carol": make_user("carol", "researcher"),
        "eddie": make_user("eddie", "editor"),
        "erin": make_user("erin", "editor"),
    }


def publish(entry, researcher, editor):
    workflow.move(entry, "documented", researcher)
    workflow.move(entry, "verified", editor)
    workflow.move(entry, "published", editor)


def test_an_entry_with_two_independent_verified_sources_is_published_by_another_editor(people):
    official = documented_official(people["carol"], people["eddie"])
    entry = entry_for(official, people["carol"])
    publish(entry, people["carol"], people["eddie"])
    entry.refresh_from_db()
    assert entry.status == "published" and entry.approved_by == people["eddie"]
    actions = [rev.action for rev in entry.history()]
    assert actions == ["created", "documented", "verified", "published"]


def test_an_entry_whose_act_lacks_a_second_source_cannot_be_published(people):
    official = documented_official(people["carol"], people["eddie"], sources=("Mediazona",))
    entry = entry_for(official, people["carol"])
    workflow.move(entry, "documented", people["carol"])
    with pytest.raises(UserError) as refused:
        workflow.move(entry, "verified", people["eddie"])
    message = str(refused.value)
    assert "Verdict against Ivanova (2024-03-01), judge" in message
    assert "0 independent verified source(s); it needs a second one" in message
    assert "cited so far: mediazona" in message
    entry.refresh_from_db()
    assert entry.status == "documented"


def test_two_reports_from_the_same_outlet_are_one_source(people):
    official = documented_official(people["carol"], people["eddie"])
    official["items"][1].source = " MEDIAZONA"
    official["items"][1].save()
    entry = entry_for(official, people["carol"])
    assert "1 independent verified source(s)" in " ".join(
        entry.publication_problems(people["eddie"])
    )


def test_the_author_cannot_approve_their_own_entry(people):
    official = documented_official(people["carol"], people["eddie"])
    entry = entry_for(official, people["eddie"])
    workflow.move(entry, "documented", people["eddie"])
    with pytest.raises(UserError, match="An editor other than the author"):
        workflow.move(entry, "verified", people["eddie"])
    workflow.move(entry, "verified", people["erin"])


def test_a_researcher_cannot_verify_and_a_candidate_needs_an_act(people):
    official = documented_official(people["carol"], people["eddie"])
    bare = Entry.objects.create(entity=official["judge"], created_by=people["carol"])
    with pytest.raises(UserError, match="No act is attributed"):
        workflow.move(bare, "documented", people["carol"])
    bare.acts.create(participant=official["participant"])
    workflow.move(bare, "documented", people["carol"])
    with pytest.raises(UserError, match="Only a editor"):
        workflow.move(bare, "verified", people["carol"])


def test_submissions_and_outcomes_move_the_status(people):
    official = documented_official(people["carol"], people["eddie"])
    entry = entry_for(official, people["carol"])
    with pytest.raises(UserError, match="Only a published entry"):
        workflow.record_submission(entry, people["carol"], jurisdiction="uk", authority="FCDO",
                                   submitted_on=datetime.date(2025, 1, 10))  # fmt: skip
    publish(entry, people["carol"], people["eddie"])
    uk = workflow.record_submission(entry, people["carol"], jurisdiction="uk", authority="FCDO",
                                    submitted_on=datetime.date(2025, 1, 10))  # fmt: skip
    assert Entry.objects.get().status == "submitted"
    workflow.record_outcome(uk, people["eddie"], outcome="rejected", decided_by="FCDO",
                            decided_on=datetime.date(2025, 6, 1))  # fmt: skip
    assert Entry.objects.get().status == "rejected"
    us = workflow.record_submission(entry, people["carol"], jurisdiction="us", authority="OFAC",
                                    submitted_on=datetime.date(2025, 2, 1))  # fmt: skip
    workflow.record_outcome(us, people["eddie"], outcome="designated", decided_by="OFAC, GLOMAG",
                            decided_on=datetime.date(2025, 9, 1))  # fmt: skip
    entry = Entry.objects.get()
    assert entry.status == "designated" and entry.is_public()
    assert [r.action for r in entry.history()][-2:] == ["outcome", "designated"]


def test_scope_says_when_an_act_falls_outside_a_regime():
    uk = scope.jurisdiction("uk")["regimes"][0]
    verdict = scope.act_rights("verdict", [])
    outside = scope.check(verdict, {}, uk)
    assert not outside.within
    assert outside.text.startswith("OUTSIDE the scope of the Global Human Rights sanctions regime")
    assert scope.check(scope.act_rights("attack", []), {}, uk).within

    eu = scope.jurisdiction("eu")["regimes"][0]
    fine = scope.act_rights("fine", [])  # a fine for a protest: expression and assembly
    assert not scope.check(fine, {}, eu).within
    assert "widespread or systematic" in scope.check(fine, {}, eu).text
    assert scope.check(fine, {"widespread_or_systematic": True}, eu).within

    canada = scope.jurisdiction("ca")["regimes"][0]
    assert not scope.check(verdict, {}, canada).within
    assert scope.check(verdict, {"victims_defend_rights": True}, canada).within


def test_romanisation_per_jurisdiction():
    assert romanise(NAME, "bgn-pcgn") == "Podyachev Yuriy Ivanovich"
    assert romanise(NAME, "icao-9303") == "Podieiachev Iurii Ivanovich"
    assert scope.jurisdiction("uk")["romanisation"] == "bgn-pcgn"
    assert scope.jurisdiction("eu")["romanisation"] == "icao-9303"


def test_dossier_pdf_per_jurisdiction_has_names_hashes_and_scope(people, tmp_path):
    official = documented_official(people["carol"], people["eddie"])
    entry = entry_for(official, people["carol"])
    publish(entry, people["carol"], people["eddie"])
    for code, latin in [("us", "Podyachev Yuriy Ivanovich"), ("eu", "Podieiachev Iurii Ivanovich")]:
        output = tmp_path / f"{code}.pdf"
        call_command("dossier", str(entry.pk), jurisdiction=code, format="pdf", output=output)
        text = pdf_text(output)
        assert NAME in text and latin in text
        for item in official["items"]:
            assert item.sha256 in text
        assert "Scope check" in text
    assert "OUTSIDE the scope of the Global Human Rights sanctions regime" in pdf_text(
        dossier_file(entry, "uk", tmp_path)
    )


def dossier_file(entry, code, tmp_path):
    path = tmp_path / f"{code}-again.pdf"
    dossier.write(entry, code, "pdf", path)
    return path


def test_the_same_data_gives_the_same_bytes(people, tmp_path):
    official = documented_official(people["carol"], people["eddie"])
    entry = entry_for(official, people["carol"])
    first = dossier.render(entry, "eu", "pdf")
    assert dossier.render(Entry.objects.get(), "eu", "pdf") == first
    entry.summary = "Changed."
    entry.save()
    assert dossier.render(entry, "eu", "json") != dossier.render(entry, "uk", "json")


def test_dossier_identifies_the_person_with_every_known_identifier(people):
    official = documented_official(people["carol"], people["eddie"])
    official["judge"].identifiers.create(scheme="inn", value="771234567890")
    entry = entry_for(official, people["carol"])
    entry.documents = "Passport 45 01 123456, issued 2016"
    entry.save()
    person = dossier.build(entry, "eu")["person"]
    assert person["documents"] == [
        "INN (taxpayer number): 771234567890", "Passport 45 01 123456, issued 2016",
    ]  # fmt: skip
    assert person["other_spellings"][0] == "Podyachev Yuriy Ivanovich"  # the other system
    assert (person["birth_date"], person["birth_place"]) == ("1971-05-02", "Tula")


def test_dossier_never_shows_a_confidential_victim(people):
    official = documented_official(people["carol"], people["eddie"])
    entry = entry_for(official, people["carol"])
    secret = official["judge"].__class__.objects.create(id="cw-s", kind="person", name="Тайная")
    official["incident"].participants.create(
        entity=secret, role="victim", visibility="confidential"
    )
    content = dossier.build(entry, "uk")
    assert content["acts"][0]["victims"] == ["Иванова Анна"]
    assert "Тайная" not in json.dumps(content, ensure_ascii=False)


def test_dossier_command_refuses_bad_input(people, tmp_path):
    with pytest.raises(CommandError, match="No accountability entry 999"):
        call_command("dossier", "999", jurisdiction="us", format="pdf", output=tmp_path / "x.pdf")
    official = documented_official(people["carol"], people["eddie"])
    entry = entry_for(official, people["carol"])
    with pytest.raises(CommandError, match="cannot write"):
        call_command("dossier", str(entry.pk), jurisdiction="us", format="json",
                     output=tmp_path / "missing" / "x.json")  # fmt: skip


def test_export_has_published_entries_only_as_valid_followthemoney(people):
    official = documented_official(people["carol"], people["eddie"])
    entry = entry_for(official, people["carol"])
    assert list(ftm_entries()) == []
    publish(entry, people["carol"], people["eddie"])
    rows = list(ftm_entries())
    proxies = [model.get_proxy(row) for row in rows]  # raises on an invalid entity
    assert [p.schema.name for p in proxies] == ["Person", "Event"]
    person, event = proxies
    assert NAME in person.get("name") and "Podieiachev Iurii Ivanovich" in person.get("alias")
    assert event.get("involved") == [person.id]
    assert "Judge, Tverskoy District Court of Moscow" in person.get("position")


def test_the_staff_page_says_why_an_entry_cannot_go_on_once(client, people):
    """The problems blocking the next move are listed under the refused move, not twice; a
    reader with no such move still sees them in the box above the moves."""
    official = documented_official(people["carol"], people["eddie"], sources=("Mediazona",))
    entry = entry_for(official, people["carol"])
    workflow.move(entry, "documented", people["carol"])
    problem = "0 independent verified source(s); it needs a second one"
    sign_in(client, people["eddie"])
    page = client.get(f"/accountability/staff/{entry.pk}/").content.decode()
    assert page.count(problem) == 1 and 'class="move refused"' in page
    sign_in(client, people["carol"])  # a researcher: no move from "documented"
    page = client.get(f"/accountability/staff/{entry.pk}/").content.decode()
    assert page.count(problem) == 1 and 'class="gate"' in page
