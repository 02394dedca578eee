"""The weights of the recommendation score. They are policy, not code: a county that wants urgency to
dominate, or the cliff boost to weigh more, sets MARKETPLACE_RECOMMEND_WEIGHTS (JSON, partial is fine)."""

import json
from collections.abc import Mapping

# Each score component is a number from 0 to 1 (see service.py); its weight says how many points it is
# worth. Defaults: closeness weighs most, because a helper from another county rarely makes the home visits
# a service need asks for (same county beats same city unless the city need has two other advantages);
# the cliff boost is worth two thirds of an urgency step, since countering the 悬崖效应 is what the
# ranking is for, but it must not bury an urgent need of a 低保 household.
DEFAULT_WEIGHTS: dict[str, float] = {
    "category": 3.0,       # the need's category is one the helper declared
    "region": 5.0,         # same township 1, same county 0.7, same city 0.2, elsewhere 0
    "urgency": 3.0,        # urgent 1, soon 0.5, normal 0
    "waiting": 2.0,        # days since publication, up to waiting_cap_days
    "little_aid": 3.0,     # 1 / (1 + aid entries in the household's chain in the last 12 months)
    "cliff_tier": 2.0,     # 低保边缘 and 刚性支出困难 households
    "waiting_cap_days": 60,
}


def merged(overrides: Mapping | None) -> dict[str, float]:
    """The defaults with `overrides` applied; unknown names and non-numbers are refused, so a typo in the
    environment fails at start-up instead of silently ranking by the defaults."""
    weights = dict(DEFAULT_WEIGHTS)
    for name, value in (overrides or {}).items():
        if name not in DEFAULT_WEIGHTS:
            raise ValueError(f"unknown recommendation weight {name!r}; known: {', '.join(DEFAULT_WEIGHTS)}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"recommendation weight {name!r} must be a number >= 0, not {value!r}")
        weights[name] = float(value)
    if weights["waiting_cap_days"] < 1:
        raise ValueError("recommendation weight 'waiting_cap_days' must be at least 1")
    return weights


def from_env(raw: str | None) -> dict[str, float]:
    """MARKETPLACE_RECOMMEND_WEIGHTS, e.g. '{"urgency": 6, "cliff_tier": 3}'."""
    if not raw:
        return merged(None)
    try:
        overrides = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"MARKETPLACE_RECOMMEND_WEIGHTS is not valid JSON: {exc}") from exc
    if not isinstance(overrides, dict):
        raise ValueError("MARKETPLACE_RECOMMEND_WEIGHTS must be a JSON object of weights")
    return merged(overrides)
