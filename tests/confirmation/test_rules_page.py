"""/staff/confirmation-rules: a checkbox per need form with the defaults shown; changes by county-level staff
with the rules duty, each one a rules.change row of the security log."""

from sqlalchemy import select

from marketplace.confirmation import rules
from marketplace.confirmation.models import ConfirmationRule
from marketplace.security.models import SecurityEvent
from support import login, post

URL = "/staff/confirmation-rules"


def test_the_page_shows_each_form_with_its_default(client, world):
    login(client, "poster@guoyang.gov.cn")
    body = client.get(URL).get_data(as_text=True)
    for form in ("money", "goods", "retrofit"):
        assert f'name="required_{form}" id="required-{form}" checked' in body
    assert 'name="required_service" id="required-service">' in body
    assert body.count("默认：须确认") == 3 and body.count("默认：无须确认") == 1


def test_a_change_is_saved_and_written_to_the_security_log(client, world):
    login(client, "poster@guoyang.gov.cn")
    response = post(client, URL, {"required_money": "on", "required_goods": "on", "required_service": "on"}, page=URL)
    assert response.status_code == 303
    with world.tx() as s:
        assert {form: rules.required(s, form) for form in rules.DEFAULTS} == {
            "money": True, "goods": True, "retrofit": False, "service": True}
        assert {r.form for r in s.scalars(select(ConfirmationRule))} == {"retrofit", "service"}
        [event] = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "rules.change")).all()
        assert event.actor_id == world.poster and event.outcome == "ok"
        assert sorted(event.detail["changed"]) == ["retrofit", "service"]
    body = client.get(URL).get_data(as_text=True)
    assert 'name="required_service" id="required-service" checked' in body and "已于" in body
    assert post(client, URL, {"required_money": "on", "required_goods": "on", "required_service": "on"},
                page=URL).status_code == 303
    with world.tx() as s:  # nothing changed, nothing logged
        assert len(s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "rules.change")).all()) == 1


def test_township_staff_and_staff_without_the_duty_cannot_change_the_rules(app, world):
    township = app.test_client()
    login(township, "chudian@guoyang.gov.cn")
    assert "规则只能由县级及以上" in township.get(URL).get_data(as_text=True)
    assert post(township, URL, {}, page=URL).status_code == 403
    world.staff("reader@guoyang.gov.cn", duties=["verification"])
    reader = app.test_client()
    login(reader, "reader@guoyang.gov.cn")
    assert reader.get(URL).status_code == 403
    with world.tx() as s:
        assert s.scalars(select(ConfirmationRule)).all() == []
        denied = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "rules.change")).all()
        assert [e.outcome for e in denied] == ["denied"] and denied[0].actor_id == world.township_staff
