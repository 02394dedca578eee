"""核验队列 has its reviewed work too: 待核验 (what waits, counted), 已核验 and 已退回 (newest first), for claim
and pledge evidence alike, each only within the verifier's region, and an unknown tab named in the error."""

from sqlalchemy import select

from marketplace.fulfilment import service as fulfilment
from marketplace.fulfilment.models import Fulfilment
from support import login


def _fulfilment(world, need_id):
    with world.tx() as s:
        return s.scalars(select(Fulfilment).where(Fulfilment.need_id == need_id)).one().id


def test_claim_evidence_queue_shows_waiting_verified_and_returned(client, world):
    waiting = world.need("submitted", title="等待核验的学费")
    verified = world.need("verified", title="已经核验的学费")
    returned = world.need("submitted", title="被退回的学费")
    returned_id = _fulfilment(world, returned.id)
    with world.tx() as s:
        fulfilment.reject(s, world.user(s, world.verifier), s.get(Fulfilment, returned_id), "收据金额与需求不符")
    login(client, "verifier@guoyang.gov.cn")
    page = client.get("/staff/verify").get_data(as_text=True)
    assert "等待核验的学费" in page and "已经核验的学费" not in page and "被退回的学费" not in page
    assert 'href="/staff/verify?state=verified"' in page and 'href="/staff/verify?state=returned"' in page
    done = client.get("/staff/verify?state=verified").get_data(as_text=True)
    assert "已经核验的学费" in done and "等待核验的学费" not in done and "核验时间" in done
    assert f'href="/staff/verify/{_fulfilment(world, verified.id)}"' in done
    back = client.get("/staff/verify?state=returned").get_data(as_text=True)
    assert "被退回的学费" in back and "已经核验的学费" not in back and "退回时间" in back
    assert waiting.id != returned.id
    bad = client.get("/staff/verify?state=everything")
    assert bad.status_code == 422 and "未知的核验状态「everything」" in bad.get_data(as_text=True)


def test_another_countys_verifier_sees_none_of_it(client, world):
    world.need("verified", title="已经核验的学费")
    login(client, "staff@mengcheng.gov.cn")
    assert "已经核验的学费" not in client.get("/staff/verify?state=verified").get_data(as_text=True)


def test_the_reviewed_tabs_read_in_english(client, world, tx):
    from marketplace.auth.models import AppUser

    world.need("verified", title="已经核验的学费")
    with tx() as s:
        s.get(AppUser, world.verifier).locale = "en"
    login(client, "verifier@guoyang.gov.cn")
    page = client.get("/staff/verify?state=verified").get_data(as_text=True)
    assert "Verified" in page and "Newest verified first." in page and "Awaiting verification" in page
