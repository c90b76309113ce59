"""schemathesis over the yente API's OpenAPI document against a live server over the real
OFAC and ACF samples: no generated input makes an operation answer with a server error.
Bounded like test_api_fuzz: a few examples per operation, no shrinking."""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from civwatch.screening.yente import yente_api
from tests import test_screening_everywhere
from tests.conftest import live_server

pytestmark = [pytest.mark.django_db, pytest.mark.once]
# The OFAC and ACF samples imported, Bastrykin's link confirmed (once for the module).
lists = test_screening_everywhere.lists
schema = schemathesis.openapi.from_dict(yente_api.get_openapi_schema())


@pytest.fixture(scope="module")
def yente_site(lists, django_db_blocker):
    with live_server(django_db_blocker) as url:
        yield url


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_yente_operation_answers_with_a_server_error(case, yente_site):
    response = case.call(base_url=yente_site, timeout=60)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} {case.query} {case.body!r}: "
        f"{response.status_code} {response.text[:300]}"
    )
