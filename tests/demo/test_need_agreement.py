"""Demo needs whose titles, age bands and household sizes agree: a pupil's school uniform is not shown as
80岁及以上, an old person living alone is a 1人户, a job for a working-age head is not for a child."""

from sqlalchemy import select

from marketplace.demo.need_catalogue import TEMPLATES
from marketplace.demo.seed import seed_demo
from marketplace.models import Household, Need
from marketplace.needs.listing import project

_WHO = {t.title: t for t in TEMPLATES}
_BANDS = {"child": {"minor"}, "young": {"adult"}, "working": {"adult"}, "old": {"senior", "elder"},
          "alone": {"senior", "elder"}}


def test_demo_needs_show_age_bands_and_household_sizes_their_titles_name(app, engine, tx):
    seed_demo(engine, app.extensions["marketplace.vault"], store=app.extensions["marketplace.storage"])
    with tx() as s:
        rows = s.execute(select(Need, Household.tier, Household.members, Household.head_birth_year)
                         .join(Household, Household.id == Need.household_id)).all()
        shown = project(s, rows)
    wrong = []
    for need in shown:
        template = _WHO[need.title]
        if template.who and need.age_band not in _BANDS[template.who]:
            wrong.append((need.title, need.age_band))
        if template.who == "alone" and need.size_band != "1人户":
            wrong.append((need.title, need.size_band))
        if template.min_members >= 3 and need.size_band == "1人户":
            wrong.append((need.title, need.size_band))
    assert not wrong, wrong
    titled = {n.title: n.age_band for n in shown}
    assert titled["小学生冬季校服与文具"] == "minor" and titled["独居老人每周上门助浴与保洁"] in ("senior", "elder")
