from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from ..forms import Length
from ..inputs import IntegerField
from .rules import KINDS


class RuleForm(FlaskForm):
    kind = SelectField("规则类型", choices=[SelectChoice(code, name) for code, name in KINDS.items()])
    window_days = IntegerField("时间窗口（天）", validators=[Optional(), NumberRange(1, 3660, "时间窗口须为1至3660天。")])
    active = BooleanField("启用")
    explanation = TextAreaField("规则说明（向工作人员解释为何这样判断）",
                                validators=[DataRequired("请填写规则说明。"), Length(4, 500, "规则说明须为4至500字。")])
