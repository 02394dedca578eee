"""A county with something in every 今日待办 row, and helpers to read the dashboard's figures as a person
reads them: each row's sentence and where its link goes."""

import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from html import unescape
from pathlib import Path

from sqlalchemy import select, update

from marketplace.claims.models import Claim
from marketplace.fulfilment import service as fulfilment
from marketplace.fulfilment.models import Fulfilment
from marketplace.modelbase import utcnow
from marketplace.needs.models import Need, NeedHistory
from marketplace.referrals import service as referrals
from marketplace.referrals.models import FamilyReferral
from marketplace.referrals.workdays import add_working_days

sys.path.insert(0, str(Path(__file__).parent.parent / "routing"))
from routing_support import department, rule  # noqa: E402


def figure(body: str, item: str) -> tuple[str, str | None]:
    """The text of the row `item` (todo-evidence, trend-cliff, …) with tags removed, and its link."""
    found = re.search(rf'<li id="{item}">(.*?)</li>', body, re.S)
    assert found, f"no {item} on the page"
    html = found.group(1)
    link = re.search(r'href="([^"]+)"', html)
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()
    return text, unescape(link.group(1)) if link else None


def number(body: str, item: str) -> int:
    found = re.search(rf'<li id="{item}">.*?<strong class="figure">([\d,]+)</strong>', body, re.S)
    assert found, f"no figure in {item}"
    return int(found.group(1).replace(",", ""))


def set_published(world, need_id: int, when) -> None:
    with world.tx() as s:
        s.execute(update(Need).where(Need.id == need_id).values(published_at=when))
        s.execute(update(NeedHistory).where(NeedHistory.need_id == need_id, NeedHistory.to_status == "open")
                  .values(at=when))


def set_claim_expiry(world, need_id: int, when) -> None:
    with world.tx() as s:
        s.execute(update(Claim).where(Claim.need_id == need_id).values(expires_at=when))


def refer(world, township: str, due_on: date) -> int:
    filing = referrals.Filing(region_code=township, hardships=["高龄", "独居"], consent=True,
                              consent_note="本人口头同意，网格员在场",
                              description="老人独自居住，腿脚不便，冬天取暖困难，目前没有领取任何救助。")
    with world.tx() as s:
        referral = referrals.file(s, world.user(s, world.volunteer), filing, world.vault)
        s.execute(update(FamilyReferral).where(FamilyReferral.id == referral.id).values(due_on=due_on))
        return referral.id


@dataclass
class County:
    """What `arrange` made, by what a row of the dashboard should count."""
    evidence: Need  # submitted evidence in 楚店镇 (涡阳县)
    evidence_other_town: Need  # submitted evidence in 高炉镇 (涡阳县)
    evidence_elsewhere: Need  # submitted evidence in 蒙城县
    expiring: Need  # claimed, to start within 24 hours
    not_expiring: Need  # claimed, 7 days to start
    expiring_elsewhere: Need
    unclaimed: Need  # open, published 20 days ago
    fresh: Need  # open, published today
    routed: Need  # held for the education bureau
    overdue_referral: int
    due_referral: int
    later_referral: int
    posted_months_ago: Need  # published three months ago
    verified: Need  # verified today in 楚店镇
    verified_elsewhere: Need


def arrange(world) -> County:
    """Each need has a household of its own (a second 助学 need of one household is a duplicate), of the tier
    `other` (neither side of the cliff) unless the cliff needs it."""
    now, today = utcnow(), date.today()

    def need(state, town="341621100", tier="other", **kw):
        if town.startswith("341622"):
            kw.setdefault("poster", world.other_county)
        return world.need(state, household=world.household(town, tier), **kw)

    evidence = need("submitted", title="楚店镇学费缺口")
    evidence_other_town = need("submitted", "341621101", title="高炉镇学费缺口")
    evidence_elsewhere = need("submitted", "341622100", title="双涧镇学费缺口")
    expiring = need("claimed", title="楚店镇助学金即将到期")
    set_claim_expiry(world, expiring.id, now + timedelta(hours=24))
    not_expiring = need("claimed", title="楚店镇助学金刚认领")
    expiring_elsewhere = need("claimed", "341622100", title="双涧镇即将到期")
    set_claim_expiry(world, expiring_elsewhere.id, now + timedelta(hours=24))
    unclaimed = need("open", title="楚店镇久无人认领的需求")
    set_published(world, unclaimed.id, now - timedelta(days=20))
    fresh = need("open", title="楚店镇新发布的需求")
    old = need("open", "341621101", title="高炉镇三个月前的需求")
    set_published(world, old.id, now - timedelta(days=92))
    # Blind spots: serious hardship, no aid at all.
    world.household("341621100", "other", hardships=["重病"])
    world.household("341621101", "other", hardships=["重残"])
    world.household("341622100", "other", hardships=["重病"])
    # The cliff: 3,000 yuan to one of the county's two 低保 households, 3,000 yuan to its one 低保边缘.
    verified = need("verified", tier="dibao", title="楚店镇已核验的需求")
    world.household("341621101", "dibao")
    need("verified", tier="marginal", title="楚店镇低保边缘户助学")
    verified_elsewhere = need("submitted", "341622100", tier="dibao", title="双涧镇已核验")
    with world.tx() as s:  # World's verifier works in 涡阳县: the city's staff verify this one
        claim = s.scalars(select(Claim).where(Claim.need_id == verified_elsewhere.id)).one()
        world.confirm_delivery(s, world.user(s, world.charity), claim=claim)
        fulfilment.verify(s, world.user(s, world.city),
                          s.scalars(select(Fulfilment).where(Fulfilment.need_id == verified_elsewhere.id)).one())
    # From here on every 助学 need of 涡阳县 goes to the education bureau first (分类推送).
    org, _member = department(world)
    rule(world, org)
    routed = need("open", title="楚店镇推送教育局的需求")
    overdue = refer(world, "341621100", today - timedelta(days=1))
    due = refer(world, "341621100", add_working_days(today, 1))
    later = refer(world, "341621100", today + timedelta(days=30))
    with world.tx() as s:  # the routed need is held: nobody else could claim it
        assert s.scalar(select(Need.hold_kind).where(Need.id == routed.id)) == "routing"
    return County(evidence, evidence_other_town, evidence_elsewhere, expiring, not_expiring, expiring_elsewhere,
                  unclaimed, fresh, routed, overdue, due, later, old, verified, verified_elsewhere)
