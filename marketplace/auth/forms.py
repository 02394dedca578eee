from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from ..i18n import _l
from ..inputs import IntegerField
from ..vocabulary import ROLES, STAFF_DUTIES


class LoginForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(_l("请输入电子邮箱。"))])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。"))])


class NewUserForm(FlaskForm):
    email = EmailField(_l("电子邮箱"), validators=[DataRequired(_l("请输入电子邮箱。"))])
    display_name = StringField(_l("姓名或称呼"), validators=[DataRequired(_l("请填写姓名或称呼。")), Length(max=64)])
    role = SelectField(_l("角色"), choices=[SelectChoice(code, _l(name)) for code, name in ROLES.items()])
    region_code = StringField(_l("行政区划代码（工作人员、志愿者必填）"), validators=[Optional(), Length(6, 12)])
    organization_id = IntegerField(_l("所属组织编号（慈善组织成员必填）"), validators=[Optional()])
    # Staff only; the page offers only the duties the administrator holds (auth/administration.py).
    duties = SelectMultipleField(_l("职责（仅民政工作人员）"), choices=[SelectChoice(code, _l(name)) for code, name in STAFF_DUTIES.items()], validate_choice=False)
    password = PasswordField(_l("初始密码（至少10位，请通知本人登录后妥善保管）"),
                             validators=[DataRequired(_l("请设置初始密码。")), Length(min=10, message=_l("密码至少10位。"))])


class StaffAccountForm(FlaskForm):
    """Duties and region of an existing staff account, one form per row of 账号管理 (prefixed by its id)."""

    duties = SelectMultipleField(_l("职责"), choices=[SelectChoice(code, _l(name)) for code, name in STAFF_DUTIES.items()], validate_choice=False)
    region_code = StringField(_l("负责的行政区划代码"), validators=[DataRequired(_l("请填写行政区划代码。")), Length(6, 12)])
