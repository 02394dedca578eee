"""A volunteer changes their skills, availability, organisation and phone after registering; the skill
check at sign-up follows, the phone stays encrypted, and bad choices are refused without saving."""

from shift_support import service_need, shift, volunteer
from sqlalchemy import select

from marketplace.volunteering import registration, signups
from marketplace.volunteering.models import VolunteerProfile
from support import login, post


def _profile(world, user_id):
    with world.tx() as s:
        return s.scalars(select(VolunteerProfile).where(VolunteerProfile.user_id == user_id)).one()


def test_a_volunteer_adds_a_skill_and_can_then_sign_up(app, client, world):
    user_id = volunteer(world, "xiaoli", skills=["haircut"])
    need = service_need(world)
    bathing = shift(world, need, skills=["bathing"])
    with world.tx() as s:
        assert signups.missing_skills(s, user_id, bathing) == ["助浴"]
    login(client, "xiaoli@volunteer.cn")
    page = client.get("/my/volunteer-profile")
    assert page.status_code == 200 and 'value="haircut" checked' in page.get_data(as_text=True)
    saved = post(client, "/my/volunteer-profile",
                 {"skills": ["haircut", "bathing"], "availability": ["weekend_morning"], "phone": "139 0000 1111"},
                 page="/my/volunteer-profile")
    assert saved.status_code == 303
    row = _profile(world, user_id)
    assert (row.skills, row.availability) == ("bathing haircut", "weekend_morning")
    assert world.vault.decrypt(row.phone_enc) == "13900001111" and b"13900001111" not in row.phone_enc
    with world.tx() as s:
        assert signups.missing_skills(s, user_id, bathing) == []


def test_bad_choices_are_refused_and_nothing_is_saved(app, client, world):
    user_id = volunteer(world, "xiaowang", skills=["driving"])
    login(client, "xiaowang@volunteer.cn")
    refused = post(client, "/my/volunteer-profile", {"skills": ["flying"]}, page="/my/volunteer-profile")
    assert refused.status_code == 422 and "技能选项无效" in refused.get_data(as_text=True)
    bad_phone = post(client, "/my/volunteer-profile", {"skills": ["driving"], "phone": "12345"},
                     page="/my/volunteer-profile")
    assert bad_phone.status_code == 422 and "11位手机号码" in bad_phone.get_data(as_text=True)
    assert _profile(world, user_id).skills == "driving"


def test_an_account_without_a_profile_gets_one_and_others_are_refused(app, client, world):
    login(client, "helper@volunteer.cn")  # created by create_user, never registered
    assert post(client, "/my/volunteer-profile", {"skills": ["repair"]}, page="/my/volunteer-profile").status_code == 303
    assert _profile(world, world.volunteer).skills == "repair"
    other = app.test_client()
    login(other, "member@charity.org.cn")
    assert other.get("/my/volunteer-profile").status_code == 403
    with world.tx() as s:
        assert registration.profile_of(s, world.charity) is None
