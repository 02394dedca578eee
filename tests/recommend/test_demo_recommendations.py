"""The demo's memorable accounts get a meaningful 为我推荐 page: their declared profile ranks real needs."""

from recommend_support import TODAY
from sqlalchemy import select

from marketplace.auth.models import AppUser
from marketplace.demo.seed import DOMAIN, PASSWORD, seed_demo
from marketplace.recommend.service import recommend
from support import login


def test_demo_accounts_have_declared_profiles_and_recommendations(app, engine, tx, client):
    seed_demo(engine, app.extensions["marketplace.vault"])
    with tx() as s:
        charity = s.scalars(select(AppUser).where(AppUser.email == f"charity@{DOMAIN}")).one()
        volunteer = s.scalars(select(AppUser).where(AppUser.email == f"volunteer@{DOMAIN}")).one()
        assert volunteer.service_categories and volunteer.service_regions
        for_charity = recommend(s, charity, app.config["RECOMMEND_WEIGHTS"], TODAY)
        for_volunteer = recommend(s, volunteer, app.config["RECOMMEND_WEIGHTS"], TODAY)
    assert len(for_charity) == 20 and for_volunteer
    assert {r.need.form for r in for_volunteer} == {"service"}
    assert "服务类别相符" in for_charity[0].reasons and for_charity[0].reasons[0] in ("同乡镇", "同县")
    assert any("同乡镇" in r.reasons for r in for_charity)
    login(client, f"charity@{DOMAIN}", PASSWORD)
    page = client.get("/recommendations").get_data(as_text=True)
    assert " · ".join(for_charity[0].reasons) in page
