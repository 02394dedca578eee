from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectChoice, SelectField, StringField, TextAreaField, validators
from wtforms.validators import InputRequired, Optional

from ..forms import Length
from ..i18n import _l
from .service import FOLLOW_UP_METHODS

SATISFACTION = [("", _l("请选择")), ("5", _l("5 非常满意")), ("4", _l("4 满意")), ("3", _l("3 一般")),
                ("2", _l("2 不满意")), ("1", _l("1 非常不满意"))]


class CodeForm(FlaskForm):
    confirmation_code = StringField(_l("受助方确认码（送达回执受助方联上的6位数字）"),
                                    validators=[InputRequired(_l("请输入6位确认码。")),
                                                validators.Length(max=12, message=_l("确认码是6位数字。"))],
                                    render_kw={"inputmode": "numeric", "autocomplete": "one-time-code",
                                               "maxlength": 12})


class FollowUpForm(FlaskForm):
    """回访. `target` names the claim or pledge ("claim-12", "pledge-3") the page offers."""

    target = SelectField(_l("回访的帮扶"), choices=[], validate_choice=False)
    visited_on = DateField(_l("回访日期"), validators=[InputRequired(_l("请填写回访日期。"))], default=date.today)
    method = RadioField(_l("回访方式"), choices=[SelectChoice(code, _l(name)) for code, name in FOLLOW_UP_METHODS.items()],
                        default="visit",
                        validators=[InputRequired(_l("请选择回访方式。"))])
    received = RadioField(_l("受助方是否收到帮扶"), choices=[SelectChoice("yes", _l("已收到")), SelectChoice("no", _l("未收到"))],
                          validators=[InputRequired(_l("请选择受助方是否收到帮扶。"))])
    satisfaction = SelectField(_l("满意度（收到帮扶时填写）"),
                               choices=[SelectChoice(value, name) for value, name in SATISFACTION],
                               validate_choice=False)
    remarks = TextAreaField(_l("回访备注（不写姓名、电话、身份证号、详细地址）"),
                            validators=[Optional(), Length(max=500, message=_l("回访备注不能超过500字。"))])

    def satisfaction_value(self) -> int | None:
        raw = (self.satisfaction.data or "").strip()
        return int(raw) if raw in {"1", "2", "3", "4", "5"} else None
