"""Staff record pages are laid out for people (issue 11, item 3): fields by their names in the
page's language, dates formatted, choices, users and related records by name, status and
visibility as badges; what the access policy hides from a reader stays hidden; field
visibility is chosen per field with a select; forms share one layout."""

import datetime
import re

import pytest
from django.urls import reverse

from civwatch.cases.models import Case, Incident
from civwatch.cases.workflow import move
from civwatch.evidence.ingest import add_claim, add_evidence
from tests.auth_helpers import sign_in
from tests.test_cases import make_incident, make_user
from tests.test_cases_staff_records import team  # noqa: F401 (the fixture)

# ruff: noqa: F811 (tests take the imported `team` fixture as an argument)

pytestmark = pytest.mark.django_db
PLACE = "Moscow, Tverskaya street 7"


def record_fields(page: str) -> str:
    """The field listing of a staff record page."""
    found = re.search(r'<dl class="facts record-fields">(.*?)</dl>', page, re.S)
    assert found, "the page lists no record fields"
    return found.group(1)


def published(incident: Incident, team) -> Incident:
    move(incident, "in_review", incident.created_by)
    move(incident, "verified", team["eddie"])
    move(incident, "published", team["erin"])
    incident.refresh_from_db()
    return incident


def test_the_staff_incident_page_shows_labels_and_formatted_values_not_raw_keys(client, team):
    rita = team["rita"]
    rita.first_name, rita.last_name = "Rita", "Researcher"
    rita.save()
    case = Case(title="Case of the rights defender", kind="criminal", created_by=rita)
    case.save_with_history(rita)
    incident = make_incident(rita, place=PLACE, case=case, people_count=3, visibility="public")
    sign_in(client, rita)
    page = client.get(reverse("cases:staff_incident", args=[incident.pk])).content.decode()
    fields = record_fields(page)
    assert "<dt>Place</dt>" in fields and PLACE in fields
    assert "<dt>Date</dt>" in fields and "March 1, 2024" in fields
    assert "Search or raid" in fields  # the incident type by its name
    assert "Rita Researcher" in fields  # the author by display name
    case_link = reverse("cases:staff_case", args=[case.pk])
    assert f'<a href="{case_link}">Case of the rights defender</a>' in fields
    for raw in ("_label", "{'id'", "date_precision", "incident_type", "created_at"):
        assert raw not in fields
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", page), "a microsecond timestamp is shown"
    assert 'class="badge badge-status badge-status-draft">draft<' in page
    assert 'class="badge badge-visibility badge-visibility-public">public<' in page


def test_the_russian_staff_page_names_the_fields_in_russian(client, team):
    incident = make_incident(team["rita"], place=PLACE)
    sign_in(client, team["rita"])
    page = client.get(f"/ru/cases/staff/incidents/{incident.pk}/").content.decode()
    fields = record_fields(page)
    assert "<dt>Место</dt>" in fields and "<dt>Дата</dt>" in fields
    assert "1 марта 2024" in fields
    assert "Place" not in fields and "March" not in fields
    form = client.get(f"/ru/cases/staff/incidents/{incident.pk}/edit/").content.decode()
    assert '<option value="" selected>как у записи</option>' in form


def test_a_contributor_does_not_see_a_confidential_field_nor_its_label(client, team):
    incident = make_incident(
        team["rita"], place=PLACE, visibility="public", field_visibility={"place": "confidential"}
    )
    published(incident, team)
    sign_in(client, team["carol"])
    page = client.get(reverse("cases:staff_incident", args=[incident.pk])).content.decode()
    fields = record_fields(page)
    assert "Search of the office" in fields
    assert PLACE not in page and "<dt>Place" not in fields
    # The author reads it, marked as confidential.
    sign_in(client, team["rita"])
    page = client.get(reverse("cases:staff_incident", args=[incident.pk])).content.decode()
    assert PLACE in record_fields(page)
    assert (
        '<dt>Place <span class="badge badge-visibility badge-visibility-confidential">'
        "confidential</span></dt>" in record_fields(page)
    )


def test_the_evidence_page_shows_no_storage_path_and_lists_custody_and_citations(
    client, team, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    rita = team["rita"]
    rita.first_name = "Rita"
    rita.save()
    incident = make_incident(rita)
    item = add_evidence(
        user=rita, incident=incident, name="decision.txt", data=b"The court decided.",
        kind="file", title="Court decision", source="Tverskoy court website",
        obtained_how="downloaded by the lawyer", obtained_on=datetime.date(2024, 5, 1),
    )  # fmt: skip
    claim = add_claim(
        incident=incident, statement="The court ruled without hearing the defence.",
        author=rita, citations=[(item, "The court decided.")],
    )  # fmt: skip
    sign_in(client, rita)
    page = client.get(reverse("cases:staff_evidence", args=[item.pk])).content.decode()
    fields = record_fields(page)
    assert "<dt>Obtained on</dt>" in fields and "May 1, 2024" in fields
    assert "<dt>SHA-256 of the original</dt>" in fields
    assert item.file_path not in page and "file_path" not in page
    assert "<dt>Extracted text" not in fields  # shown in a section of its own
    citations = page[page.index("Cited in claims") : page.index("Custody log")]
    anchor = reverse("cases:staff_incident", args=[incident.pk]) + f"#claim-{claim.pk}"
    assert anchor in citations and "without hearing the defence" in citations
    assert "The court decided." in citations
    custody = page[page.index("Custody log") :]
    assert "<td>Rita</td>" in custody and "added" in custody
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", page)


def test_the_evidence_page_omits_a_citation_the_reader_may_not_read(
    client, team, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    incident = make_incident(team["carol"])
    item = add_evidence(
        user=team["carol"], incident=incident, kind="quote", title="Report",
        source="Mediazona", quoted_text="They came at six.",
        obtained_how="copied", obtained_on=datetime.date(2024, 3, 2),
    )  # fmt: skip
    add_claim(
        incident=incident, statement="Raided at dawn.", author=team["carol"],
        citations=[(item, "They came at six.")],
    )  # fmt: skip
    other = make_user("olga", "contributor")
    sign_in(client, other)
    assert client.get(reverse("cases:staff_evidence", args=[item.pk])).status_code == 404


def form_page(client, incident: Incident) -> str:
    return client.get(reverse("cases:staff_incident_edit", args=[incident.pk])).content.decode()


def edit_data(incident: Incident, **levels: str) -> dict:
    data = {
        "incident_type": incident.incident_type_id, "title": incident.title,
        "date": incident.date.isoformat(), "date_precision": incident.date_precision,
        "place": incident.place, "visibility": incident.visibility,
    }  # fmt: skip
    return {**data, **{f"field_visibility__{name}": level for name, level in levels.items()}}


def test_field_visibility_is_chosen_per_field_with_a_select(client, team):
    incident = make_incident(team["carol"], place=PLACE, visibility="public")
    sign_in(client, team["carol"])
    page = form_page(client, incident)
    assert '<textarea name="field_visibility"' not in page
    select = re.search(
        r'<label for="id_field_visibility_place">Place</label>\s*'
        r'<select name="field_visibility__place" id="id_field_visibility_place">(.*?)</select>',
        page,
        re.S,
    )
    assert select, "no select for the place's level"
    assert '<option value="" selected>as the record</option>' in select.group(1)
    assert '<option value="confidential">confidential</option>' in select.group(1)

    url = reverse("cases:staff_incident_edit", args=[incident.pk])
    response = client.post(url, edit_data(incident, place="confidential"))
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.field_visibility == {"place": "confidential"}
    assert 'value="confidential" selected' in form_page(client, incident)

    published(incident, team)
    client.logout()
    public = client.get(reverse("cases:incident", args=[incident.pk])).content.decode()
    assert "Search of the office" in public and PLACE not in public


def test_choosing_as_the_record_again_lifts_the_restriction(client, team):
    incident = make_incident(team["carol"], place=PLACE, field_visibility={"place": "internal"})
    sign_in(client, team["carol"])
    url = reverse("cases:staff_incident_edit", args=[incident.pk])
    assert client.post(url, edit_data(incident, place="")).status_code == 302
    incident.refresh_from_db()
    assert incident.field_visibility == {}


def test_a_level_that_does_not_exist_is_refused_next_to_the_field(client, team):
    incident = make_incident(team["carol"], place=PLACE)
    sign_in(client, team["carol"])
    url = reverse("cases:staff_incident_edit", args=[incident.pk])
    response = client.post(url, edit_data(incident, place="secret"))
    page = response.content.decode()
    assert response.status_code == 200 and "is not a visibility level" in page
    group = re.search(r'<div class="field has-errors">(.*?)</fieldset>', page, re.S).group(1)
    assert "Visibility of single fields" in group and "is not a visibility level" in group
    incident.refresh_from_db()
    assert incident.field_visibility == {}


def test_the_case_and_position_forms_have_a_select_per_public_field(client, team):
    sign_in(client, team["rita"])
    case_form = client.get(reverse("cases:staff_case_new")).content.decode()
    for name in Case.PUBLIC_FIELDS:
        assert f'name="field_visibility__{name}"' in case_form
    assert 'name="field_visibility__internal_notes"' not in case_form
    position_form = client.get(reverse("cases:staff_position_new")).content.decode()
    assert 'name="field_visibility__agency"' in position_form


def test_forms_put_labels_above_inputs_and_errors_next_to_their_field(client, team):
    sign_in(client, team["carol"])
    page = client.get("/cases/staff/incidents/new/").content.decode()
    assert re.search(
        r'<div class="field required">\s*<label for="id_title">Title:</label>\s*<input', page
    )
    assert 'class="helptext"' in page
    response = client.post(
        "/cases/staff/incidents/new/", {"title": "", "date_precision": "day", "visibility": "x"}
    )
    page = response.content.decode()
    title = re.search(
        r'<div class="field has-errors required">\s*<label for="id_title">(.*?)</div>\s*</div>',
        page,
        re.S,
    )
    assert title and "This field is required." in title.group(1)
