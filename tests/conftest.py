"""Fixtures: a real database (SQLite file, or PostgreSQL from MARKETPLACE_TEST_DATABASE_URL) migrated once
with Alembic, emptied after every test; an app and client bound to it; factories that return callables."""

import os
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

import marketplace.models  # noqa: F401
from marketplace import create_app
from marketplace.db import make_engine, transaction
from marketplace.migrate import upgrade

PASSWORD = "correct-horse-battery"


def _reset_schema(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing():
    """scrypt costs ~60 ms a user; the suite creates thousands. One test checks the real method."""
    from marketplace.auth import service

    real, service.PASSWORD_METHOD = service.PASSWORD_METHOD, "pbkdf2:sha256:1000"
    yield
    service.PASSWORD_METHOD = real


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("MARKETPLACE_TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    _reset_schema(url)
    upgrade(url)
    return url


@pytest.fixture(scope="session", autouse=True)
def instance_path(tmp_path_factory):
    """Keeps generated keys out of the checkout's instance/ for everything the suite starts."""
    path = tmp_path_factory.mktemp("instance")
    os.environ["MARKETPLACE_INSTANCE_PATH"] = str(path)
    return path


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _empty_tables(request):
    yield
    if "engine" not in request.fixturenames:
        return
    engine = request.getfixturevalue("engine")
    tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def app(database_url, instance_path, engine):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "INSTANCE_PATH": str(instance_path)})
    yield app
    app.extensions["marketplace.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def tx(engine):
    """A committed unit of work for arranging data: `with tx() as s: ...`."""
    return lambda: transaction(engine)


# ---- factories -------------------------------------------------------------------------------------------

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
    """A small 亳州 with two counties, staff in each, an approved charity and a volunteer."""

    def __init__(self, tx):
        from marketplace.auth.service import create_user
        from marketplace.organizations.models import Organization
        from marketplace.regions.models import Region

        self.tx = tx
        with tx() as s:
            for code, name, level, parent in REGIONS:
                s.add(Region(code=code, name=name, level=level, parent_code=parent))
                s.flush()
            org = Organization(name="涡阳县慈善协会", uscc="51341621MJ0000001C", region_code="341621", status="approved")
            pending = Organization(name="待审核公益社", uscc="51341621MJ0000002A", region_code="341621")
            s.add_all([org, pending])
            s.flush()

            def user(email, role, **kw):
                return create_user(s, email=email, password=PASSWORD, display_name=email.split("@")[0],
                                   role=role, **kw).id

            self.poster = user("poster@guoyang.gov.cn", "staff", region_code="341621")
            self.verifier = user("verifier@guoyang.gov.cn", "staff", region_code="341621")
            self.township_staff = user("chudian@guoyang.gov.cn", "staff", region_code="341621100")
            self.other_county = user("staff@mengcheng.gov.cn", "staff", region_code="341622")
            self.city = user("city@bozhou.gov.cn", "staff", region_code="341600")
            self.charity = user("member@charity.org.cn", "charity", organization_id=org.id)
            self.charity2 = user("member2@charity.org.cn", "charity", organization_id=org.id)
            self.pending_member = user("member@pending.org.cn", "charity", organization_id=pending.id)
            self.volunteer = user("helper@volunteer.cn", "volunteer", region_code="341621")
            self.org_id = org.id

    def user(self, s, user_id):
        from marketplace.auth.models import AppUser

        return s.get(AppUser, user_id)

    def household(self, region_code="341621100", tier="marginal", **kw):
        from marketplace.registry.service import add_household

        with self.tx() as s:
            return add_household(s, tier=tier, region_code=region_code, **kw)

    def need(self, state="open", *, household=None, form="money", poster=None, **overrides):
        """A need driven through the real services into `state`."""
        from marketplace.claims import service as claims
        from marketplace.fulfilment import service as fulfilment
        from marketplace.needs import service as needs

        household = household or self.household()
        data = needs.NeedInput(category=overrides.pop("category", "education"), form=form,
                               title=overrides.pop("title", "大一新生学费缺口"),
                               description=overrides.pop("description", "家中有重病成员，学费尚缺一部分。"),
                               urgency="soon", deadline=overrides.pop("deadline", date.today() + timedelta(days=30)),
                               target_amount_fen=300000 if form in ("money", "retrofit") else None,
                               target_quantity=5 if form == "goods" else None, unit="件" if form == "goods" else None)
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
            f = fulfilment.submit(s, fulfiler, claim, fulfilment.EvidenceInput(
                delivered_on=date.today(), summary="已将学费转入学校账户", amount_fen=300000,
                quantity=5, hours=3.0))
            if state == "submitted":
                return need
            fulfilment.verify(s, self.user(s, self.verifier), f)
            return need


@pytest.fixture
def world(tx):
    return World(tx)


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
    data["csrf_token"] = csrf_from(client.get(page))
    return client.post(url, data=data, **kw)
