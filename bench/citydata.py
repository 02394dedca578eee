"""The city-scale data set of bench/pages.py: 亳州 with 250,000 registry households, 200,000 needs,
1,000,000 chain entries, and the queues staff work through (submitted evidence, pledges to verify,
organisations to vet, mail, the access log), written with bulk inserts around the services, then the
maintained figures recounted once and the search index rebuilt, as `marketplace search rebuild` does.

Need texts come from bench/search.py's composer (so searches hit realistic numbers of needs) and chain
entries from bench/reports.py's (government allowances piling up inside the line, charity aid, corrections)."""

import importlib.util
import os
import random
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchlib import fresh_database, load_relevance_set

ROOT = Path(__file__).resolve().parents[1]
HOUSEHOLDS, NEEDS, ENTRIES = 250_000, 200_000, 1_000_000
ORGS, PENDING_ORGS = 40, 60
PASSWORD = "bench-pages-2026"
STAFF_EMAIL = "city@bench.cn"
CHUNK = 20_000
TODAY = date.today()
# (status, weight): most needs are open, a verification queue of a few thousand, some history.
NEED_STATES = (("open", 70), ("claimed", 12), ("in_progress", 6), ("submitted", 2), ("verified", 7),
               ("expired", 2), ("cancelled", 1))


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
    from sqlalchemy import insert, text

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
    members = {org: first_member + org - 1 for org in range(1, ORGS + 1)}

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
                batch.append(reports._entry(rng, eid, hid, seq, region, now))
            if len(batch) >= CHUNK:
                s.execute(insert(m.LedgerEntry), batch)
                batch = []
        top_up = {}
        while eid < ENTRIES:  # the rest on a few hundred households: long chains exist in real registries
            hid, _tier, region = households[rng.randrange(0, 400)]
            top_up[hid] = top_up.get(hid, 100) + 1
            eid += 1
            batch.append(reports._entry(rng, eid, hid, top_up[hid], region, now))
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
    claim_id = fulfilment_id = 0
    open_money, first_open = [], None
    with transaction(engine) as s:
        for start in range(0, NEEDS, CHUNK):
            needs, claims, fulfilments = [], [], []
            for nid in range(start + 1, min(start + CHUNK, NEEDS) + 1):
                region = rng.choices(populated, pop_weights)[0]
                hid = rng.choice(by_township[region])
                category = rng.choice(categories)
                title, description, form = search.need_text(rng, category, corpus_by_category)
                status = rng.choice(states)
                published = now - timedelta(days=rng.randint(0, 90), hours=rng.randint(0, 23))
                needs.append({"id": nid, "household_id": hid, "region_code": region, "category": category,
                              "form": form, "title": title, "description": description,
                              "urgency": rng.choice(("normal", "normal", "normal", "soon", "urgent")),
                              "target_amount_fen": rng.randrange(50000, 5000000, 10000) if form == "money" else None,
                              "target_quantity": rng.randint(1, 20) if form == "goods" else None,
                              "unit": "件" if form == "goods" else None,
                              "deadline": TODAY + timedelta(days=rng.randint(-30 if status == "expired" else 3, 120)),
                              "status": status, "version": 2, "contact_basis": "none", "created_by_id": staff_id,
                              "created_at": published, "updated_at": published, "published_at": published})
                if status == "open" and first_open is None:
                    first_open = nid
                if status == "open" and form == "money" and len(open_money) < 3000:
                    open_money.append(nid)
                if status in ("claimed", "in_progress", "submitted", "verified"):
                    org = rng.randint(1, ORGS)
                    claim_id += 1
                    claimed = published + timedelta(days=1)
                    claims.append({"id": claim_id, "need_id": nid, "claimant_id": members[org], "organization_id": org,
                                   "status": {"claimed": "active", "verified": "completed"}.get(status, "started"),
                                   "claimed_at": claimed, "expires_at": claimed + timedelta(days=7), "extended": False,
                                   "started_at": None if status == "claimed" else claimed + timedelta(days=1)})
                    if status in ("submitted", "verified"):
                        fulfilment_id += 1
                        fulfilments.append({"id": fulfilment_id, "need_id": nid, "claim_id": claim_id,
                                            "submitted_by_id": members[org], "submitted_at": claimed + timedelta(days=3),
                                            "delivered_on": TODAY - timedelta(days=rng.randint(0, 60)),
                                            "summary": "已按需求送达并由家属签收", "status": status,
                                            "reviewed_by_id": verifier_id if status == "verified" else None,
                                            "reviewed_at": now if status == "verified" else None})
            s.execute(insert(m.Need), needs)
            if claims:
                s.execute(insert(m.Claim), claims)
            if fulfilments:
                s.execute(insert(m.Fulfilment), fulfilments)
    log(f"  needs: {NEEDS:,}, claims {claim_id:,}, evidence {fulfilment_id:,} ({time.perf_counter() - started:.0f} s)")

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
    from marketplace.registry import tier_counts

    with transaction(engine) as s:  # rows were inserted around the services: count them once
        tier_counts.recount(s)
        org_totals.recount(s)
        tally.recount(s)
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
    return {"household": f"H{longest:08d}", "need": first_open, "organization": 1}
