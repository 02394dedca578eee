"""The city-scale data set of bench/pages.py: 亳州 with 250,000 registry households, 200,000 needs,
1,000,000 chain entries, and the queues staff work through (submitted evidence, pledges to verify,
organisations to vet, mail, the access log), written with bulk inserts around the services, then the
maintained figures recounted once and the search index rebuilt, as `marketplace search rebuild` does.

Need texts come from bench/search.py's composer (so searches hit realistic numbers of needs) and chain
entries from bench/reports.py's (government allowances piling up inside the line, charity aid, corrections).
Each need has the history the services would have written (bench/cityhistory.py: published, claimed,
started, submitted, verified, expired or cancelled over the last 18 months, some claims lapsing), so the
public figures of 阳光公示 have a year of months; volunteers claim some service needs, and four government
purchase projects (政府购买服务, one a county) carry out care needs and part of the home-care chain entries."""

import importlib.util
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchlib import fresh_database, load_relevance_set
from cityhistory import story

ROOT = Path(__file__).resolve().parents[1]
HOUSEHOLDS, NEEDS, ENTRIES = 250_000, 200_000, 1_000_000
ORGS, PENDING_ORGS, VOLUNTEERS = 40, 60, 300
PASSWORD = "bench-pages-2026"
STAFF_EMAIL = "city@bench.cn"
CHUNK = 20_000
TODAY = date.today()
# (status, weight): most needs are open, a verification queue of a few thousand, some history.
NEED_STATES = (("open", 70), ("claimed", 12), ("in_progress", 6), ("submitted", 2), ("verified", 7),
               ("expired", 2), ("cancelled", 1))
PURCHASED_CARE = 0.3  # of the care service needs of a county: assigned to its purchase project
VOLUNTEER_CLAIMS = 0.3  # of the other service needs' claims: by a volunteer (volunteers claim service needs only)
PURCHASED_ENTRIES = 0.5  # of the home-care (volunteer) chain entries of a county: the project's provider instead


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(url: str, sqlite_path: Path, instance: Path, index_dir: Path, log=print) -> dict:
    """Builds everything; returns what the measurements need (ids, codes)."""
    from marketplace import create_app

    fresh_database(url, sqlite_path)
    instance.mkdir(parents=True, exist_ok=True)
    os.environ["MARKETPLACE_INSTANCE_PATH"] = str(instance)  # the servers started later read the same keys
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SEARCH_INDEX_DIR": str(index_dir)})
    with app.app_context():
        facts = _build(app, log)
    app.extensions["marketplace.engine"].dispose()
    return facts


def _build(app, log) -> dict:
    from sqlalchemy import insert, select, text

    import marketplace.models as m
    from marketplace.auth import service as auth
    from marketplace.db import engine_of, transaction
    from marketplace.ledger.service import fill_heads
    from marketplace.notify.outbox_mail import seal
    from marketplace.privacy.vault import vault
    from marketplace.regions.bozhou import REGIONS
    from marketplace.regions.national import ensure_national
    from marketplace.regions.service import ensure_regions
    from marketplace.search.synonyms import ensure_default_synonyms
    from marketplace.vocabulary import STAFF_DUTIES

    search, reports = _module("search"), _module("reports")
    engine = engine_of(app)
    rng = random.Random(12)
    now = datetime.now(UTC)
    started = time.perf_counter()
    townships = [r[0] for r in REGIONS if r[2] == "township"]
    counties = sorted({code[:6] for code in townships})
    with transaction(engine) as s:
        ensure_national(s)
        ensure_regions(s, REGIONS)
        ensure_default_synonyms(s)
        s.execute(insert(m.Organization), [
            {"id": i, "name": f"亳州爱心公益{i:02d}", "uscc": f"51341600MJ{i:07d}X", "region_code": rng.choice(counties),
             "status": "approved" if i <= ORGS else "pending", "kind": "charity", "created_at": now}
            for i in range(1, ORGS + PENDING_ORGS + 1)])
        staff = auth.create_user(s, email=STAFF_EMAIL, password=PASSWORD, display_name="市民政局", role="staff",
                                 region_code="341600", duties=list(STAFF_DUTIES))
        verifier = auth.create_user(s, email="verifier@bench.cn", password=PASSWORD, display_name="核验员",
                                    role="staff", region_code="341600", duties=list(STAFF_DUTIES))
        staff_id, verifier_id = staff.id, verifier.id
        s.flush()
        first_member = verifier_id + 1
        s.execute(insert(m.AppUser), [
            {"id": first_member + i, "email": f"member{i + 1}@bench.cn", "display_name": f"组织成员{i + 1}",
             "password_hash": "x", "role": "charity", "region_code": None, "organization_id": i + 1,
             "is_active": True, "created_at": now} for i in range(ORGS)])
        first_volunteer = first_member + ORGS
        s.execute(insert(m.AppUser), [
            {"id": first_volunteer + i, "email": f"volunteer{i + 1}@bench.cn", "display_name": f"志愿者{i + 1}",
             "password_hash": "x", "role": "volunteer", "region_code": None, "is_active": True, "created_at": now}
            for i in range(VOLUNTEERS)])
        # 政府购买服务: each county buys home care from one organisation, for two years and a half.
        projects = {county: i + 1 for i, county in enumerate(counties)}
        s.execute(insert(m.PurchaseProject), [
            {"id": pid, "title": f"居家养老上门服务项目（{county}）", "provider_id": pid, "region_code": "341600",
             "regions": county, "categories": "care", "budget_fen": 300_000_000,
             "starts_on": TODAY - timedelta(days=730), "ends_on": TODAY + timedelta(days=180),
             "target_households": None, "target_hours": 60_000.0, "status": "active", "created_by_id": staff_id,
             "created_at": now - timedelta(days=730)} for county, pid in projects.items()])
    members = {org: first_member + org - 1 for org in range(1, ORGS + 1)}
    volunteers = range(first_volunteer, first_volunteer + VOLUNTEERS)

    tiers = [t for t, w in reports.TIERS for _ in range(w)]
    weights = [rng.lognormvariate(0, 0.8) for _ in townships]
    households, by_township = [], {}
    box = vault()
    with transaction(engine) as s:
        for start in range(0, HOUSEHOLDS, CHUNK):
            rows = []
            for hid in range(start + 1, min(start + CHUNK, HOUSEHOLDS) + 1):
                tier, region = rng.choice(tiers), rng.choices(townships, weights)[0]
                households.append((hid, tier, region))
                by_township.setdefault(region, []).append(hid)
                rows.append({"id": hid, "public_code": f"H{hid:08d}", "household_no": f"3416{hid:010d}",
                             "tier": tier, "region_code": region, "members": rng.randint(1, 6),
                             "hardships": rng.sample(reports.FLAGS, rng.choice((0, 0, 1, 1, 2, 3))),
                             "head_birth_year": rng.randint(1935, 2000),
                             "head_name_enc": box.encrypt(rng.choice("王张李刘陈杨黄赵周吴") + "某" + str(hid % 97)),
                             "status": "active" if rng.random() < 0.95 else "exited", "created_at": now,
                             "updated_at": now})
            s.execute(insert(m.Household), rows)
    log(f"  households: {HOUSEHOLDS:,} ({time.perf_counter() - started:.0f} s)")

    eid = 0
    with transaction(engine) as s:
        batch = []
        for hid, tier, region in households:
            for seq in range(1, reports.PER_TIER[tier] + 1):
                if eid == ENTRIES:
                    break
                eid += 1
                batch.append(_purchased(rng, reports._entry(rng, eid, hid, seq, region, now), projects))
            if len(batch) >= CHUNK:
                s.execute(insert(m.LedgerEntry), batch)
                batch = []
        top_up = {}
        while eid < ENTRIES:  # the rest on a few hundred households: long chains exist in real registries
            hid, _tier, region = households[rng.randrange(0, 400)]
            top_up[hid] = top_up.get(hid, 100) + 1
            eid += 1
            batch.append(_purchased(rng, reports._entry(rng, eid, hid, top_up[hid], region, now), projects))
            if len(batch) >= CHUNK:
                s.execute(insert(m.LedgerEntry), batch)
                batch = []
        if batch:
            s.execute(insert(m.LedgerEntry), batch)
        # The chains' heads, as ledger.append would have kept them: later appends continue each chain.
        fill_heads(s)
    longest = max(top_up, key=top_up.get) if top_up else 1
    log(f"  chain entries: {ENTRIES:,} ({time.perf_counter() - started:.0f} s)")

    corpus, _ = load_relevance_set()
    corpus_by_category = {}
    for row in corpus:
        corpus_by_category.setdefault(row["category"], []).append(row)
    categories = [c for c, w in search.CATEGORY_WEIGHTS for _ in range(w)]
    states = [st for st, w in NEED_STATES for _ in range(w)]
    populated = list(by_township)
    pop_weights = [len(by_township[c]) for c in populated]
    claim_id = fulfilment_id = history_rows = 0
    open_money, first_open = [], None
    with transaction(engine) as s:
        for start in range(0, NEEDS, CHUNK):
            needs, claims, fulfilments, history = [], [], [], []
            for nid in range(start + 1, min(start + CHUNK, NEEDS) + 1):
                region = rng.choices(populated, pop_weights)[0]
                hid = rng.choice(by_township[region])
                category = rng.choice(categories)
                title, description, form = search.need_text(rng, category, corpus_by_category)
                status = rng.choice(states)
                project = (projects[region[:6]] if category == "care" and form == "service"
                           and rng.random() < PURCHASED_CARE else None)

                def pick(form=form, project=project):
                    if project is not None:  # the provider carries out the project's needs: no public claim
                        return members[project], project
                    if form == "service" and rng.random() < VOLUNTEER_CLAIMS:
                        return rng.choice(volunteers), None
                    org = rng.randint(1, ORGS)
                    return members[org], org

                past = story(rng, status, now, TODAY, staff_id, verifier_id, pick)
                needs.append({"id": nid, "household_id": hid, "region_code": region, "category": category,
                              "form": form, "title": title, "description": description,
                              "urgency": rng.choice(("normal", "normal", "normal", "soon", "urgent")),
                              "target_amount_fen": rng.randrange(50000, 5000000, 10000) if form == "money" else None,
                              "target_quantity": rng.randint(1, 20) if form == "goods" else None,
                              "unit": "件" if form == "goods" else None, "deadline": past["deadline"],
                              "status": status, "version": past["version"], "contact_basis": "none",
                              "created_by_id": staff_id, "created_at": past["created"], "updated_at": past["updated"],
                              "published_at": past["published"], "purchase_project_id": project})
                history += [{"need_id": nid, "from_status": frm, "to_status": to, "actor_id": actor, "reason": reason,
                             "at": at} for frm, to, actor, reason, at in past["history"]]
                if status == "open" and first_open is None and project is None:
                    first_open = nid
                if status == "open" and form == "money" and len(open_money) < 3000:
                    open_money.append(nid)
                for claim in past["claims"]:
                    claim_id += 1
                    claims.append({"id": claim_id, "need_id": nid, "extended": False, **claim})
                if past["fulfilment"]:
                    fulfilment_id += 1
                    fulfilments.append({"id": fulfilment_id, "need_id": nid, "claim_id": claim_id,
                                        "summary": "已按需求送达并由家属签收", **past["fulfilment"]})
            s.execute(insert(m.Need), needs)
            if claims:
                s.execute(insert(m.Claim), claims)
            if fulfilments:
                s.execute(insert(m.Fulfilment), fulfilments)
            s.execute(insert(m.NeedHistory), history)
            history_rows += len(history)
    log(f"  needs: {NEEDS:,}, claims {claim_id:,}, evidence {fulfilment_id:,}, history {history_rows:,}"
        f" ({time.perf_counter() - started:.0f} s)")

    with transaction(engine) as s:
        s.execute(insert(m.Pledge), [
            {"need_id": nid, "organization_id": (i % ORGS) + 1, "pledger_id": members[(i % ORGS) + 1],
             "amount_fen": 50000, "status": "submitted" if i % 3 else "pledged", "pledged_at": now,
             "delivered_on": TODAY if i % 3 else None, "summary": "已转账至学校账户" if i % 3 else None,
             "submitted_at": now if i % 3 else None, "submitted_by_id": members[(i % ORGS) + 1] if i % 3 else None}
            for i, nid in enumerate(open_money)])
        for start in range(0, 200_000, CHUNK):
            s.execute(insert(m.AccessLog), [
                {"user_id": staff_id if i % 2 else verifier_id, "household_id": rng.randint(1, HOUSEHOLDS),
                 "action": "view_household", "path": "/staff/households/H00000001",
                 "at": now - timedelta(minutes=200_000 - i)} for i in range(start, start + CHUNK)])
        sealed = seal({"text": "您认领的需求已核验通过。", "html": None, "headers": {}})
        for start in range(0, 20_000, 10_000):
            regions = [rng.choice(counties) for _ in range(10_000)]
            s.execute(insert(m.OutboxMessage), [
                {"topic": "mail", "kind": "claim.verified", "idempotency_key": f"bench-mail-{i}",
                 "region": regions[i - start],
                 "payload": {"to": f"member{i % ORGS + 1}@bench.cn", "subject": "需求已核验", "staff": False,
                             "user_id": members[i % ORGS + 1], "region": regions[i - start], "sealed": sealed},
                 "status": "sent" if i % 20 else "failed", "attempts": 1, "next_attempt_at": now,
                 "created_at": now - timedelta(minutes=20_000 - i), "sent_at": now if i % 20 else None}
                for i in range(start, start + 10_000)])
    log(f"  pledges {len(open_money):,}, access log 200,000, mail 20,000 ({time.perf_counter() - started:.0f} s)")

    from marketplace.evaluation import tally
    from marketplace.ledger import org_totals
    from marketplace.purchases import figures as purchase_figures
    from marketplace.registry import tier_counts

    with transaction(engine) as s:  # rows were inserted around the services: count them once
        tier_counts.recount(s)
        org_totals.recount(s)
        tally.recount(s)
        for project in s.scalars(select(m.PurchaseProject)):
            project.spent_fen, project.hours, project.households = purchase_figures.recount(s, project)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    from marketplace.search.sync import SearchSync

    indexed = SearchSync(engine, Path(app.config["SEARCH_INDEX_DIR"])).rebuild(procs=2)
    log(f"  search index: {indexed:,} needs; built in {time.perf_counter() - started:.0f} s")
    county = max(counties, key=lambda c: sum(len(v) for k, v in by_township.items() if k.startswith(c)))
    return {"household": f"H{longest:08d}", "need": first_open, "organization": 1, "city": "341600", "county": county}


def _purchased(rng: random.Random, entry: dict, projects: dict[str, int]) -> dict:
    """Half the home-care visits (the volunteer entries of bench/reports.py) were bought by the county
    (政府购买服务): carried out by the project's provider, paid as 'purchase'."""
    if entry["source"] != "volunteer" or rng.random() >= PURCHASED_ENTRIES:
        return {**entry, "funding": None, "purchase_project_id": None}  # one set of keys: one bulk INSERT
    project = projects[entry["region_code"][:6]]
    return {**entry, "source": "charity", "organization_id": project, "title": "居家养老上门服务",
            "funding": "purchase", "purchase_project_id": project}
