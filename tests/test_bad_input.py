"""Bad input on every GET route gives a 4xx, never a 500: NUL bytes (which PostgreSQL text
cannot hold) in paths, query strings and form fields, integers beyond 64 bits, malformed JSON,
overlong strings. Runs on the suite's database (SQLite, or PostgreSQL with DATABASE_URL)."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver

from civwatch.api import api

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"  # 2**63: one more than PostgreSQL's bigint holds
NUL = "%00"


def api_get_operations() -> list[tuple[str, list[dict]]]:
    """(path template, parameters) of every GET operation in the OpenAPI document."""
    schema = api.get_openapi_schema()
    return [
        (path, operation.get("parameters", []))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "get"
    ]


def sample(parameter: dict) -> str:
    """A valid-looking value: the first enum member, a number, or a word."""
    schema = parameter.get("schema", {})
    for option in [schema, *schema.get("anyOf", [])]:
        if "enum" in option:
            return str(option["enum"][0])
        if option.get("type") == "integer":
            return str(max(option.get("minimum", 1), 1))
    return "x"


def fill(path: str, parameters: list[dict], bad: dict[str, str]) -> str:
    values = {p["name"]: bad.get(p["name"], sample(p)) for p in parameters}
    url = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], path)
    query = [f"{p['name']}={values[p['name']]}" for p in parameters if p["in"] == "query"]
    return url + ("?" + "&".join(query) if query else "")


def api_cases() -> list[str]:
    urls = []
    for path, parameters in api_get_operations():
        for parameter in parameters:
            urls.append(fill(path, parameters, {parameter["name"]: f"a{NUL}b"}))
            if "integer" in json.dumps(parameter.get("schema", {})):
                urls.append(fill(path, parameters, {parameter["name"]: HUGE}))
                urls.append(fill(path, parameters, {parameter["name"]: "-" + HUGE}))
        urls.append(fill(path, parameters, {}) + ("&" if "?" in path else "?") + f"x={NUL}")
    return urls


@pytest.fixture
def admin(client):
    user = get_user_model().objects.create_superuser("root")
    client.force_login(user)
    return user


@pytest.mark.parametrize("url", api_cases())
def test_api_refuses_nul_bytes_and_huge_integers(client, url):
    status = client.get(url).status_code
    assert 400 <= status < 500, f"{url}: {status}"


def page_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every page route as a path with its converters left in, e.g. 'snapshots/<int:pk>/'."""
    resolver = resolver or get_resolver()
    routes = []
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if text.startswith(("api/", "admin/", "en/admin/")) or "admin/" in text:
                continue
            routes += page_routes(pattern, text.removeprefix("^"))
        elif isinstance(pattern, URLPattern):
            routes.append(text.removeprefix("^").removesuffix("$"))
    return routes


def page_cases() -> list[str]:
    urls = []
    for route in page_routes():
        for converter_value in (NUL, f"x{NUL}y", HUGE):
            if "<" not in route and converter_value == HUGE:
                continue
            url = "/" + re.sub(
                r"<(?:(\w+):)?\w+>",
                lambda m, v=converter_value: v if m.group(1) != "int" or v == HUGE else "1",
                route,
            )
            urls.append(url)
        base = "/" + re.sub(r"<(?:\w+:)?\w+>", "1", route)
        urls.append(base + f"?q=a{NUL}b&page={HUGE}")
        urls.append(base + f"?page={HUGE}&year={HUGE}&register={NUL}&kind={NUL}")
    return sorted(set(urls))


@pytest.mark.parametrize("url", page_cases())
def test_pages_refuse_nul_bytes_and_huge_integers(client, admin, url):
    status = client.get(url).status_code
    assert status < 500, f"{url}: {status}"
    if NUL in url:
        assert status == 400, f"{url}: {status}"


def test_a_nul_byte_in_a_posted_form_is_400(client, admin):
    response = client.post("/screening/", {"name": "a\x00b"})
    assert response.status_code == 400


def test_a_nul_byte_in_json_is_400_and_malformed_json_is_4xx(client):
    url = "/api/match/default"
    body = json.dumps({"queries": {"q": {"schema": "Person", "properties": {"name": ["a\x00"]}}}})
    assert client.post(url, body, content_type="application/json").status_code == 400
    for broken in ('{"queries": ', "[]", '{"queries": {"q": 1}}', "\x00"):
        status = client.post(url, broken, content_type="application/json").status_code
        assert 400 <= status < 500, broken


def test_overlong_strings_are_4xx(client):
    long = "я" * 5000
    for url in (f"/api/entities?q={long}", f"/api/sanctions/entries?dataset={long}"):
        assert 400 <= client.get(url).status_code < 500
    assert client.get(f"/?q={long}").status_code == 200  # the form reports the error
