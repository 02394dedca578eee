"""Every place shown for a need is the public projection's (needs.listing.projected), on every GET route of
the app, as a visitor, a charity member and a volunteer, pages and htmx fragments alike, over the demo
with shifts, sign-ups and approved hours added; and in the shift mail. A township the projection hides (fewer
than K_MIN households of the tier) must not be named anywhere a need is shown."""

import io
import json
import re
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.claims.models import Claim
from marketplace.confirmation.models import DeliverySlip
from marketplace.db import transaction
from marketplace.demo.seed import seed_demo
from marketplace.evidence.models import EvidenceFile
from marketplace.fulfilment.models import Fulfilment
from marketplace.needs.listing import projected
from marketplace.needs.models import Need
from marketplace.notify import scheduled
from marketplace.notify.outbox_mail import opened
from marketplace.offers.models import ResourceOffer
from marketplace.organizations.models import Organization
from marketplace.outbox.models import OutboxMessage
from marketplace.pledges.models import Pledge
from marketplace.purchases.models import PurchaseProject
from marketplace.referrals.models import FamilyReferral
from marketplace.regions.models import Region
from marketplace.registry.models import Household
from marketplace.routing.models import NeedRouting, RoutingRule
from marketplace.transparency.labels import TABLES
from marketplace.volunteering import attendance, shifts, signups
from marketplace.volunteering.models import Shift, ShiftSignup
from support import build_search_index, login

DEMO_PASSWORD = "shanqiao-demo-2026"
ROLES = {"visitor": None, "charity": "charity@shanqiao.demo", "volunteer": "volunteer@shanqiao.demo"}
SKIPPED = {"static"}  # files from static/: no need is ever shown there
NEED_REF = re.compile(r"/needs/(\d+)")
# Pages showing a place the reader gave themselves, not a need's: a referrer's own family referrals (双向转介).
OWN_PLACES = re.compile(r"^/my/referrals(/|$|\?)")


class Places:
    """What the projection says of each demo need, and how a place looks on a page."""

    def __init__(self, s):
        needs = s.execute(select(Need.id, Need.region_code)).all()
        self.public = projected(s, [n.id for n in needs])
        self.code = {n.id: n.region_code for n in needs}
        regions = {r.code: r.name for r in s.scalars(select(Region))}
        self.township = {n.id: regions.get(n.region_code[:9], "") for n in needs if len(n.region_code) >= 9}
        # The area as the projection writes it: "county · township" (a village shows as its township).
        self.pairs = re.compile("|".join(sorted(
            {f"{regions[c[:6]]} · {name}" for c, name in regions.items() if len(c) == 9 and c[:6] in regions},
            key=len, reverse=True)))

    def hidden(self, need_id: int) -> str | None:
        """The township name the projection hides for this need, if it hides one."""
        name = self.township.get(need_id)
        return name if name and name not in self.public[need_id].area else None


def _last_month() -> str:
    first = date.today().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")


def _parameters(s, places: Places, user_id: int | None) -> dict[str, list]:
    """Values for each route parameter: needs the projection hides a township of first, then a sample."""
    hidden = [i for i in places.public if places.hidden(i)]
    shown = [i for i in places.public if not places.hidden(i)]
    needs = hidden[:40] + shown[::8]
    mine = Claim.claimant_id == (user_id or 0)
    codes = s.scalars(select(Household.public_code).join(Need, Need.household_id == Household.id)
                      .where(Need.id.in_(needs[:3]))).all()
    values = {
        "need_id": needs, "org_id": list(s.scalars(select(Organization.id))), "code": codes,
        "organization_id": [0] + list(s.scalars(select(Organization.id))),  # 0: volunteers without one
        "claim_id": list(s.scalars(select(Claim.id).where(mine))) + [s.scalars(select(Claim.id)).first()],
        "pledge_id": list(s.scalars(select(Pledge.id).where(Pledge.pledger_id == (user_id or 0)))) or [1],
        "fulfilment_id": list(s.scalars(select(Fulfilment.id).limit(3))) or [1],
        "job_id": [1], "token": ["not-a-token"], "locale": ["en", "zh_CN"],
        "offer_id": list(s.scalars(select(ResourceOffer.id))) or [1],
        # Both directions of 衔接: a few of the demo's referrals, purchase projects, routed needs and rules.
        "referral_id": list(s.scalars(select(FamilyReferral.id).limit(3))) or [1],
        "project_id": list(s.scalars(select(PurchaseProject.id).limit(2))) or [1],
        "routing_id": list(s.scalars(select(NeedRouting.id).limit(3))) or [1],
        "rule_id": list(s.scalars(select(RoutingRule.id).limit(2))) or [1], "name": ["blind_spots"], "fmt": ["csv"],
        # A sign-up's calendar file (its owner's) and a certificate number that checks out nowhere.
        "signup_id": list(s.scalars(select(ShiftSignup.id).where(ShiftSignup.user_id == (user_id or 0))
                                    .order_by(ShiftSignup.id).limit(2))) or [1],
        "number": ["SQ-1-20260101-20260102-0000-0000-0000"],
        # Evidence files (photos, receipts) of the demo, if it has any: served to their owners only.
        "file_id": list(s.scalars(select(EvidenceFile.id).order_by(EvidenceFile.id).limit(3))) or [1],
        # A delivery slip's public receipt page (its QR code), for a few of the demo's slips.
        "ref": list(s.scalars(select(DeliverySlip.ref).order_by(DeliverySlip.id).limit(3))) + ["not-a-ref"],
        # 阳光公示's tables as CSV; the 通报 of the demo's county and city for last month, and a month without one.
        "table": list(TABLES),
        "region_code": sorted({c[:n] for c in s.scalars(select(Household.region_code).distinct()) for n in (4, 6)}),
        "month": [_last_month(), "2001-01"],
    }
    # The need a claim's or pledge's page is about (its evidence form names no /needs/N link).
    values["_about"] = {("claim_id", i): n for i, n in s.execute(
        select(Claim.id, Claim.need_id).where(Claim.id.in_(values["claim_id"])))}
    values["_about"] |= {("pledge_id", i): n for i, n in s.execute(
        select(Pledge.id, Pledge.need_id).where(Pledge.id.in_(values["pledge_id"])))}
    values["_about"] |= {("ref", r): n for r, n in s.execute(
        select(DeliverySlip.ref, DeliverySlip.need_id).where(DeliverySlip.ref.in_(values["ref"])))}
    return values


def _urls(app, values: dict[str, list]) -> list[tuple[str, int | None]]:
    """(url, the need the URL is about) for every GET route with its parameters filled."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIPPED:
            continue
        missing = [a for a in rule.arguments if a not in values]
        if missing:
            pytest.fail(f"{rule.rule}: the crawl cannot fill {missing}; add values to _parameters")
        if not rule.arguments:
            urls.append((rule.rule, None))
            continue
        many = max(rule.arguments, key=lambda a: len(values[a]))
        for value in values[many]:
            args = {a: values[a][0] for a in rule.arguments} | {many: value}
            about = args.get("need_id") or next((values["_about"].get((a, args[a])) for a in args
                                                  if (a, args[a]) in values["_about"]), None)
            urls.append((rule.build(args, append_unknown=False)[1], about))
    pages = -(-sum(p.status in ("open", "claimed", "in_progress") for p in values["_public"]) // 20)
    for base in ("/needs", "/api/v1/needs"):
        urls += [(f"{base}?claimed=1&page={n}", None) for n in range(1, pages + 1)]
        urls += [(f"{base}?county={c}", None) for c in values["_counties"]]
        urls += [(f"{base}?county={t[:6]}&township={t}", None) for t in values["_townships"]]
    return urls


def _text(response) -> str:
    """The body as a reader sees it; a spreadsheet export as its cells, row by row."""
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
        return "\n".join("\t".join(str(c) for c in row if c is not None)
                         for sheet in book.worksheets for row in sheet.iter_rows(values_only=True))
    return response.get_data().decode("utf-8", "replace")


def _check_json(url: str, data, places: Places) -> None:
    if isinstance(data, list):
        for item in data:
            _check_json(url, item, places)
    elif isinstance(data, dict):
        if isinstance(data.get("id"), int) and "area" in data and data["id"] in places.public:
            assert data["area"] == places.public[data["id"]].area, (url, data["id"], data["area"])
            hidden = places.hidden(data["id"])
            assert not hidden or hidden not in json.dumps(data, ensure_ascii=False), (url, data["id"], hidden)
        for value in data.values():
            _check_json(url, value, places)


def _check_text(url: str, body: str, about: int | None, places: Places) -> None:
    """Text shown after a reference to need N (up to the next reference) is about N; before any reference
    it is about the need of the URL, if any."""
    refs = [(0, about)] + [(m.start(), int(m.group(1))) for m in NEED_REF.finditer(body)]
    segments = [(start, refs[i + 1][0] if i + 1 < len(refs) else len(body), need)
                for i, (start, need) in enumerate(refs)]
    for start, end, need in segments:
        text = body[start:end]
        for shown in places.pairs.findall(text):
            assert need in places.public, f"{url}: place {shown} shown with no need"
            assert shown == places.public[need].area, f"{url}: need {need} shown in {shown}"
        hidden = places.hidden(need) if need in places.public else None
        assert not hidden or hidden not in text, f"{url}: need {need} names the hidden township {hidden}"


def _arrange_shifts(s, places: Places) -> list[int]:
    """Shifts on service needs (hidden townships first), the demo volunteer booked on them, one served
    and approved, so 我的服务, the certificate, the rosters and the hours export have something to show."""
    city = s.scalars(select(AppUser).where(AppUser.email == "city@shanqiao.demo")).one()
    volunteer = s.scalars(select(AppUser).where(AppUser.email == ROLES["volunteer"])).one()
    service = s.scalars(select(Need).where(Need.form == "service", Need.status.in_(shifts.SCHEDULABLE))
                        .order_by(Need.id)).all()
    service.sort(key=lambda n: places.hidden(n.id) is None)
    made = []
    for nth, need in enumerate(service[:8]):
        start = (datetime.now(shifts.LOCAL) + timedelta(hours=3 + nth)).replace(second=0, microsecond=0)
        shift = shifts.create_shift(s, city, need, on=start.date(), start=start.time(),
                                    end=(start + timedelta(hours=2)).time(), capacity=3)
        signup = signups.sign_up(s, volunteer, shift)
        if nth == 0:
            begun = shifts.starts_at(shift)
            attendance.check_in(s, volunteer, signup, shift.signup_code, now=begun)
            entry = attendance.check_out(s, volunteer, signup, shift.signup_code, now=begun + timedelta(hours=2))
            attendance.decide(s, city, entry, approve=True)
        made.append(shift.id)
    return made


def test_every_route_shows_each_need_in_the_projections_place(app, engine):
    app.config["LOGIN_API_PER_MINUTE"] = 100_000
    vault = app.extensions["marketplace.vault"]
    seed_demo(engine, vault)
    with transaction(engine) as s:
        places = Places(s)
        shift_ids = _arrange_shifts(s, places)
        users = {who: s.scalars(select(AppUser.id).where(AppUser.email == email)).first()
                 for who, email in ROLES.items() if email}
        # Listing filters: every county, and townships where some need's township is hidden first.
        towns = sorted({code[:9] for i, code in s.execute(select(Need.id, Need.region_code)) if len(code) >= 9},
                       key=lambda town: town not in {places.code[i][:9] for i in places.public if places.hidden(i)})
        listing = {"_public": list(places.public.values()), "_townships": towns[:12],
                   "_counties": list(s.scalars(select(Region.code).where(Region.level == "county")))}
        values = {who: _parameters(s, places, users.get(who)) | listing for who in ROLES}
    assert len([i for i in places.public if places.hidden(i)]) >= 10
    assert shift_ids and build_search_index(app) > 100

    seen, hidden_shown = 0, 0
    for who, email in ROLES.items():
        client = app.test_client()
        if email:
            login(client, email, DEMO_PASSWORD)
        for url, about in _urls(app, values[who]):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                assert response.status_code != 500, (who, url)  # /readyz may say 503: no worker runs
                if response.is_json:
                    _check_json(url, response.get_json(), places)
                else:
                    body = _text(response)
                    if not OWN_PLACES.match(url):
                        _check_text(url, body, about, places)
                    if response.status_code == 200 and about and url.rstrip("/").endswith((f"/needs/{about}",
                                                                                           "/shifts")):
                        assert places.public[about].area in body, (who, url)
                        hidden_shown += bool(places.hidden(about))
                seen += 1
                if "HX-Request" not in response.headers.get("Vary", ""):
                    break  # the same answer either way
    assert seen > 1000 and hidden_shown > 20

    # The shift reminder is mail: its place is the projection's too.
    with app.app_context(), transaction(engine) as s:
        assert scheduled.shift_reminders(s) >= 1
    with app.app_context(), transaction(engine) as s:
        need_of = {f"shift.reminder:{signup}": need for signup, need in s.execute(
            select(ShiftSignup.id, Shift.need_id).join(Shift, Shift.id == ShiftSignup.shift_id))}
        mails = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "shift.reminder")).all()
        assert len(mails) == len(shift_ids)
        for row in mails:
            need_id = need_of[row.idempotency_key]
            text = opened(row.payload)["text"]
            assert places.public[need_id].area in text
            hidden = places.hidden(need_id)
            assert not hidden or hidden not in text, (need_id, hidden)
