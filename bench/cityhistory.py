"""The past of each need of bench/citydata.py, as the services would have written it: the need's history
rows (created as a draft, published, claimed, started, evidence submitted, verified; or expired, cancelled),
its claims (a few lapse unstarted and are released by the worker before another organisation claims) and
its evidence, all with timestamps consistent with the need's status today.

Delays are skewed as real queues are: most needs are claimed within days, a tail waits weeks. Needs that
are over (verified, expired, cancelled) ended at any time in the last 18 months, so the public monthly
figures have a year of history; the needs still moving are recent (an active claim is under 7 days old,
as the worker releases older ones). Open needs were published in the last 90 days, as before."""

import math
import random
from datetime import date, datetime, timedelta

DAY = timedelta(days=1)
WINDOW_DAYS = 540  # the needs that are over ended within the last 18 months
OPEN_DAYS = 90
CLAIM_DAYS = 7  # claims.service: a claim must be started within 7 days
# Stored text, as the services store it (claims.service.EXPIRED_REASON, needs.service.EXPIRED_REASON).
CLAIM_EXPIRED = "认领后未按期开始，已自动释放"
NEED_EXPIRED = "截止日期已过，无人认领"
CANCEL_REASONS = ("家庭情况好转，已不再需要", "已通过其他救助渠道解决", "重复登记，保留另一条需求", "受助人已迁出本地",
                  "经复核不符合条件")
# The share of needs whose first claim lapsed unstarted before the need moved on.
LAPSED = {"open": 0.05, "expired": 0.15, "claimed": 0.08, "in_progress": 0.08, "submitted": 0.08, "verified": 0.08}
# How old the last step of a need still moving is, in days (the rest of its story comes before).
MOVING_AGE = {"claimed": CLAIM_DAYS - 0.1, "in_progress": 40, "submitted": 12}


def _days(rng: random.Random, median: float, low: float, high: float) -> timedelta:
    return timedelta(days=min(high, max(low, rng.lognormvariate(math.log(median), 0.9))))


def story(rng: random.Random, status: str, now: datetime, today: date, staff_id: int, verifier_id: int,
          pick) -> dict:
    """The need's past: published/created/updated times, deadline, version, history rows (from, to, actor,
    reason, at), claims (the last one is current) and evidence (or None). `pick()` gives the claimant of
    a claim: (user id, organisation id or None)."""
    steps: list[tuple] = []  # (time after publication, from, to, actor, reason)
    claims: list[dict] = []
    t = timedelta(0)

    def lapse(limit: timedelta | None = None) -> None:
        nonlocal t
        claimed = t + _days(rng, 3, 0.05, 40)
        ended = claimed + CLAIM_DAYS * DAY + timedelta(hours=rng.uniform(0, 6))  # the worker's next run
        if limit is not None and ended >= limit:
            return
        claimant, org = pick()
        steps.append((claimed, "open", "claimed", claimant, None))
        steps.append((ended, "claimed", "open", None, CLAIM_EXPIRED))
        claims.append({"claimant_id": claimant, "organization_id": org, "status": "expired", "claimed_at": claimed,
                       "expires_at": claimed + CLAIM_DAYS * DAY, "started_at": None, "ended_at": ended,
                       "end_reason": CLAIM_EXPIRED})
        t = ended

    fulfilment = None
    if status == "open":
        age = timedelta(days=rng.randint(0, OPEN_DAYS), hours=rng.randint(0, 23))
        if rng.random() < LAPSED["open"]:
            lapse(limit=age)
        published = now - age
        deadline = today + timedelta(days=rng.randint(3, 120))
    elif status == "expired":
        span = rng.randint(14, 90)
        if rng.random() < LAPSED["expired"]:
            lapse(limit=span * DAY)
        t = (span + 1) * DAY + timedelta(hours=rng.uniform(0, 3))  # the worker, the day after the deadline
        steps.append((t, "open", "expired", None, NEED_EXPIRED))
        published = now - _terminal_age(rng, t)
        deadline = published.date() + span * DAY
    elif status == "cancelled":
        t = _days(rng, 10, 0.5, 120)
        steps.append((t, "open", "cancelled", staff_id, rng.choice(CANCEL_REASONS)))
        published = now - _terminal_age(rng, t)
        deadline = published.date() + timedelta(days=rng.randint(30, 150))
    else:
        if rng.random() < LAPSED[status]:
            lapse()
        claimant, org = pick()
        claimed = t + _days(rng, 3, 0.05, 45)
        t = claimed
        steps.append((t, "open", "claimed", claimant, None))
        claim = {"claimant_id": claimant, "organization_id": org, "status": "active", "claimed_at": claimed,
                 "expires_at": claimed + CLAIM_DAYS * DAY, "started_at": None, "ended_at": None, "end_reason": None}
        claims.append(claim)
        if status != "claimed":
            t += timedelta(days=rng.uniform(0.1, CLAIM_DAYS - 0.5))
            claim["status"], claim["started_at"] = "started", t
            steps.append((t, "claimed", "in_progress", claimant, None))
        if status in ("submitted", "verified"):
            started = t
            t += _days(rng, 6, 0.5, 60)
            steps.append((t, "in_progress", "submitted", claimant, None))
            fulfilment = {"submitted_by_id": claimant, "submitted_at": t, "status": status,
                          "delivered_at": t - timedelta(days=rng.uniform(0, min(2.0, (t - started) / DAY))),
                          "reviewed_by_id": None, "reviewed_at": None}
        if status == "verified":
            t += _days(rng, 2, 0.1, 25)
            steps.append((t, "submitted", "verified", verifier_id, None))
            claim["status"], claim["ended_at"] = "completed", t
            fulfilment["reviewed_by_id"], fulfilment["reviewed_at"] = verifier_id, t
            published = now - _terminal_age(rng, t)
        else:
            published = now - timedelta(days=rng.uniform(0, MOVING_AGE[status])) - t
        deadline = today + timedelta(days=rng.randint(3, 120))

    created = published if rng.random() < 0.6 else published - timedelta(hours=rng.uniform(0.5, 72))
    history = [(None, "draft", staff_id, None, created), ("draft", "open", staff_id, None, published)]
    history += [(frm, to, actor, reason, published + at) for at, frm, to, actor, reason in steps]
    for claim in claims:
        for key in ("claimed_at", "expires_at", "started_at", "ended_at"):
            if claim[key] is not None:
                claim[key] = published + claim[key]
    if fulfilment:
        fulfilment["submitted_at"] += published
        fulfilment["delivered_on"] = (published + fulfilment.pop("delivered_at")).date()
        if fulfilment["reviewed_at"] is not None:
            fulfilment["reviewed_at"] += published
    return {"published": published, "created": created, "updated": history[-1][4], "deadline": deadline,
            "version": len(history), "history": history, "claims": claims, "fulfilment": fulfilment}


def _terminal_age(rng: random.Random, span: timedelta) -> timedelta:
    """How long ago a need that is over was published: its end falls anywhere in the last 18 months."""
    return timedelta(days=rng.uniform(span / DAY + 0.01, WINDOW_DAYS))
