"""A need that is cancelled or expires ends the pledges not yet verified; verified ones stand as given aid."""

from datetime import date, timedelta

from pledge_support import TARGET_FEN, need, pledge, second_org
from sqlalchemy import select, update

from marketplace.needs import service as needs
from marketplace.needs.models import Need
from marketplace.pledges.models import Pledge


def test_cancelling_a_partly_pledged_need_ends_its_pledges(world):
    other = second_org(world)
    n = world.need("open")
    pledge(world, world.charity, n.id, 100000)
    pledge(world, other, n.id, 50000)
    with world.tx() as s:
        needs.cancel(s, world.user(s, world.poster), s.get(Need, n.id), "家庭已获政府临时救助")
    cancelled = need(world, n.id)
    assert (cancelled.status, cancelled.pledged_fen) == ("cancelled", 0)
    with world.tx() as s:
        rows = s.scalars(select(Pledge).where(Pledge.need_id == n.id)).all()
        assert {r.status for r in rows} == {"cancelled"}
        assert all("家庭已获政府临时救助" in r.end_reason for r in rows)


def test_an_expired_need_ends_its_open_pledges(world):
    n = world.need("open")
    pledge(world, world.charity, n.id, TARGET_FEN // 3)
    with world.tx() as s:
        s.execute(update(Need).where(Need.id == n.id).values(deadline=date.today() - timedelta(days=1)))
    with world.tx() as s:
        assert needs.expire_overdue(s, date.today()) == 1
    assert (need(world, n.id).status, need(world, n.id).pledged_fen) == ("expired", 0)
    with world.tx() as s:
        assert s.scalars(select(Pledge.status).where(Pledge.need_id == n.id)).one() == "cancelled"
