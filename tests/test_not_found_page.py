"""A missing page answers 404 with the site's own page (header, navigation), never a debug page."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/no-such-page/", "/ru/no-such-page/", "/cases/999999/"])
def test_missing_page_is_the_sites_own_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert 'class="brand"' in body  # the site's header, from base.html
    assert "Django tried these URL patterns" not in body
