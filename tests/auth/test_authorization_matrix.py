"""The authorization matrix, generated: every route of url_map × every kind of actor, on objects of the
actor's own region or organisation and of another, compared with what auth/policy.POLICY declares.

- anonymous on a signed-in route: sent to the login page;
- a signed-in actor whose role or duty the route's rule lacks: 403;
- an allowed actor on an object of another region or organisation (where the rule has an object scope): 403
  or 404;
- nothing ever answers 500.

One World, one signed-in client per actor; the routes are read from the app, so a new route is covered
the day it is added."""

from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.routing import AnyConverter

from marketplace.auth.models import AppUser
from marketplace.auth.policy import POLICY, declared
from marketplace.vocabulary import STAFF_DUTIES
from support import PASSWORD, build_search_index, csrf_from, login

MISSING = 999999
# URL parameters that name an object, and the scope kinds under which another region's or organisation's
# object must be refused.
REGION_OBJECTS = {"need_id", "code", "fulfilment_id", "pledge_id", "org_id", "user_id", "region_code"}
OWNED_OBJECTS = {"claim_id", "pledge_id"}
# Routes whose object is a public target rather than a scoped one (any fulfiler may claim or pledge on an
# open need of any place, and read its shifts).
PUBLIC_TARGETS = {"needs.claim", "pledges.pledge"}


def _objects(world, tx):
    """The same set of objects in 涡阳县 (A, with the World's organisation) and 蒙城县 (B, another
    organisation), built through the real services."""
    from marketplace.auth.service import create_user
    from marketplace.claims import service as claims
    from marketplace.fulfilment import service as fulfilment
    from marketplace.needs.models import Need
    from marketplace.organizations.models import Organization
    from marketplace.pledges import service as pledges
    from marketplace.registry.models import Household

    with tx() as s:
        org_b = Organization(name="蒙城县爱心社", uscc="51341622MJ0000003X", region_code="341622", status="approved")
        s.add(org_b)
        s.flush()
        member_b = create_user(s, email="member@mengcheng.org.cn", password=PASSWORD, display_name="蒙城成员",
                               role="charity", organization_id=org_b.id).id
        user_a = create_user(s, email="target@guoyang.cn", password=PASSWORD, display_name="涡阳志愿者",
                             role="volunteer", region_code="341621").id
        user_b = create_user(s, email="target@mengcheng.cn", password=PASSWORD, display_name="蒙城志愿者",
                             role="volunteer", region_code="341622").id
        org_a = world.org_id
    objects = {}
    for side, poster, member, place in (("A", world.poster, world.charity, "341621100"),
                                          ("B", world.other_county, member_b, "341622100")):
        # A household per need: a second need of the same household would be a possible duplicate.
        open_need, claimed, submitted, pledged = (world.need("open", poster=poster, household=world.household(place))
                                                  for _ in range(4))
        with tx() as s:
            fulfiler = s.get(AppUser, member)
            claim = claims.claim_need(s, fulfiler, s.get(Need, claimed.id))
            work = claims.claim_need(s, fulfiler, s.get(Need, submitted.id))
            claims.start(s, fulfiler, work)
            world.attach_evidence(s, fulfiler, s.get(Need, submitted.id), claim=work)
            evidence = fulfilment.submit(s, fulfiler, work, fulfilment.EvidenceInput(
                delivered_on=date.today(), summary="已将学费转入学校账户", amount_fen=300000, quantity=5, hours=3.0))
            pledge = pledges.pledge(s, fulfiler, s.get(Need, pledged.id), 100000)
            objects[side] = {
                "need_id": open_need.id, "code": s.get(Household, open_need.household_id).public_code,
                "claim_id": claim.id, "fulfilment_id": evidence.id, "pledge_id": pledge.id,
                "org_id": org_a if side == "A" else org_b.id, "user_id": user_a if side == "A" else user_b,
                "region_code": place[:6],  # a county's 月度通报
            }
    return objects


def _actors(world):
    """(name, e-mail or None, role, duties, home side)."""
    actors = [("anonymous", None, None, set(), "A"),
              ("charity", "member@charity.org.cn", "charity", set(), "A"),
              ("volunteer", "helper@volunteer.cn", "volunteer", set(), "A"),
              ("staff without duty", "nobody@guoyang.gov.cn", "staff", set(), "A"),
              ("staff of another county", "staff@mengcheng.gov.cn", "staff", set(STAFF_DUTIES), "B")]
    world.staff("nobody@guoyang.gov.cn")
    for duty in STAFF_DUTIES:
        email = f"{duty}@guoyang.gov.cn"
        world.staff(email, duties=[duty])
        actors.append((f"staff with {duty}", email, "staff", {duty}, "A"))
    return actors


def _allowed(rule, role, duties) -> bool:
    if rule.roles is None:
        return True
    return role in rule.roles and (rule.duty is None or (role == "staff" and rule.duty in duties))


def _values(rule, objects):
    values = {}
    for arg in rule.arguments:
        converter = rule._converters.get(arg)
        if arg in objects:
            values[arg] = objects[arg]
        elif isinstance(converter, AnyConverter):
            values[arg] = sorted(converter.items)[0] if hasattr(converter, "items") else "accept"
        elif arg == "name":
            values[arg] = "unclaimed"
        elif arg == "fmt":
            values[arg] = "csv"
        elif arg == "category":
            values[arg] = "education"
        elif arg == "action":
            values[arg] = "approve"
        elif arg == "table":
            values[arg] = "needs_by_area"
        elif arg == "month":
            values[arg] = (date.today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        elif arg == "token":
            values[arg] = "no-such-token"
        else:
            values[arg] = MISSING
    return values


def _any_items(rule):
    for arg in rule.arguments:
        converter = rule._converters.get(arg)
        if isinstance(converter, AnyConverter):
            return arg, converter
    return None


def test_every_route_against_every_actor_matches_the_policy(app, world, tx):
    objects = _objects(world, tx)
    build_search_index(app)  # as on a running node: /readyz answers 503 (not ready) without one
    from marketplace.db import engine_of
    from marketplace.operations.heartbeat import Heartbeat

    Heartbeat(engine_of(app), "matrix").beat()  # nor without a worker's heartbeat
    actors = _actors(world)
    adapter = app.url_map.bind("localhost")
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"),
                   key=lambda r: (r.endpoint == "auth.logout", r.endpoint))  # logout last: it ends the session
    failures = []
    calls = 0
    for name, email, role, duties, home in actors:
        client = app.test_client()
        if email:
            login(client, email)
        # Anonymous: the public pages are publicly cached and carry no session token; the sign-in page does.
        token = csrf_from(client.get("/" if email else "/login"))
        other = "B" if home == "A" else "A"
        for rule in rules:
            view = app.view_functions[rule.endpoint]
            permission = declared(view)
            policy = POLICY.get(permission)
            for method in sorted(rule.methods & {"GET", "POST"}):
                sides = [home]
                scoped = set()
                if policy is not None and email and _allowed(policy, role, duties) \
                        and rule.endpoint not in PUBLIC_TARGETS:
                    if policy.scope == "region":
                        scoped = REGION_OBJECTS & set(rule.arguments)
                    elif policy.scope in ("organization", "owner"):
                        scoped = OWNED_OBJECTS & set(rule.arguments)
                    if scoped:
                        sides.append(other)
                for side in sides:
                    url = adapter.build(rule.endpoint, _values(rule, objects[side]), method=method)
                    if method == "GET":
                        response = client.get(url)
                    else:
                        # A reason too, so routes that need one reach their scope check, not a form error.
                        response = client.post(url, data={"csrf_token": token, "reason": "授权矩阵测试"})
                    response.close()  # a download streams a file: close it, as a browser would
                    calls += 1
                    status = response.status_code
                    where = f"{name}: {method} {url} ({rule.endpoint}, {permission}) -> {status}"
                    location = response.headers.get("Location", "")
                    if status >= 500:
                        failures.append(where + " [server error]")
                    elif policy is None:
                        if status != 403:
                            failures.append(where + " [undeclared route not refused]")
                    elif email is None and policy.roles is not None:
                        if status not in (302, 303) or "/login" not in location:
                            failures.append(where + " [anonymous not sent to login]")
                    elif email and not _allowed(policy, role, duties):
                        if status != 403:
                            failures.append(where + " [role or duty missing, expected 403]")
                    elif side != home and status not in (403, 404) \
                            and not (policy.reauth and status in (302, 303) and "reauth" in location):
                        failures.append(where + " [object of another region or organisation reached]")
    assert calls > 500
    assert not failures, f"{len(failures)} of {calls} calls disagree with POLICY:\n" + "\n".join(failures)


def test_the_matrix_covers_every_actor_kind(world):
    """The actor list holds a staff member per single duty, so a duty added to the vocabulary is tried."""
    names = [a[0] for a in _actors(world)]
    assert {f"staff with {d}" for d in STAFF_DUTIES} <= set(names)
    with world.tx() as s:
        assert s.scalars(select(AppUser).where(AppUser.email == "nobody@guoyang.gov.cn")).one().duties == ""
