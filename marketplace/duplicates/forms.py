from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from ..forms import Length
from ..i18n import _l
from ..inputs import IntegerField
from .rules import KINDS


class RuleForm(FlaskForm):
    kind = SelectField(_l("规则类型"), choices=[SelectChoice(code, _l(name)) for code, name in KINDS.items()])
    window_days = IntegerField(_l("时间窗口（天）"),
                               validators=[Optional(), NumberRange(1, 3660, _l("时间窗口须为1至3660天。"))])
    active = BooleanField(_l("启用"))
    explanation = TextAreaField(_l("规则说明（向工作人员解释为何这样判断）"),
                                validators=[DataRequired(_l("请填写规则说明。")), Length(4, 500, _l("规则说明须为4至500字。"))])
