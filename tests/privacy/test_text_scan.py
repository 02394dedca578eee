"""Need text is scanned before it is published: ID numbers, phone numbers and the household's own name or
address are refused, and the message shows the offending span."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.demo.identities import id_number
from marketplace.errors import Invalid
from marketplace.needs import privacy, service
from marketplace.needs.models import Need
from support import login, post

VALID_ID = id_number("341621", date(1975, 8, 19), 362)
NAME, ADDRESS = "李玉兰", "涡阳县楚店镇张庄村32号"


def refused(text: str, identity=None) -> str:
    with pytest.raises(Invalid) as raised:
        privacy.scan({"title": "冬季取暖物资", "description": text}, identity)
    assert raised.value.field == "description"
    return raised.value.message


def test_a_checksum_valid_id_number_is_refused_with_its_span():
    text = f"户主身份证{VALID_ID}已核实"
    message = refused(text)
    assert f"第6至23个字符「{VALID_ID}」" in message and "身份证号" in message
    assert text[5:23] == VALID_ID
    candidates = (id_number("341621", date(1975, 8, 19), sequence) for sequence in range(1, 999))
    ending_in_x = next(n for n in candidates if n.endswith("X"))
    assert f"「{ending_in_x.lower()}」是身份证号" in refused(f"证件{ending_in_x.lower()}")


def test_an_18_digit_number_failing_the_checksum_is_allowed():
    wrong = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
    privacy.scan({"description": f"物资编号{wrong}，按编号入库"})


@pytest.mark.parametrize("phone", ["13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678"])
def test_mobile_numbers_are_refused(phone):
    message = refused(f"有事请打{phone}找家属")
    assert f"「{phone}」" in message and "电话号码" in message and "第5至" in message


@pytest.mark.parametrize("phone", ["0558-7212345", "05587212345", "010-62345678"])
def test_landlines_are_refused(phone):
    assert f"「{phone}」是电话号码" in refused(f"村委会电话{phone}")


def test_the_households_own_name_and_address_are_refused(world):
    household = world.household(name=NAME, address=ADDRESS)
    identity = privacy.Identity.of(household, world.vault)
    assert f"第3至5个字符「{NAME}」是该户人员姓名" in refused(f"户主{NAME}长期卧床", identity)
    assert f"「{ADDRESS}」是该户详细地址" in refused(f"请送到{ADDRESS}", identity)
    privacy.scan({"description": "户主长期卧床，需上门送餐"}, identity)  # ordinary text passes
    privacy.scan({"description": "另一户李桂兰家"}, identity)  # another person's name is not this household's


def test_a_community_address_is_refused_by_its_specific_part(world):
    household = world.household(address="谯城区花戏楼街道光明社区3栋2单元401室")
    identity = privacy.Identity.of(household, world.vault)
    assert "「光明社区3栋2单元401室」是该户详细地址" in refused("住在光明社区3栋2单元401室，行动不便", identity)


def test_the_service_refuses_and_writes_nothing(world):
    household = world.household(name=NAME, address=ADDRESS)
    data = service.NeedInput(category="goods", form="goods", title=f"{NAME}家冬季取暖", description="",
                             urgency="normal", deadline=date.today() + timedelta(days=20), target_quantity=2,
                             unit="件")
    with world.tx() as s, pytest.raises(Invalid) as raised:
        service.create_need(s, world.user(s, world.poster), household, data, publish=True, vault=world.vault)
    assert raised.value.field == "title" and f"「{NAME}」" in raised.value.message


def test_the_form_page_shows_where_the_name_is(client, world):
    household = world.household(name=NAME, address=ADDRESS)
    login(client, "poster@guoyang.gov.cn")
    page = f"/staff/households/{household.public_code}/needs/new"
    response = post(client, page, {
        "category": "care", "form": "service", "title": "独居老人上门助浴", "urgency": "normal", "source": "window",
        "description": f"老人{NAME}独居，腿脚不便", "deadline": (date.today() + timedelta(days=30)).isoformat(),
        "contact_basis": "none", "age_band": "", "action": "publish",
    }, page=page)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="description-error"' in body and f"第3至5个字符「{NAME}」" in body
    with world.tx() as s:
        assert s.scalar(select(func.count()).select_from(Need)) == 0
