"""The micro-cache of anonymous public pages (marketplace/page_cache.py), as visitors notice it: a page
is answered again from memory for a short time, a change made through this node shows at once, nobody
signed in ever gets an anonymous visitor's page (nor the reverse), and the API's limit still counts."""

import gzip
import time

import pytest

from marketplace import create_app
from support import login, post


@pytest.fixture
def cached_app(app):
    """The suite's app settings with the cache on, as in production."""
    config = {key: app.config[key] for key in ("DATABASE_URL", "INSTANCE_PATH", "SEARCH_INDEX_DIR",
                                                "MAIL_SUPPRESS_SEND", "STAFF_2FA")}
    cached = create_app({"TESTING": True, **config, "PUBLIC_PAGE_CACHE_SECONDS": 1})
    yield cached
    cached.extensions["marketplace.engine"].dispose()


@pytest.fixture
def visitor(cached_app):
    return cached_app.test_client()


def test_a_need_posted_elsewhere_shows_once_the_cached_page_expires(visitor, world):
    first = world.need("open", title="独居老人冬季棉被")
    assert "独居老人冬季棉被" in visitor.get("/needs").get_data(as_text=True)
    world.need("open", title="高龄老人助听器")  # written by another node: this one is not told
    assert "高龄老人助听器" not in visitor.get("/needs").get_data(as_text=True)  # the kept page
    time.sleep(1.1)
    page = visitor.get("/needs").get_data(as_text=True)
    assert "高龄老人助听器" in page and "独居老人冬季棉被" in page
    assert visitor.get(f"/needs/{first.id}").status_code == 200


def test_a_change_made_through_this_node_shows_at_once(cached_app, visitor, world):
    need = world.need("open", title="大一新生学费缺口")
    assert "大一新生学费缺口" in visitor.get("/needs").get_data(as_text=True)
    staff = cached_app.test_client()
    login(staff, "poster@guoyang.gov.cn")
    response = post(staff, f"/staff/needs/{need.id}/cancel", {"reason": "家庭情况已变化，已由亲属资助"},
                    page=f"/needs/{need.id}")
    assert response.status_code in (200, 204, 303), response.get_data(as_text=True)
    assert "大一新生学费缺口" not in visitor.get("/needs").get_data(as_text=True)


def test_a_signed_in_visitor_never_gets_the_anonymous_page_nor_the_reverse(cached_app, visitor, world):
    world.need("open")
    anonymous = visitor.get("/needs")
    assert anonymous.headers["Cache-Control"].startswith("public")
    member = cached_app.test_client()
    login(member, "member@charity.org.cn")
    signed_in = member.get("/needs")
    assert signed_in.headers["Cache-Control"] == "no-store"
    assert "退出" in signed_in.get_data(as_text=True) and "退出" not in anonymous.get_data(as_text=True)
    # ...and the signed-in page was not kept for the next anonymous visitor either.
    again = cached_app.test_client().get("/needs")
    assert "退出" not in again.get_data(as_text=True) and 'name="csrf-token"' not in again.get_data(as_text=True)


def test_the_kept_answer_is_the_compressed_one_and_still_revalidates(visitor, world):
    world.need("open", title="独居老人冬季棉被")
    for _ in range(2):  # the first is rendered, the second replayed
        response = visitor.get("/needs", headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert "独居老人冬季棉被" in gzip.decompress(response.get_data()).decode()
        etag = response.headers["ETag"]
    plain = visitor.get("/needs")
    assert "Content-Encoding" not in plain.headers and "独居老人冬季棉被" in plain.get_data(as_text=True)
    assert visitor.get("/needs", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}).status_code == 304


def test_a_fragment_and_a_page_are_kept_apart(visitor, world):
    world.need("open")
    page = visitor.get("/needs").get_data(as_text=True)
    fragment = visitor.get("/needs", headers={"HX-Request": "true", "HX-Target": "results"}).get_data(as_text=True)
    assert "<html" in page and "<html" not in fragment
    assert "<html" in visitor.get("/needs").get_data(as_text=True)


def test_replayed_api_answers_still_count_against_the_limit(cached_app, visitor, world):
    world.need("open")
    cached_app.config["LOGIN_API_PER_MINUTE"] = 3
    codes = [visitor.get("/api/v1/needs").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_behind_the_proxy_replayed_api_answers_count_against_the_forwarded_client(app, world):
    config = {key: app.config[key] for key in ("DATABASE_URL", "INSTANCE_PATH", "SEARCH_INDEX_DIR",
                                                "MAIL_SUPPRESS_SEND", "STAFF_2FA")}
    proxied = create_app({"TESTING": True, **config, "PUBLIC_PAGE_CACHE_SECONDS": 30, "PROXY_FIX": 1,
                          "LOGIN_API_PER_MINUTE": 2})
    try:
        world.need("open")
        nginx = proxied.test_client()

        def get(client_address):
            return nginx.get("/api/v1/needs", headers={"X-Forwarded-For": client_address}).status_code

        assert [get("198.51.100.1") for _ in range(3)] == [200, 200, 429]
        assert get("198.51.100.2") == 200  # another visitor behind the same proxy keeps their own count
    finally:
        proxied.extensions["marketplace.engine"].dispose()


def test_replayed_pages_are_counted_in_the_metrics(cached_app, visitor, world):
    from prometheus_client.parser import text_string_to_metric_families

    def needs_requests() -> float:
        text = cached_app.test_client().get("/metrics").get_data(as_text=True)
        return sum(s.value for family in text_string_to_metric_families(text) for s in family.samples
                   if s.name == "shanqiao_http_requests_total" and s.labels.get("endpoint") == "needs.index")

    world.need("open")
    before = needs_requests()
    for _ in range(3):  # rendered once, then replayed twice
        assert visitor.get("/needs").status_code == 200
    assert needs_requests() - before == 3
