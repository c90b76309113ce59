"""schemathesis over the whole OpenAPI document against a live server: no operation answers
any generated input (anonymous, or with an editor's API token) with a server error.

Bounded to stay fast: a few examples per operation, no shrinking, no example database.
Writes made with the editor's token are removed when the module ends.
"""

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, settings

from civwatch.accounts.models import ApiToken
from civwatch.api import api
from tests.conftest import REPO, live_server, seed_reference_data

pytestmark = [pytest.mark.django_db, pytest.mark.once]

REGISTER = REPO / "tests" / "data" / "registry-2023-09-29.csv"
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@pytest.fixture(scope="module")
def fuzz_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed_reference_data()
        call_command("import", "foreign-agents", str(REGISTER))
        editor = get_user_model().objects.create_user("fuzz-editor", is_staff=True)
        editor.groups.add(Group.objects.get(name="editor"))
        token = ApiToken.issue(editor)
    with live_server(django_db_blocker) as url:
        yield url, token
    with django_db_blocker.unblock():
        from civwatch.cases.models import Incident
        from civwatch.core.records import Revision
        from tests.conftest import wipe_history

        # Revisions are append-only for the application; the test removes its own.
        revisions = Revision.objects.filter(user=editor)
        revisions._raw_delete(revisions.db)
        Incident.objects.filter(created_by=editor).delete()
        editor.delete()
        wipe_history()


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(case, fuzz_site):
    url, token = fuzz_site
    for headers in ({}, {"Authorization": f"Bearer {token}"}):
        response = case.call(base_url=url, headers=headers, timeout=30)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
            f"{response.status_code} {response.text[:300]}"
        )
