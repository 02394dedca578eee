"""A purchase project and its service needs, made through the real services."""

from datetime import date, timedelta

from sqlalchemy import select

from marketplace.auth.service import create_user
from marketplace.claims import service as claims
from marketplace.claims.models import Claim
from marketplace.fulfilment import service as fulfilment
from marketplace.needs.models import Need
from marketplace.organizations.models import Organization
from marketplace.purchases import service as purchases
from marketplace.purchases.models import PurchaseProject
from support import PASSWORD


def project(world, *, categories=("care",), regions=("341621",), staff=None, **overrides) -> PurchaseProject:
    data = purchases.ProjectInput(
        title=overrides.pop("title", "涡阳县居家养老上门服务"), provider_id=overrides.pop("provider_id", world.org_id),
        budget_fen=overrides.pop("budget_fen", 10_000_00), starts_on=overrides.pop("starts_on", date.today()),
        ends_on=overrides.pop("ends_on", date.today() + timedelta(days=180)), categories=list(categories),
        regions=list(regions), target_hours=overrides.pop("target_hours", 100.0), **overrides)
    with world.tx() as s:
        return purchases.create(s, world.user(s, staff or world.poster), data)


def service_need(world, **overrides) -> Need:
    overrides.setdefault("category", "care")
    overrides.setdefault("title", "独居老人每周上门照料")
    overrides.setdefault("description", "老人独居，需要每周上门打扫和陪伴。")
    return world.need("open", form="service", **overrides)


def assign(world, project_row, need, staff=None) -> Need:
    with world.tx() as s:
        return purchases.assign(s, world.user(s, staff or world.poster), s.get(PurchaseProject, project_row.id),
                                s.get(Need, need.id))


def deliver(world, need, hours=6.0, member=None) -> None:
    """The provider's member claims, serves, submits evidence; a verifier approves it."""
    with world.tx() as s:
        fulfiler = world.user(s, member or world.charity)
        row = s.get(Need, need.id)
        claim = claims.claim_need(s, fulfiler, row)
        claims.start(s, fulfiler, claim)
        world.attach_evidence(s, fulfiler, row, claim=claim)
        f = fulfilment.submit(s, fulfiler, claim, fulfilment.EvidenceInput(
            delivered_on=date.today(), summary="已上门打扫并陪伴聊天", hours=hours))
        world.confirm_delivery(s, fulfiler, claim=claim)
        fulfilment.verify(s, world.user(s, world.verifier), f)


def claim_of(world, need) -> Claim:
    with world.tx() as s:
        return s.scalars(select(Claim).where(Claim.need_id == need.id)).one()


def other_org_member(world, *, kind="charity", email="member@other.org.cn", name="蒙城县爱心社") -> int:
    with world.tx() as s:
        org = Organization(name=name, uscc="51341622MJ000003" + ("9A" if kind == "charity" else "7B"),
                           region_code="341621", status="approved", kind=kind)
        s.add(org)
        s.flush()
        return create_user(s, email=email, password=PASSWORD, display_name=email.split("@")[0], role="charity",
                           organization_id=org.id).id
