"""The demo's government purchase of services (政府购买服务, issue 16): the city grants 谯城区's need poster the
purchasing duty, who records a project buying home care and companionship for elderly and disabled people
from charity@'s organisation, publishes service needs and assigns them to it. The provider's members claim
them; some are served and verified, so the project page shows hours, spending and households under way.
Everything goes through the real services, with its own random stream so the rest of the demo stays as it was."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from ..auth import administration
from ..auth.models import AppUser
from ..claims import service as claims
from ..duplicates.check import DuplicateWarning
from ..errors import DomainError
from ..fulfilment import service as fulfilment
from ..needs import service as needs
from ..purchases import service as purchases
from .need_catalogue import TEMPLATES, suits

COUNTY = "341602"  # 谯城区: staff@ and verifier@ of the demo
# Needs from the demo's catalogue, so titles agree with the households they are posted for. The first
# VERIFIED are served and verified; the rest are claimed by the provider and under way. None stays open:
# every open service need of the demo has volunteer shifts, and a purchase project's need takes none.
TITLES = ("独居老人每周上门助浴与保洁", "失能老人午间送餐与翻身擦洗", "丧偶老人定期探访与电话问候",
          "高龄老人每月陪同就医取药", "雨雪天气独居老人定期探视")
VERIFIED = 3
HOURS = (6.0, 8.0, 4.0)
SUMMARIES = ("已按计划上门服务，打扫卫生并协助洗浴，老人表示满意。", "已完成本月送餐和翻身擦洗，照护记录经网格员签字。",
             "已上门探访两次、电话问候四次，老人情绪明显好转。")


def seed(seeder) -> None:
    session, today = seeder.session, seeder.today
    rng = random.Random(1604)
    city = session.scalars(select(AppUser).where(AppUser.email == "city@shanqiao.demo")).one()
    poster, verifier = seeder.staff[COUNTY]
    administration.set_duties(session, city, poster, [*poster.duty_set, "purchasing"])
    provider = seeder.members[0][1]
    members = [user for user, org in seeder.members if org.id == provider.id]
    project = purchases.create(session, poster, purchases.ProjectInput(
        title="谯城区居家养老与精神慰藉服务项目", provider_id=provider.id, budget_fen=120_000_00,
        starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=335), categories=["care", "psychological"],
        regions=[COUNTY], target_households=40, target_hours=600.0))
    templates = {t.title: t for t in TEMPLATES}
    posted = []
    for title in TITLES:
        template = templates[title]
        data = needs.NeedInput(category=template.category, form="service", title=title, description=template.text,
                               urgency=rng.choice(("normal", "soon")), deadline=today + timedelta(days=60),
                               source=rng.choice(("visit", "window", "data_alert")))
        need = _post(session, seeder, poster, template, data, rng)
        if need is not None:
            posted.append(purchases.assign(session, poster, project, need, today=today))
    for nth, need in enumerate(posted):
        member = members[nth % len(members)]
        claim = claims.claim_need(session, member, need)
        claims.start(session, member, claim)
        if nth >= VERIFIED:
            continue
        plan, code = seeder.proof.prepare(member, poster, need, claim, "verified")
        on = max(date.today(), claim.claimed_at.date())
        proof = fulfilment.submit(session, member, claim, fulfilment.EvidenceInput(
            delivered_on=on, summary=SUMMARIES[nth], hours=HOURS[nth],
            confirmation_code=code), today=on)
        slip_checked = seeder.proof.before_verifying(poster, need, claim, plan)
        fulfilment.verify(session, verifier, proof, slip_checked=slip_checked)


def _post(session, seeder, poster, template, data, rng):
    """On a household of the county the title suits and the duplicate rules let it go to, as a coordinator
    would choose."""
    year = seeder.today.year
    candidates = [h for h in seeder.households[COUNTY]
                  if suits(template, h.members, year - h.head_birth_year if h.head_birth_year else None, h.hardships)]
    rng.shuffle(candidates)
    for household in candidates[:40]:
        try:
            # create_need refuses before it writes anything: a refused household leaves nothing behind.
            return needs.create_need(session, poster, household, data, publish=True, today=seeder.today,
                                     vault=seeder.vault)
        except (DuplicateWarning, DomainError):
            continue
    return None
