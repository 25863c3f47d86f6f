"""Static files: cached for a year under a URL that changes with their content."""

import hashlib
import re

from config import ROOT

CSS = "css/parcours.css"


def _css_url(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'href="(/static/css/parcours\.css[^"]*)"', page).group(1)


def test_pages_link_static_files_by_content_hash(client):
    digest = hashlib.sha256((ROOT / "static" / CSS).read_bytes()).hexdigest()[:12]
    assert _css_url(client) == f"/static/{CSS}?v={digest}"


def test_versioned_url_is_cached_for_a_year(client):
    with client.get(_css_url(client)) as response:  # closes the file sent
        assert response.status_code == 200
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.public
        assert response.cache_control.immutable
        assert not response.cache_control.no_cache


def test_unversioned_or_stale_url_is_revalidated(client):
    for url in (f"/static/{CSS}", f"/static/{CSS}?v=0123456789ab"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.cache_control.max_age is None
            assert response.cache_control.no_cache
            assert response.headers["ETag"]


def test_missing_static_file_is_a_404(client):
    assert client.get("/static/css/absent.css?v=0123456789ab").status_code == 404
