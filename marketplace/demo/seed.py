"""The 亳州 demo: regions, accounts, organizations, about 2,000 registry households (each with an invented,
encrypted identity) and 300 needs in every state of the life cycle. Every change goes through the real
services, so history rows, claims, evidence and ledger entries are consistent; the seed is the commit
point (one transaction).

Deterministic (random.Random(2026)) and idempotent: if the demo staff account exists, nothing is added.
`today` places deadlines and enrolment dates (for tests); claims and evidence are stamped with the real
clock, as the services do."""

import random
from datetime import date, timedelta

from sqlalchemy import select
from stdnum.cn import uscc

from ..auth.models import AppUser
from ..auth.service import create_user
from ..claims import service as claims
from ..db import transaction
from ..duplicates import goods_kinds
from ..duplicates.check import Proposed, check
from ..fulfilment import service as fulfilment
from ..needs import service as needs
from ..organizations.models import Organization
from ..privacy.identity import protect
from ..privacy.vault import Vault
from ..regions.bozhou import COUNTIES, PREFECTURE, REGIONS
from ..regions.service import ensure_regions
from ..registry.models import Household
from ..registry.service import add_household
from ..vocabulary import STAFF_DUTIES
from .evidence_seed import ACCEPTANCE_NOTES, REMARKS, EvidenceSeeder
from .identities import GIVEN, SURNAMES, IdentityMaker
from .logins import COUNTY_STAFF, DOMAIN, MARKER_EMAIL, PASSWORD, demo_logins
from .need_catalogue import EVIDENCE, REASONS, TEMPLATES, Template, age_band_of, suits
from .profiles import TIER_WEIGHTS, profile
from .supply import seed_supply

HOUSEHOLDS = 2000

COUNTY_WEIGHTS = {"341602": 30, "341621": 25, "341622": 21, "341623": 24}
# Needs of each state are dealt to the counties in this order, so every county, and 谯城区 (where the
# memorable staff accounts work) most of all, has needs in every state to look at.
NEED_ROTATION = ("341602", "341621", "341602", "341622", "341623")

# (name, kind, region, status, GB 32100 entity type: 1 社会团体, 2 民办非企业单位, 3 基金会, 1 企业)
ORGANIZATIONS = (
    ("亳州市慈善总会", "charity", "341600", "approved", "1"),
    ("谯城区慈善协会", "charity", "341602", "approved", "1"),
    ("涡阳县慈善会", "charity", "341621", "approved", "1"),
    ("蒙城县慈善协会", "charity", "341622", "approved", "1"),
    ("利辛县慈善协会", "charity", "341623", "approved", "1"),
    ("亳州市青少年发展基金会", "charity", "341600", "approved", "3"),
    ("蒙城县义工联合会", "social_org", "341622", "approved", "1"),
    ("利辛县爱心助学协会", "social_org", "341623", "approved", "1"),
    ("亳州市社会工作协会", "social_org", "341600", "approved", "1"),
    ("谯城区春晖社会工作服务中心", "social_org", "341602", "approved", "2"),
    ("涡阳县老年人协会", "social_org", "341621", "approved", "1"),
    ("亳州市残疾人康复协会", "social_org", "341600", "approved", "1"),
    ("蒙城县阳光志愿者协会", "social_org", "341622", "approved", "1"),
    ("亳州药都爱心助老服务中心", "social_org", "341602", "approved", "2"),
    ("亳州市谯韵药业有限公司", "company", "341602", "approved", "1"),
    ("涡阳县恒信建材有限公司", "company", "341621", "approved", "1"),
    ("利辛县丰禾农业发展有限公司", "company", "341623", "approved", "1"),
    ("蒙城县安心家政服务有限公司", "company", "341622", "pending", "1"),
    ("亳州市暖阳公益服务中心", "social_org", "341600", "pending", "2"),
    ("利辛县众益互助会", "social_org", "341623", "suspended", "1"),
)
# Extra member accounts per organization index (charity@ is an extra member of the first).
ORG_MEMBERS = {0: 2, 2: 2, 6: 3, 7: 2, 9: 2, 14: 2, 17: 1, 19: 1}

# Declared service profiles (服务意向), so 为我推荐 has something to rank by: categories by organization
# index (vocabulary order); county organizations serve their county, city-wide ones their home city.
ORG_SERVICES = (
    "education medical housing emergency", "medical goods emergency", "education goods emergency",
    "medical housing emergency", "education goods", "education psychological", "care psychological", "education",
    "care employment psychological", "care psychological", "care accessibility", "accessibility medical",
    "care education", "care medical", "medical goods", "accessibility housing", "employment goods", "care",
    "psychological", "emergency",
)
VOLUNTEER_SERVICES = ("care education", "care psychological", "education", "care accessibility", "psychological")

# How the demo's needs reached civil affairs (vocabulary.NEED_SOURCES): mostly the township window and
# home visits, fewer by the hotline, data-matching alerts, the person's own application or a charity.
NEED_SOURCES_WEIGHTED = {"window": 30, "visit": 25, "hotline": 12, "data_alert": 15, "application": 10,
                         "social_referral": 8}

# Share of each life-cycle state among the demo's needs (300 in all).
STATES = {"draft": 25, "open": 120, "claimed": 30, "in_progress": 25, "submitted": 25, "verified": 50,
          "expired": 15, "cancelled": 10}


# Least privilege (vocabulary.STAFF_DUTIES): a county's poster posts needs, imports its registry and vets its
# organisations; its verifier only verifies (four eyes); only city@ administers accounts and the rules.
POSTER_DUTIES = ("need_posting", "registry_import", "org_vetting")
VERIFIER_DUTIES = ("verification",)


def seed_demo(engine, vault: Vault, today: date | None = None, store=None) -> list[tuple[str, str, str, str]]:
    """`vault` encrypts the households' identities: it must be the serving app's, or nobody can read them.
    `store` receives the evidence files (evidence/storage.py; None: the one the environment names)."""
    today = today or date.today()
    with transaction(engine) as session:
        seeded = session.scalars(select(AppUser.id).where(AppUser.email == MARKER_EMAIL)).first() is None
        if seeded:
            _Seeder(session, random.Random(2026), today, vault, store).run()
    if seeded:  # 阳光公示 shows the demo's figures at once, not after the worker's first round
        from ..transparency import store as public_figures

        with transaction(engine) as session:
            public_figures.refresh_all(session)
    return demo_logins()


class _Seeder:
    def __init__(self, session, rng: random.Random, today: date, vault: Vault, store=None):
        self.session, self.rng, self.today, self.vault, self.store = session, rng, today, vault, store
        self.names: set[str] = set()

    def run(self) -> None:
        ensure_regions(self.session, REGIONS)
        self.staff = self._staff()
        self.orgs = self._organizations()
        self.members = self._members()
        self.volunteers = self._volunteers()
        self.households = self._households()
        # charity@'s organisation gets a follow-up on every verified need: its figures reach the directory.
        self.proof = EvidenceSeeder(self.session, self.store, {org.id: org.name for org in self.orgs},
                                    favoured=self.members[0][1].id)
        self._needs()
        self.proof.follow_ups()
        self._service_profiles()
        seed_supply(self.session, self.staff, self.members, self.volunteers, self.today)
        from .linkage import seed_linkage

        seed_linkage(self)
        from .bulletins_seed import seed as seed_bulletins

        seed_bulletins(self)  # last month's 月度衔接情况通报, after everything it counts

    # --- people and organizations -------------------------------------------------------------
    def _user(self, email: str, name: str, role: str, region: str | None, org: int | None = None,
              duties=()) -> AppUser:
        return create_user(self.session, email=f"{email}@{DOMAIN}", password=PASSWORD, display_name=name,
                           role=role, region_code=region, organization_id=org, duties=duties)

    def _staff(self) -> dict[str, tuple[AppUser, AppUser]]:
        staff = {}
        for county, (suffix, poster, verifier) in COUNTY_STAFF.items():
            office = f"{COUNTIES[county]}民政局"
            staff[county] = (self._user(f"staff{suffix}", f"{poster}（{office}）", "staff", county,
                                        duties=POSTER_DUTIES),
                             self._user(f"verifier{suffix}", f"{verifier}（{office}）", "staff", county,
                                        duties=VERIFIER_DUTIES))
        self._user("city", "杨晓东（亳州市民政局）", "staff", PREFECTURE, duties=STAFF_DUTIES)
        return staff

    def _organizations(self) -> list[Organization]:
        orgs = []
        for name, kind, region, status, entity in ORGANIZATIONS:
            authority = "9" if kind == "company" else "5"
            code = self._uscc(authority + entity + region + ("MA" if authority == "9" else "MJ"))
            orgs.append(Organization(name=name, uscc=code, kind=kind, region_code=region, status=status))
        self.session.add_all(orgs)
        self.session.flush()
        return orgs

    def _uscc(self, head: str) -> str:
        """head (authority, type, region, 2-char prefix) + 6 random characters + the GB 11714 check of the
        9-character organization code + the GB 32100 MOD 31 check."""
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        body = head[8:] + "".join(self.rng.choice(alphabet) for _ in range(6))
        total = sum(int(c, 36) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
        check = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
        first17 = head[:8] + body + check
        code = first17 + uscc.calc_check_digit(first17)
        assert uscc.is_valid(code), code
        return code

    def _person(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)
            if name not in self.names:
                self.names.add(name)
                return name

    def _members(self) -> list[tuple[AppUser, Organization]]:
        """Members of approved organizations, who may claim; charity@ first."""
        first = self.orgs[0]
        name = f"{self._person()}（{first.name}）"
        members = [(self._user("charity", name, "charity", first.region_code, first.id), first)]
        members[0][0].org_role = "administrator"  # so the demo can show 我的组织's member management
        for index, count in ORG_MEMBERS.items():
            org = self.orgs[index]
            for k in range(1, count + 1):
                email = f"org{index + 1:02d}.member{k}"
                user = self._user(email, self._person(), "charity", org.region_code, org.id)
                user.org_role = "administrator" if k == 1 and index else None
                if org.status == "approved":
                    members.append((user, org))
        return members

    def _volunteers(self) -> list[AppUser]:
        counties = list(COUNTY_WEIGHTS)
        return [self._user("volunteer" if i == 0 else f"volunteer{i:02d}", self._person(), "volunteer",
                           self.rng.choices(counties, list(COUNTY_WEIGHTS.values()))[0]) for i in range(50)]

    def _service_profiles(self) -> None:
        """Fixed tables, not the random stream: drawing from it would change every household and need."""
        towns = {county: [code for code, name, level, parent in REGIONS
                          if parent == county and level == "township" and name.endswith("镇")] for county in COUNTIES}
        for org, categories in zip(self.orgs, ORG_SERVICES, strict=True):
            org.service_categories = categories
            org.service_regions = org.region_code if org.region_code in COUNTIES else ""
        # charity@'s city-wide organization concentrates on 谯城区, where the memorable staff post the most.
        self.orgs[0].service_regions = " ".join(["341602", *towns["341602"][:3]])
        for i, volunteer in enumerate(self.volunteers):
            mine = towns[volunteer.region_code]
            volunteer.service_categories = VOLUNTEER_SERVICES[i % len(VOLUNTEER_SERVICES)]
            places = {volunteer.region_code, mine[i % len(mine)], mine[(i + 3) % len(mine)]}
            volunteer.service_regions = " ".join(sorted(places))
        self.session.flush()

    # --- households ---------------------------------------------------------------------------
    def _households(self) -> dict[str, list[Household]]:
        rng, start = self.rng, date(2018, 1, 1)
        span = max((self.today - start).days, 0)
        towns: dict[str, tuple[list[str], list[float]]] = {county: ([], []) for county in COUNTIES}
        for code, name, level, parent in REGIONS:
            if level == "township":
                towns[parent][0].append(code)
                # Fewer registered households in the urban streets than in the rural towns.
                towns[parent][1].append(0.6 if name.endswith("街道") else 1.0)
        seq = dict.fromkeys(COUNTIES, 0)
        households: dict[str, list[Household]] = {county: [] for county in COUNTIES}
        places = {code: name for code, name, _, _ in REGIONS}
        identities = IdentityMaker(2026, self.today, places, self._public_text())
        for _ in range(HOUSEHOLDS):
            county = rng.choices(list(COUNTY_WEIGHTS), list(COUNTY_WEIGHTS.values()))[0]
            tier = rng.choices(list(TIER_WEIGHTS), list(TIER_WEIGHTS.values()))[0]
            members, flags, birth = profile(rng, tier, self.today.year)
            enrolled = start + timedelta(days=rng.randint(0, span))
            seq[county] += 1
            household = add_household(
                self.session, tier=tier, region_code=rng.choices(*towns[county])[0], members=members,
                hardships=flags, household_no=f"{county}-{enrolled.year}-{seq[county]:06d}",
                head_birth_year=birth, enrolled_on=enrolled,
            )
            protect(household, self.vault, identities.for_household(household))
            households[county].append(household)
        return households

    def _public_text(self) -> str:
        """Everything else the demo shows: a head's name must not occur in any of it."""
        users = self.session.scalars(select(AppUser.display_name))
        texts = [t.title + t.text for t in TEMPLATES]
        texts += [text for group in (*EVIDENCE.values(), *REASONS.values()) for text in group]
        texts += [*REMARKS, *filter(None, ACCEPTANCE_NOTES)]
        return "\n".join([*users, *texts, *(o[0] for o in ORGANIZATIONS), *(r[1] for r in REGIONS)])

    # --- needs --------------------------------------------------------------------------------
    def _needs(self) -> None:
        rng = self.rng
        states = [state for state, count in STATES.items() for _ in range(count)]
        rng.shuffle(states)
        templates: list[Template] = []
        while len(templates) < len(states):  # every template, hence every category and form, is used
            batch = list(TEMPLATES)
            rng.shuffle(batch)
            templates += batch
        dealt = dict.fromkeys(STATES, 0)
        for state, template in zip(states, templates, strict=False):
            nth, dealt[state] = dealt[state], dealt[state] + 1
            county = NEED_ROTATION[nth % len(NEED_ROTATION)]
            self._drive(state, nth, template, county, self._household_for(template, county))
        needs.expire_overdue(self.session, self.today)

    def _household_for(self, template: Template, county: str) -> Household:
        everyone = self.households[county]
        year = self.today.year
        pool = [h for h in everyone if suits(template, h.members, year - h.head_birth_year if h.head_birth_year
                                             else None, h.hardships)] or everyone
        fitting = [h for h in pool if set(h.hardships) & set(template.fits)] if template.fits else pool
        candidates = list(fitting or pool)
        self.rng.shuffle(candidates)
        # As a coordinator would: a household that already has this kind of aid is passed over.
        goods = "goods" in (template.category, template.form)  # as NeedInput.clean derives the item
        planned = Proposed(category=template.category, deadline=self.today + timedelta(days=120),
                           item_key=goods_kinds.kind_of(template.title) if goods else None)
        clear = next((h for h in candidates if not check(self.session, h, planned, self.today)), None)
        return clear or candidates[0]

    def _drive(self, state: str, nth: int, template: Template, county: str, household: Household) -> None:
        """Create the `nth` need of `state` and carry it there through the services, as people would."""
        rng, session = self.rng, self.session
        poster, verifier = self.staff[county]
        if state == "expired":  # posted weeks ago, deadline passed unclaimed; expire_overdue closes it
            posted = self.today - timedelta(days=rng.randint(45, 75))
            data = self._input(template, self.today - timedelta(days=rng.randint(1, 20)))
            needs.create_need(session, poster, household, data, publish=True, today=posted, vault=self.vault)
            return
        stage = state
        if state == "cancelled":
            stage = ("draft", "open", "claimed", "open", "in_progress")[nth % 5]
        elif state == "open":  # one in ten open needs was claimed before: evidence rejected, or released
            stage = {3: "rejected", 8: "released"}.get(nth % 20, "open")
        need = needs.create_need(session, poster, household, self._input(template, None),
                                 publish=stage != "draft", today=self.today, vault=self.vault)
        if stage not in ("draft", "open"):
            claimant = self._claimant(need.form, county)
            claim = claims.claim_need(session, claimant, need)
            if stage == "released":
                claims.release(session, claimant, claim, rng.choice(REASONS["release"]))
            elif stage == "claimed" and rng.random() < 0.2:
                claims.extend(session, claimant, claim, rng.choice(REASONS["extend"]))
            if stage in ("in_progress", "submitted", "verified", "rejected"):
                claims.start(session, claimant, claim)
            if stage in ("submitted", "verified", "rejected"):
                plan, code = self.proof.prepare(claimant, poster, need, claim, stage)
                on = max(date.today(), claim.claimed_at.date())
                evidence = self._evidence(need, on - timedelta(days=rng.choice((0, 0, 1))))
                evidence.confirmation_code = code
                proof = fulfilment.submit(session, claimant, claim, evidence, today=on)
                if stage == "verified":
                    slip_checked = self.proof.before_verifying(poster, need, claim, plan)
                    fulfilment.verify(session, verifier, proof, slip_checked=slip_checked)
                    self.proof.verified(poster, need, claim, plan)
                elif stage == "rejected":
                    fulfilment.reject(session, verifier, proof, rng.choice(REASONS["reject"]))
        if state == "cancelled":
            needs.cancel(session, poster, need, rng.choice(REASONS["cancel"]))

    def _input(self, template: Template, deadline: date | None) -> needs.NeedInput:
        rng = self.rng
        urgency = "urgent" if template.urgent else rng.choices(("normal", "soon", "urgent"), (60, 30, 10))[0]
        if deadline is None:
            low, high = {"urgent": (10, 30), "soon": (20, 60), "normal": (30, 120)}[urgency]
            deadline = self.today + timedelta(days=rng.randint(low, high))
        amount = quantity = None
        if template.form in ("money", "retrofit") and template.low:
            amount = rng.randrange(template.low, template.high + 1, 100) * 100  # 元 to fen
        if template.form == "goods":
            step = 50 if template.unit == "公斤" else 1
            quantity = rng.randrange(template.low, template.high + 1, step)
        band = age_band_of(template)
        # A child's contact details are shared only with a guardian's consent (needs.service checks it).
        consent = "guardian_consent" if band == "minor" else "household_consent"
        return needs.NeedInput(
            category=template.category, form=template.form, title=template.title, description=template.text,
            urgency=urgency, deadline=deadline, target_amount_fen=amount, target_quantity=quantity,
            unit=template.unit, contact_basis=consent if rng.random() < 0.7 else "none", age_band=band,
            source=self._source(),
        )

    def _source(self) -> str:
        # A generator of its own: drawing from self.rng would shift every need, claim and name after it.
        if not hasattr(self, "_sources"):
            self._sources = random.Random(16)
        return self._sources.choices(tuple(NEED_SOURCES_WEIGHTED), tuple(NEED_SOURCES_WEIGHTED.values()))[0]

    def _claimant(self, form: str, county: str) -> AppUser:
        """Volunteers take most service needs; organizations take the rest. The memorable demo accounts
        get a good share so that signing in with them shows something."""
        rng = self.rng
        if form == "service" and rng.random() < 0.7:
            if rng.random() < 0.25:
                return self.volunteers[0]
            return rng.choice([v for v in self.volunteers if v.region_code == county] or self.volunteers)
        if rng.random() < 0.3:
            return self.members[0][0]
        local = [user for user, org in self.members if org.region_code in (county, PREFECTURE)]
        return rng.choice(local or [user for user, _ in self.members])

    def _evidence(self, need, delivered_on: date) -> fulfilment.EvidenceInput:
        summary = self.rng.choice(EVIDENCE[need.form])
        evidence = fulfilment.EvidenceInput(delivered_on=delivered_on, summary=summary)
        if need.form in ("money", "retrofit"):
            evidence.amount_fen = need.target_amount_fen
            if need.form == "retrofit":
                evidence.acceptance, evidence.acceptance_note = self.proof.acceptance(need)
        elif need.form == "goods":
            evidence.quantity = need.target_quantity
        else:
            evidence.hours = float(self.rng.choice((2, 3, 4, 6, 8, 12, 16)))
        return evidence
