"""Organisations, sign-in and account pages in English: a visitor who chose English (the footer's cookie)
and accounts whose language is English see English headings, labels, errors and messages."""

from sqlalchemy import select
from stdnum.cn import uscc

from marketplace.auth.models import AppUser
from marketplace.organizations.models import Organization
from support import login, post


def english(client) -> None:
    client.set_cookie("lang", "en")


def english_account(tx, user_id: int, **changes) -> None:
    with tx() as s:
        user = s.get(AppUser, user_id)
        user.locale = "en"
        for name, value in changes.items():
            setattr(user, name, value)


def text(response) -> str:
    return response.get_data(as_text=True)


def registration(**overrides):
    first17 = "51341621000000077"
    data = {"name": "涡阳县助学促进会", "kind": "social_org", "uscc": first17 + uscc.calc_check_digit(first17),
            "region_code": "341621", "contact_name": "李秀兰", "contact_phone": "13955812345",
            "email": "admin@zhuxue.org.cn", "display_name": "王主任", "password": "long-enough-password",
            "confirm": "long-enough-password"}
    data.update(overrides)
    return data


def test_sign_in_in_english_with_its_errors(client, world):
    english(client)
    page = text(client.get("/login"))
    assert "<h1>Sign in</h1>" in page and "Forgot your password?" in page and ">Email</label>" in page
    empty = post(client, "/login", {"email": "", "password": ""}, page="/login")
    assert empty.status_code == 422 and "Please enter your email address." in text(empty)
    wrong = post(client, "/login", {"email": "member@charity.org.cn", "password": "not-the-password"}, page="/login")
    assert wrong.status_code == 422 and "Wrong email or password, or the account is deactivated." in text(wrong)
    assert "邮箱或密码不正确" not in text(wrong)


def test_the_directory_and_an_organisations_page_in_english(client, world):
    english(client)
    page = text(client.get("/organizations"))
    assert "Organisation directory" in page and "1 approved organisation" in page
    assert "Follow-up satisfaction" in page and "涡阳县慈善协会" in page  # the name is the organisation's own
    detail = text(client.get(f"/organizations/{world.org_id}"))
    assert "Approved by the civil-affairs department (Charity)." in detail and "Unified social credit code (USCC)" in detail
    assert "Back to the organisation directory" in detail and "所在地" not in detail


def test_registration_in_english_explains_a_wrong_code(client, world):
    english(client)
    page = text(client.get("/organizations/register"))
    assert "Register an organisation" in page and "Full name of the organisation" in page
    assert "Choose a province" in page and "Contact person (not published)" in page
    refused = post(client, "/organizations/register", registration(uscc="5134162100000001"),
                   page="/organizations/register")
    assert refused.status_code == 422
    assert "A USCC has 18 characters; you entered 16." in text(refused)
    done = post(client, "/organizations/register", registration(), page="/organizations/register")
    assert done.status_code == 303
    submitted = text(client.get(done.headers["Location"]))
    assert "Registration submitted" in submitted and "What happens next" in submitted


def test_my_organisation_and_invitations_for_an_english_administrator(client, world, tx):
    english_account(tx, world.charity, org_role="administrator")
    login(client, "member@charity.org.cn")
    page = text(client.get("/organization"))
    assert "My organisation: 涡阳县慈善协会" in page and "Invite members" in page and "Create invitation link" in page
    assert "Role of member2" in page  # the role select's label names the member
    refused = post(client, "/organization/invitations", {"email": "not-an-address", "role": "member"},
                   page="/organization")
    assert refused.status_code == 422 and "Please enter a valid email address." in text(refused)
    made = post(client, "/organization/invitations", {"email": "new@charity.org.cn", "role": "coordinator"},
                page="/organization")
    assert made.status_code == 201 and "Invitation created." in text(made) and "Unused invitations" in text(made)


def test_vetting_in_english(client, world, tx):
    english_account(tx, world.poster)
    login(client, "poster@guoyang.gov.cn")
    with tx() as s:
        pending = s.scalars(select(Organization).where(Organization.status == "pending")).one().id
    page = text(client.get("/staff/organizations"))
    assert "Filter by status" in page and "All types" in page
    detail = text(client.get(f"/staff/organizations/{pending}"))
    assert "Vetting history" in detail and ">Approve</button>" in detail and ">Reject</button>" in detail
    refused = post(client, f"/staff/organizations/{pending}/reject", {"reject-reason": "短"},
                   page=f"/staff/organizations/{pending}")
    assert refused.status_code == 422
    assert "Please give a reason for “Reject” (4–500 characters)" in text(refused)
    done = post(client, f"/staff/organizations/{pending}/reject", {"reject-reason": "登记证书已过有效期"},
                page=f"/staff/organizations/{pending}")
    assert done.status_code == 303
    assert "Decision recorded for “待审核公益社”: Reject." in text(client.get(done.headers["Location"]))


def test_account_pages_in_english(client, world, tx):
    english_account(tx, world.volunteer)
    login(client, "helper@volunteer.cn")
    sessions = text(client.get("/account/sessions", headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0) Chrome/120"}))
    assert "Signed-in devices" in sessions and "(this device)" in sessions and "Sign out here" in sessions
    password = text(client.get("/account/password"))
    assert "Save new password" in password and "Repeat the new password" in password
    wrong = post(client, "/account/password", {"current": "not-it", "password": "a-new-long-password",
                                                "confirm": "a-new-long-password"}, page="/account/password")
    assert wrong.status_code == 422 and "The current password is wrong." in text(wrong)
    short = post(client, "/account/password", {"current": "correct-horse-battery", "password": "short",
                                                "confirm": "short"}, page="/account/password")
    assert short.status_code == 422 and "The password needs at least 10 characters." in text(short)
    enrol = text(client.get("/account/2fa"))
    assert "Two-factor authentication" in enrol and "Scan the QR code below" in enrol
    assert "QR code for two-factor authentication" in enrol


def test_account_administration_in_english(client, world, tx):
    english_account(tx, world.poster)
    login(client, "poster@guoyang.gov.cn")
    page = text(client.get("/staff/users"))
    assert "<h1>Accounts</h1>" in page and "New account" in page and "Save duties and region" in page
    assert "Duties (civil-affairs staff only)" in page and "Deactivate helper@volunteer.cn" in page
    gone = client.get("/staff/organizations/999999")
    assert gone.status_code == 404 and "Organisation not found." in text(gone)
