"""Registration: an account of role volunteer plus a profile whose real name and phone exist only as
ciphertext (the raw database file does not contain them) and never appear on a page."""


from sqlalchemy import select
from sqlalchemy.engine import make_url

from marketplace.auth.models import AppUser
from marketplace.volunteering.models import VolunteerProfile
from support import csrf_from, sqlite_file_bytes

REAL_NAME = "欧阳秀英"
PHONE = "13912345678"


def _form(client, **overrides):
    data = {"display_name": "小欧", "real_name": REAL_NAME, "phone": PHONE, "email": "ouyang@volunteer.cn",
            "password": "a-long-enough-password", "region_code": "341621", "skills": ["bathing", "escort"],
            "availability": ["weekend_morning"], "organization_id": "",
            "csrf_token": csrf_from(client.get("/volunteers/register"))}
    data.update(overrides)
    return client.post("/volunteers/register", data=data)


def test_registration_stores_name_and_phone_encrypted(world, client, engine, database_url):
    page = client.get("/volunteers/register").get_data(as_text=True)
    assert "助浴" in page and "周末上午" in page and "涡阳县慈善协会" in page and "待审核公益社" not in page
    response = _form(client, organization_id=str(world.org_id))
    assert response.status_code == 303, response.get_data(as_text=True)
    with world.tx() as s:
        user = s.scalars(select(AppUser).where(AppUser.email == "ouyang@volunteer.cn")).one()
        profile = s.scalars(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)).one()
        assert (user.role, user.region_code, user.display_name) == ("volunteer", "341621", "小欧")
        assert (profile.skills, profile.availability, profile.organization_id) == (
            "bathing escort", "weekend_morning", world.org_id)
        assert REAL_NAME.encode() not in bytes(profile.name_enc) and PHONE.encode() not in bytes(profile.phone_enc)
        assert world.vault.decrypt(profile.name_enc) == REAL_NAME
        assert world.vault.decrypt(profile.phone_enc) == PHONE
    if engine.dialect.name == "sqlite":
        raw = sqlite_file_bytes(make_url(database_url).database)
        assert b"ouyang@volunteer.cn" in raw  # the search would find plain text if it were there
        assert REAL_NAME.encode() not in raw and PHONE.encode() not in raw
    mine = client.get("/my/shifts").get_data(as_text=True)  # signed in by registration
    assert "我的服务" in mine and REAL_NAME not in mine and PHONE not in mine


def test_registration_errors_are_shown_next_to_the_field(world, client):
    response = _form(client, phone="12345", email="second@volunteer.cn")
    assert response.status_code == 422
    assert "请填写11位手机号码" in response.get_data(as_text=True)
    response = _form(client, region_code="341621100", email="third@volunteer.cn")
    assert response.status_code == 422 and "请选择所在的县" in response.get_data(as_text=True)
    with world.tx() as s:
        assert s.scalars(select(VolunteerProfile)).all() == []
