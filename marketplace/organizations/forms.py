from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Optional

from ..forms import Length
from ..vocabulary import ORG_KINDS, ORG_ROLES


def _choices(table: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in table.items()]


_PASSWORD = [DataRequired("请设置登录密码。"), Length(min=10, message="密码至少10位。")]


class RegistrationForm(FlaskForm):
    name = StringField("组织全称（与登记证书一致）", validators=[DataRequired("请填写组织全称。"), Length(max=128)])
    kind = SelectField("组织类型", choices=_choices(ORG_KINDS), validate_choice=False)
    uscc = StringField("统一社会信用代码（18位）", validators=[DataRequired("请填写统一社会信用代码。")])
    # 组织所在地, one level at a time (location.py fills the choices); the service checks the code.
    province = SelectField("省（自治区、直辖市）", validate_choice=False)
    city = SelectField("地市", validate_choice=False)
    region_code = SelectField("县（市、区）", validate_choice=False)
    township = SelectField("乡镇（选填）", validate_choice=False)
    contact_name = StringField("联系人姓名", validators=[DataRequired("请填写联系人姓名。"), Length(max=64)])
    contact_phone = StringField("联系电话", validators=[DataRequired("请填写联系电话。"), Length(max=24)])
    # Checked by recommend.profile.save, with messages in Chinese (WTForms' own check answers in English).
    categories = SelectMultipleField("服务类别", validate_choice=False)
    regions = SelectMultipleField("服务地区", validate_choice=False)
    email = EmailField("管理员电子邮箱（用于登录）", validators=[DataRequired("请填写电子邮箱。")])
    display_name = StringField("管理员姓名或称呼", validators=[DataRequired("请填写姓名或称呼。"), Length(max=64)])
    password = PasswordField("登录密码（至少10位）", validators=_PASSWORD)
    confirm = PasswordField("再次输入密码", validators=[EqualTo("password", "两次输入的密码不一致。")])


class DecisionForm(FlaskForm):
    # Length is checked by the service (4–500 characters, required for all but approval).
    reason = TextAreaField("原因或说明", validators=[Optional()])


class InviteForm(FlaskForm):
    email = EmailField("受邀人电子邮箱", validators=[DataRequired("请填写受邀人的电子邮箱。")])
    role = SelectField("角色", choices=_choices(ORG_ROLES), default="member", validate_choice=False)


class RoleForm(FlaskForm):
    role = SelectField("角色", choices=_choices(ORG_ROLES), validate_choice=False)


class AcceptForm(FlaskForm):
    display_name = StringField("您的姓名或称呼", validators=[DataRequired("请填写姓名或称呼。"), Length(max=64)])
    password = PasswordField("设置登录密码（至少10位）", validators=_PASSWORD)
    confirm = PasswordField("再次输入密码", validators=[EqualTo("password", "两次输入的密码不一致。")])
