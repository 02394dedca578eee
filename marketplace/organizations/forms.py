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
from ..i18n import _l
from ..vocabulary import DEPARTMENTS, ORG_KINDS, ORG_ROLES


def _choices(table: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(code, _l(name)) for code, name in table.items()]


_PASSWORD = [DataRequired(_l("请设置登录密码。")), Length(min=10, message=_l("密码至少10位。"))]


class RegistrationForm(FlaskForm):
    name = StringField(_l("组织全称（与登记证书一致）"), validators=[DataRequired(_l("请填写组织全称。")), Length(max=128)])
    kind = SelectField(_l("组织类型"), choices=_choices(ORG_KINDS), validate_choice=False)
    # Checked by the service: required when the kind is 政府部门, dropped otherwise.
    department = SelectField(_l("所属部门（政府部门必选）"), choices=[SelectChoice("", _l("不适用"))] + _choices(DEPARTMENTS),
                             validate_choice=False)
    uscc = StringField(_l("统一社会信用代码（18位）"), validators=[DataRequired(_l("请填写统一社会信用代码。"))])
    # 组织所在地, one level at a time (location.py fills the choices); the service checks the code.
    province = SelectField(_l("省（自治区、直辖市）"), validate_choice=False)
    city = SelectField(_l("地市"), validate_choice=False)
    region_code = SelectField(_l("县（市、区）"), validate_choice=False)
    township = SelectField(_l("乡镇（选填）"), validate_choice=False)
    contact_name = StringField(_l("联系人姓名"), validators=[DataRequired(_l("请填写联系人姓名。")), Length(max=64)])
    contact_phone = StringField(_l("联系电话"), validators=[DataRequired(_l("请填写联系电话。")), Length(max=24)])
    # Checked by recommend.profile.save, with messages in Chinese (WTForms' own check answers in English).
    categories = SelectMultipleField(_l("服务类别"), validate_choice=False)
    regions = SelectMultipleField(_l("服务地区"), validate_choice=False)
    email = EmailField(_l("管理员电子邮箱（用于登录）"), validators=[DataRequired(_l("请填写电子邮箱。"))])
    display_name = StringField(_l("管理员姓名或称呼"), validators=[DataRequired(_l("请填写姓名或称呼。")), Length(max=64)])
    password = PasswordField(_l("登录密码（至少10位）"), validators=_PASSWORD)
    confirm = PasswordField(_l("再次输入密码"), validators=[EqualTo("password", _l("两次输入的密码不一致。"))])


class DecisionForm(FlaskForm):
    # Length is checked by the service (4–500 characters, required for all but approval).
    reason = TextAreaField(_l("原因或说明"), validators=[Optional()])


class InviteForm(FlaskForm):
    email = EmailField(_l("受邀人电子邮箱"), validators=[DataRequired(_l("请填写受邀人的电子邮箱。"))])
    role = SelectField(_l("角色"), choices=_choices(ORG_ROLES), default="member", validate_choice=False)


class RoleForm(FlaskForm):
    role = SelectField(_l("角色"), choices=_choices(ORG_ROLES), validate_choice=False)


class AcceptForm(FlaskForm):
    display_name = StringField(_l("您的姓名或称呼"), validators=[DataRequired(_l("请填写姓名或称呼。")), Length(max=64)])
    password = PasswordField(_l("设置登录密码（至少10位）"), validators=_PASSWORD)
    confirm = PasswordField(_l("再次输入密码"), validators=[EqualTo("password", _l("两次输入的密码不一致。"))])
