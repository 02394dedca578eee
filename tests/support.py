"""Helpers the tests share: a small 亳州 world built through the real services, and a browser-like client.
(Kept out of conftest.py: tests/e2e has a conftest of its own, and both would be the module `conftest`.)"""

import os
import re
from datetime import date, timedelta

PASSWORD = "correct-horse-battery"

REGIONS = [
    ("340000", "安徽省", "province", None),
    ("341600", "亳州市", "prefecture", "340000"),
    ("341621", "涡阳县", "county", "341600"),
    ("341621100", "楚店镇", "township", "341621"),
    ("341621101", "高炉镇", "township", "341621"),
    ("341622", "蒙城县", "county", "341600"),
    ("341622100", "双涧镇", "township", "341622"),
]


class World:
    """A small 亳州 with two counties, staff in each, an approved charity and a volunteer.

    Staff hold every duty unless `duties` says otherwise: {"verifier": ["verification"], …} keyed by the
    attribute name (poster, verifier, township_staff, other_county, city)."""

    def __init__(self, tx, duties: dict[str, list[str]] | None = None):
        from marketplace.auth.service import create_user
        from marketplace.organizations.models import Organization
        from marketplace.regions.service import ensure_regions
        from marketplace.vocabulary import STAFF_DUTIES

        self.tx = tx
        from marketplace.aid_items.defaults import ensure_default_aid_items
        from marketplace.duplicates.rules import ensure_default_rules
        from marketplace.search.synonyms import ensure_default_synonyms

        with tx() as s:
            ensure_regions(s, REGIONS)
            ensure_default_rules(s)
            ensure_default_aid_items(s)
            ensure_default_synonyms(s)
            org = Organization(name="涡阳县慈善协会", uscc="51341621MJ0000001C", region_code="341621", status="approved")
            pending = Organization(name="待审核公益社", uscc="51341621MJ0000002A", region_code="341621")
            s.add_all([org, pending])
            s.flush()

            def user(email, role, name=None, **kw):
                if role == "staff":
                    kw["duties"] = (duties or {}).get(name, list(STAFF_DUTIES))
                return create_user(s, email=email, password=PASSWORD, display_name=email.split("@")[0],
                                   role=role, **kw).id

            self.poster = user("poster@guoyang.gov.cn", "staff", "poster", region_code="341621")
            self.verifier = user("verifier@guoyang.gov.cn", "staff", "verifier", region_code="341621")
            self.township_staff = user("chudian@guoyang.gov.cn", "staff", "township_staff", region_code="341621100")
            self.other_county = user("staff@mengcheng.gov.cn", "staff", "other_county", region_code="341622")
            self.city = user("city@bozhou.gov.cn", "staff", "city", region_code="341600")
            self.charity = user("member@charity.org.cn", "charity", organization_id=org.id)
            self.charity2 = user("member2@charity.org.cn", "charity", organization_id=org.id)
            self.pending_member = user("member@pending.org.cn", "charity", organization_id=pending.id)
            self.volunteer = user("helper@volunteer.cn", "volunteer", region_code="341621")
            self.org_id = org.id

    def user(self, s, user_id):
        from marketplace.auth.models import AppUser

        return s.get(AppUser, user_id)

    def staff(self, email, region_code="341621", duties=()) -> int:
        """One more staff account with exactly `duties` (none by default)."""
        from marketplace.auth.service import create_user

        with self.tx() as s:
            return create_user(s, email=email, password=PASSWORD, display_name=email.split("@")[0], role="staff",
                               region_code=region_code, duties=duties).id

    @property
    def vault(self):
        """A vault with the key the app under test uses (both read it from the suite's instance dir)."""
        from marketplace.privacy.vault import Vault, load_master_key

        return Vault(load_master_key(os.environ["MARKETPLACE_INSTANCE_PATH"]))

    def household(self, region_code="341621100", tier="marginal", *, name=None, id_number=None, phone=None,
                  address=None, **kw):
        """A registry household; identity fields given are stored encrypted, as an import would."""
        from marketplace.privacy.identity import Identifiers, protect
        from marketplace.registry.service import add_household

        with self.tx() as s:
            household = add_household(s, tier=tier, region_code=region_code, **kw)
            if name or id_number or phone or address:
                protect(household, self.vault, Identifiers(name, id_number, phone, address))
                s.flush()
            return household

    def need(self, state="open", *, household=None, form="money", poster=None, **overrides):
        """A need driven through the real services into `state`."""
        from marketplace.claims import service as claims
        from marketplace.fulfilment import service as fulfilment
        from marketplace.needs import service as needs

        household = household or self.household()
        data = needs.NeedInput(category=overrides.pop("category", "education"), form=form,
                               title=overrides.pop("title", "大一新生学费缺口"),
                               description=overrides.pop("description", "家中有重病成员，学费尚缺一部分。"),
                               urgency=overrides.pop("urgency", "soon"),
                               deadline=overrides.pop("deadline", date.today() + timedelta(days=30)),
                               target_amount_fen=300000 if form in ("money", "retrofit") else None,
                               target_quantity=5 if form == "goods" else None, unit="件" if form == "goods" else None,
                               contact_basis=overrides.pop("contact_basis", "none"),
                               age_band=overrides.pop("age_band", None),
                               source=overrides.pop("source", "window"),
                               # duplicate-rule facts (period_start, period_end, member_ref, item_key, override_reason)
                               **overrides)
        with self.tx() as s:
            staff = self.user(s, poster or self.poster)
            need = needs.create_need(s, staff, household, data, publish=state != "draft")
            if state in ("draft", "open"):
                return need
            if state == "cancelled":
                needs.cancel(s, staff, need, "家庭情况已变化")
                return need
            fulfiler = self.user(s, self.volunteer if form == "service" else self.charity)
            claim = claims.claim_need(s, fulfiler, need)
            if state == "claimed":
                return need
            claims.start(s, fulfiler, claim)
            if state == "in_progress":
                return need
            self.attach_evidence(s, fulfiler, need, claim=claim)
            f = fulfilment.submit(s, fulfiler, claim, fulfilment.EvidenceInput(
                delivered_on=date.today(), summary="已将学费转入学校账户", amount_fen=300000,
                quantity=5, hours=3.0, acceptance="household"))  # each form keeps only its own figures
            if state == "submitted":
                return need
            self.confirm_delivery(s, fulfiler, claim=claim)
            fulfilment.verify(s, self.user(s, self.verifier), f)
            return need

    def in_english(self, *user_ids: int) -> None:
        """These accounts chose English (the footer's switch does this for a person)."""
        from marketplace.auth.models import AppUser

        with self.tx() as s:
            for user_id in user_ids:
                s.get(AppUser, user_id).locale = "en"

    # Where attach_evidence stores bytes: None is storage() (the app's inside one, else the environment's
    # instance dir); a test serving files from another storage sets it (world.evidence_store = storage(app)).
    evidence_store = None

    def attach_evidence(self, s, fulfiler, need, *, claim=None, pledge=None, store=None) -> list:
        """Generated photos (tests/evidence_samples.py) for every file role the need's form requires,
        staged by the fulfiler as the evidence form would. Small JPEGs, made once: this runs in hundreds
        of tests."""
        from marketplace.evidence import service as evidence_files
        from marketplace.evidence.roles import REQUIRED_BY_FORM

        return [evidence_files.stage(s, fulfiler, claim=claim, pledge=pledge, role=role, filename=f"{role}.jpg",
                                     data=_sample_photo(), store=store or self.evidence_store)
                for role in REQUIRED_BY_FORM[need.form]]

    def confirm_delivery(self, s, fulfiler, *, claim=None, pledge=None) -> None:
        """The household's code from the delivery slip, entered by the fulfiler."""
        from marketplace.confirmation import service as confirmation

        slip = confirmation.slip_for(s, claim=claim, pledge=pledge)
        confirmation.enter_code(s, fulfiler, claim=claim, pledge=pledge, code=slip.code)




_photo: list[bytes] = []


def _sample_photo() -> bytes:
    if not _photo:
        from evidence_samples import jpeg

        _photo.append(jpeg(width=400, height=300))
    return _photo[0]


def login(client, email, password=PASSWORD):
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def csrf_from(response) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', response.get_data(as_text=True))
    assert match, "page carries no CSRF token"
    return match.group(1)


def post(client, url, data=None, page="/", **kw):
    """POST like a browser: with the CSRF token the page carries."""
    data = dict(data or {})
    source = client.get(page)
    if 'name="csrf-token"' not in source.get_data(as_text=True):
        source = client.get("/login")  # a page publicly cached for anonymous visitors carries no token
    data["csrf_token"] = csrf_from(source)
    return client.post(url, data=data, **kw)


def build_search_index(app) -> int:
    """Rebuild the app's search index from the database, as `marketplace search rebuild` does."""
    from pathlib import Path

    from marketplace.db import engine_of
    from marketplace.search.sync import SearchSync

    return SearchSync(engine_of(app), Path(app.config["SEARCH_INDEX_DIR"])).rebuild()


def run_worker_once(app) -> None:
    """One round of `marketplace worker --once`: outbox events reach the search index."""
    from marketplace.worker import run_worker

    run_worker(app, once=True)


# SMTP servers the running test started (tests/notify/smtp_support.py); any other SMTP destination is a
# bug in the test or the code, and the suite-wide guard in conftest.py fails the test.
SMTP_ALLOWED: set[tuple[str, int]] = set()


def sqlite_file_bytes(database: str) -> bytes:
    """A SQLite database file and its WAL, byte for byte, read by a child process. Closing any descriptor of
    a file drops every POSIX lock this process holds on it, so a read here would silently release the
    suite's own connections' locks: a server process of a later test, closing last as far as SQLite could
    tell, would then checkpoint and delete the WAL under the suite's open connections (disk I/O error)."""
    import subprocess
    import sys

    script = ("import sys, pathlib; p = pathlib.Path(sys.argv[1]); sys.stdout.buffer.write(b''.join("
              "f.read_bytes() for f in (p, p.with_name(p.name + '-wal')) if f.exists()))")
    return subprocess.run([sys.executable, "-c", script, database], capture_output=True, check=True).stdout
