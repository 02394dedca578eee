"""HTTP caching and compression as a browser or nginx sees them: public pages revalidate with a 304,
signed-in pages are never stored, compressed bodies decompress to the page, static files are fingerprinted
and kept for a year."""

import gzip
import re

import brotli
import pytest

from support import login

PUBLIC = ["/", "/needs", "/needs/{need}", "/organizations", "/organizations/{org}", "/api/v1/needs",
          "/api/v1/needs/{need}"]


@pytest.fixture
def pages(world):
    need = world.need("open")
    return [path.format(need=need.id, org=world.org_id) for path in PUBLIC]


def test_public_pages_carry_an_etag_and_answer_304_on_revalidation(client, pages):
    for path in pages:
        first = client.get(path)
        assert first.status_code == 200, path
        assert first.headers["Cache-Control"] == "public, max-age=60", path
        etag = first.headers["ETag"]
        assert etag.startswith('W/"'), path
        vary = {v.strip().lower() for v in first.headers["Vary"].split(",")}
        assert {"hx-request", "cookie", "accept-encoding"} <= vary, path
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.get_data() == b"", path
        assert again.headers["ETag"] == etag


def test_a_changed_page_is_sent_again(client, world, pages):
    etag = client.get("/needs").headers["ETag"]
    world.need("open")
    response = client.get("/needs", headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] != etag


def test_a_publicly_cached_page_carries_no_session_token_and_sets_no_cookie(client, pages):
    response = client.get("/needs")
    assert 'name="csrf-token"' not in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    # The sign-in page still carries its token (and is not publicly cached).
    login_page = client.get("/login")
    assert 'name="csrf-token"' in login_page.get_data(as_text=True)
    assert "public" not in login_page.headers.get("Cache-Control", "")


def test_signed_in_pages_are_never_stored(client, world, pages):
    login(client, "member@charity.org.cn")
    for path in pages[:5]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert "ETag" not in response.headers, path
    # An ETag a browser kept from its anonymous visit does not get the signed-in visitor a 304.
    assert client.get("/needs", headers={"If-None-Match": 'W/"anything"'}).status_code == 200


def test_a_flash_message_is_not_kept_by_shared_caches(client, world):
    login(client, "member@charity.org.cn")
    logout = client.post("/logout", data={"csrf_token": _token(client.get("/needs"))})
    assert logout.status_code in (302, 303)
    landing = client.get(logout.headers["Location"])
    assert "public" not in landing.headers.get("Cache-Control", "")


def _token(response) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.mark.parametrize("encoding, decompress", [("gzip", gzip.decompress), ("br", brotli.decompress)])
def test_compressed_bodies_decompress_to_the_page(client, pages, encoding, decompress):
    plain = client.get("/needs").get_data()
    response = client.get("/needs", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert len(response.get_data()) < len(plain) / 2
    assert decompress(response.get_data()) == plain
    # The weak ETag is that of the page, whatever the encoding: a 304 either way.
    etag = response.headers["ETag"]
    assert client.get("/needs", headers={"If-None-Match": etag}).status_code == 304
    json_body = client.get("/api/v1/needs", headers={"Accept-Encoding": encoding})
    assert json_body.headers["Content-Encoding"] == encoding


def test_static_urls_carry_a_content_fingerprint_and_a_long_max_age(app, client, pages):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert any("app.css?v=" in url for url in urls) and any("htmx-2.0.11.min.js?v=" in url for url in urls)
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        response = client.get(url)
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"] and "immutable" in response.headers[
            "Cache-Control"]
        response.close()
    css = next(url for url in urls if "app.css" in url)
    compressed = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    compressed.close()
    # A URL without the current fingerprint (an old page's, or typed by hand) is revalidated, not kept.
    stale = client.get("/static/app.css?v=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"
    stale.close()
