"""Registry households as registries show them: how tiers, household sizes, hardship flags and the head's
age go together in the demo (shares loosely after the 亳州 figures in ../shared/DOMAIN.md)."""

import random

from ..vocabulary import HARDSHIPS

TIER_WEIGHTS = {"dibao": 55, "tekun": 12, "marginal": 15, "rigid_expense": 8, "monitored": 8, "other": 2}
MEMBER_WEIGHTS = {
    "dibao": (22, 24, 20, 17, 11, 6),
    "marginal": (12, 22, 24, 22, 13, 7),
    "rigid_expense": (5, 15, 28, 28, 16, 8),
    "monitored": (8, 18, 24, 26, 16, 8),
    "other": (30, 25, 20, 15, 7, 3),
}
FLAG_ODDS = {
    "dibao": {"重病": 0.32, "重残": 0.24, "失能": 0.05, "单亲": 0.12, "失业": 0.16, "零就业家庭": 0.05},
    "marginal": {"重病": 0.25, "重残": 0.14, "失能": 0.03, "单亲": 0.08, "失业": 0.15},
    "rigid_expense": {"重病": 0.6, "重残": 0.12, "失业": 0.08},
    "monitored": {"重病": 0.3, "重残": 0.1, "失业": 0.2, "零就业家庭": 0.04},
    "other": {"重病": 0.3, "重残": 0.2, "失业": 0.3},
}


def profile(rng: random.Random, tier: str, year: int) -> tuple[int, list[str], int]:
    """Household size, hardship flags and the head's birth year, roughly as registries show them."""
    if tier == "tekun":
        if rng.random() < 0.06:  # orphans and de-facto unsupported children are supported as 特困 too
            return 1, ["未成年", "孤儿"], rng.randint(year - 16, year - 6)
        members = 1 if rng.random() < 0.9 else 2
        birth = rng.randint(year - 95, year - 58)
        odds = {"独居": 0.75 if members == 1 else 0.0, "失能": 0.3, "重残": 0.25, "重病": 0.2}
    else:
        members = rng.choices(range(1, 7), MEMBER_WEIGHTS[tier])[0]
        birth = rng.randint(year - 88, year - 24)
        odds = dict(FLAG_ODDS[tier])
        if members == 1:
            odds.pop("单亲", None)
            odds["独居"] = 0.5
    flags = {flag for flag, p in odds.items() if rng.random() < p}
    if tier != "tekun" and members >= 3 and rng.random() < 0.5:
        flags.add("未成年")
        if rng.random() < 0.2:  # children left with their grandparents
            flags.add("留守儿童")
            birth = rng.randint(year - 75, year - 52)
        elif rng.random() < 0.1:
            flags.add("困境儿童")
    if "零就业家庭" in flags:
        flags.add("失业")
    if year - birth >= 80:
        flags.add("高龄")
    return members, [h for h in HARDSHIPS if h in flags], birth
