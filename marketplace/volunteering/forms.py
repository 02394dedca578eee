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
from ..inputs import IntegerField


class RegistrationForm(FlaskForm):
    display_name = StringField("称呼（公开显示，可用昵称）", validators=[DataRequired("请填写称呼。"), Length(max=64)])
    real_name = StringField("真实姓名（加密保存，不公开）", validators=[DataRequired("请填写真实姓名。"), Length(2, 32)])
    phone = StringField("手机号码（加密保存，不公开）", validators=[DataRequired("请填写手机号码。"), Length(max=20)])
    email = EmailField("电子邮箱（登录用）", validators=[DataRequired("请输入电子邮箱。")])
    password = PasswordField("密码（至少10位）", validators=[DataRequired("请设置密码。"),
                                                       Length(min=10, message="密码至少10位。")])
    region_code = SelectField("所在县（市、区）", validate_choice=False)
    # Checked against the vocabulary by the service, with messages in Chinese.
    skills = SelectMultipleField("技能", validate_choice=False)
    availability = SelectMultipleField("可服务时间", validate_choice=False)
    organization_id = SelectField("所属组织（可不选）", validate_choice=False)


class ShiftForm(FlaskForm):
    date = DateField("日期", validators=[DataRequired("请选择日期。")])
    start_time = TimeField("开始时间", validators=[DataRequired("请填写开始时间。")])
    end_time = TimeField("结束时间", validators=[DataRequired("请填写结束时间。")])
    capacity = IntegerField("名额", validators=[DataRequired("请填写名额。"), NumberRange(1, 200, "名额须为1至200人。")])
    required_skills = SelectMultipleField("所需技能", validate_choice=False)


class CodeForm(FlaskForm):
    code = StringField("签到码", validators=[Optional(), Length(max=6)])


class ProfileForm(FlaskForm):
    phone = StringField("新手机号码（加密保存；留空则不变）", validators=[Optional(), Length(max=20)])
    # Checked against the vocabulary by the service, with messages in Chinese.
    skills = SelectMultipleField("技能", validate_choice=False)
    availability = SelectMultipleField("可服务时间", validate_choice=False)
    organization_id = SelectField("所属组织（可不选）", validate_choice=False)
