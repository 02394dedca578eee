"""One password policy for account creation, registration, reset and change."""

import pytest

from marketplace.auth import passwords
from marketplace.auth.service import create_user
from marketplace.errors import Invalid
from support import PASSWORD


def test_the_suite_password_is_acceptable():
    assert passwords.problem(PASSWORD, email="poster@guoyang.gov.cn", display_name="poster") is None


@pytest.mark.parametrize("password, message", [
    ("short-pw", "至少10位"),
    ("Password123", "常见"),
    ("qwertyuiop", "常见"),
    ("woaini1314520", "常见"),
    ("zhangsan-secret", "邮箱用户名"),
    ("我的名字张三丰很长很长", "姓名"),
])
def test_the_policy_names_the_rule_broken(password, message):
    found = passwords.problem(password, email="zhangsan@example.cn", display_name="张三丰")
    assert found is not None and message in found


def test_the_common_list_is_shipped_as_data():
    assert len(passwords.common_passwords()) > 3000


def test_account_creation_refuses_a_common_password_and_one_containing_the_email(tx, world):
    with tx() as s:
        with pytest.raises(Invalid, match="常见"):
            create_user(s, email="new@volunteer.cn", password="password123", display_name="新人", role="volunteer")
        with pytest.raises(Invalid, match="邮箱用户名"):
            create_user(s, email="wanghong@volunteer.cn", password="wanghong-2026!", display_name="新人",
                        role="volunteer")


def test_registration_shows_the_rule_broken(client, world):
    from support import csrf_from

    token = csrf_from(client.get("/volunteers/register"))
    response = client.post("/volunteers/register", data={
        "csrf_token": token, "email": "fresh@volunteer.cn", "password": "1234567890", "confirm": "1234567890",
        "display_name": "新志愿者", "real_name": "王新", "phone": "13800000000", "region_code": "341621"})
    assert response.status_code == 422
    assert "常见" in response.get_data(as_text=True)
