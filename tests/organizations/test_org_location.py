"""组织所在地 chosen one level at a time (province → city → county → township), not from one select of every
county in China; by htmx from the upper select, and without JavaScript by the form's 选择下一级 step."""

import re

import pytest
from sqlalchemy import select
from test_org_registration import code, form

from marketplace.organizations.models import Organization
from marketplace.regions.national import ensure_national
from support import post


@pytest.fixture
def world(world):
    with world.tx() as s:
        ensure_national(s)  # every province, prefecture and county of China, as a deployment has
    return world


def _options(body: str, name: str) -> list[str]:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', body, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", match.group(1)) if match else []


def test_the_page_starts_with_provinces_only(world, client):
    body = client.get("/organizations/register").get_data(as_text=True)
    provinces = _options(body, "province")
    assert "安徽省" in provinces and "北京市" in provinces and len(provinces) < 40
    assert "东城区" not in body and not _options(body, "region_code")


def test_htmx_fills_the_next_level_from_the_one_above(world, client):
    headers = {"HX-Request": "true", "HX-Target": "org-location"}
    cities = client.get("/organizations/register?province=340000", headers=headers).get_data(as_text=True)
    assert cities.lstrip().startswith(("{#", "<fieldset")) and "<html" not in cities
    assert "亳州市" in _options(cities, "city") and not _options(cities, "region_code")
    counties = client.get("/organizations/register?province=340000&city=341600",
                          headers=headers).get_data(as_text=True)
    assert _options(counties, "region_code")[1:] == ["谯城区", "涡阳县", "蒙城县", "利辛县"]
    towns = client.get("/organizations/register?province=340000&city=341600&region_code=341621",
                       headers=headers).get_data(as_text=True)
    assert "楚店镇" in _options(towns, "township")
    # Another province drops the city and county chosen under the old one.
    moved = client.get("/organizations/register?province=110000&city=341600&region_code=341621",
                       headers=headers).get_data(as_text=True)
    assert "市辖区" in _options(moved, "city") and not _options(moved, "region_code")
    assert 'selected value="341600"' not in moved and 'value="341600" selected' not in moved


def test_without_javascript_the_step_button_keeps_what_was_typed(world, client):
    data = form(region_code="", province="340000", city="341600", step="place")
    response = post(client, "/organizations/register", data, page="/organizations/register")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "涡阳县" in _options(body, "region_code")
    assert 'value="涡阳县助学促进会"' in body and 'id="region_code-error"' not in body
    with world.tx() as s:
        assert s.scalars(select(Organization).where(Organization.uscc == code(1))).first() is None


def test_a_township_chosen_under_its_county_is_the_registered_place(world, client):
    data = form(province="340000", city="341600", region_code="341621", township="341621100", uscc=code(7))
    response = post(client, "/organizations/register", data, page="/organizations/register")
    assert response.status_code == 303, response.get_data(as_text=True)
    with world.tx() as s:
        assert s.scalars(select(Organization.region_code).where(Organization.uscc == code(7))).one() == "341621100"


def test_no_place_chosen_is_refused_at_the_place(world, client):
    response = post(client, "/organizations/register", form(region_code=""), page="/organizations/register")
    assert response.status_code == 422
    assert "请选择组织所在的县（区）或乡镇" in response.get_data(as_text=True)
