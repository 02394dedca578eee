from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import DataRequired, NumberRange, Optional

from ..forms import Length
from ..i18n import _l
from ..inputs import IntegerField


class RegistrationForm(FlaskForm):
    display_name = StringField(_l("称呼（公开显示，可用昵称）"), validators=[DataRequired(_l("请填写称呼。")),
                                                                  Length(max=64)])
    real_name = StringField(_l("真实姓名（加密保存，不公开）"), validators=[DataRequired(_l("请填写真实姓名。")),
                                                               Length(2, 32)])
    phone = StringField(_l("手机号码（加密保存，不公开）"), validators=[DataRequired(_l("请填写手机号码。")),
                                                           Length(max=20)])
    email = EmailField(_l("电子邮箱（登录用）"), validators=[DataRequired(_l("请输入电子邮箱。"))])
    password = PasswordField(_l("密码（至少10位）"), validators=[DataRequired(_l("请设置密码。")),
                                                          Length(min=10, message=_l("密码至少10位。"))])
    region_code = SelectField(_l("所在县（市、区）"), validate_choice=False)
    # Checked against the vocabulary by the service, which names the problem.
    skills = SelectMultipleField(_l("技能"), validate_choice=False)
    availability = SelectMultipleField(_l("可服务时间"), validate_choice=False)
    organization_id = SelectField(_l("所属组织（可不选）"), validate_choice=False)


class ShiftForm(FlaskForm):
    date = DateField(_l("日期"), validators=[DataRequired(_l("请选择日期。"))])
    start_time = TimeField(_l("开始时间"), validators=[DataRequired(_l("请填写开始时间。"))])
    end_time = TimeField(_l("结束时间"), validators=[DataRequired(_l("请填写结束时间。"))])
    capacity = IntegerField(_l("名额"), validators=[DataRequired(_l("请填写名额。")),
                                                 NumberRange(1, 200, _l("名额须为1至200人。"))])
    required_skills = SelectMultipleField(_l("所需技能"), validate_choice=False)


class CodeForm(FlaskForm):
    code = StringField(_l("签到码"), validators=[Optional(), Length(max=6)])


class ProfileForm(FlaskForm):
    phone = StringField(_l("新手机号码（加密保存；留空则不变）"), validators=[Optional(), Length(max=20)])
    # Checked against the vocabulary by the service, which names the problem.
    skills = SelectMultipleField(_l("技能"), validate_choice=False)
    availability = SelectMultipleField(_l("可服务时间"), validate_choice=False)
    organization_id = SelectField(_l("所属组织（可不选）"), validate_choice=False)
