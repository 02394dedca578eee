from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField, validators
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from ..forms import Length, YuanField
from ..i18n import _l
from ..inputs import DecimalField, IntegerField
from .evidence_forms import ACCEPTANCE, AMOUNT_LABELS, DATE_LABELS

CODE_LABEL = _l("受助方确认码（送达回执上的6位数字）")
CODE_HINT = _l("受助方或村干部在交付时告诉您的6位数字；没有可不填。")


def code_field():
    return StringField(CODE_LABEL, validators=[Optional(), validators.Length(max=12, message=_l("确认码是6位数字。"))],
                       render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12})


class EvidenceForm(FlaskForm):
    """Every figure any form may ask for; the page shows the need's form's own (`for_form`), and the service
    drops the rest whatever was posted."""

    delivered_on = DateField(_l("交付/服务日期"), validators=[InputRequired(_l("请填写日期。"))], default=date.today)
    summary = TextAreaField(_l("帮扶情况说明（做了什么、交付了什么、受助方反馈）"),
                            validators=[DataRequired(_l("请填写帮扶情况说明。")), Length(4, 2000, _l("说明须为4至2000字。"))])
    amount = YuanField(_l("实际资助金额（元）"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    quantity = IntegerField(_l("实际交付数量"), validators=[Optional(), NumberRange(1, 100000, _l("数量须为1至100000。"))],
                            render_kw={"inputmode": "numeric"})
    item = StringField(_l("交付物品"), validators=[Optional(), Length(max=60, message=_l("交付物品不能超过60字。"))])
    service_from = DateField(_l("首次服务日期"), validators=[Optional()])
    hours = DecimalField(_l("服务时长（小时）"), places=1, render_kw={"inputmode": "decimal"},
                         validators=[Optional(), NumberRange(0.5, 1000, _l("服务时长须在0.5至1000小时之间。"))])
    acceptance = SelectField(_l("验收方"), validate_choice=False,
                             choices=[SelectChoice("", _l("请选择")), *(SelectChoice(k, _l(v)) for k, v in ACCEPTANCE.items())])
    acceptance_note = StringField(_l("验收说明（如验收人职务、验收结论；不写姓名）"),
                                  validators=[Optional(), Length(max=200, message=_l("验收说明不能超过200字。"))])
    confirmation_code = code_field()

    def for_form(self, form: str) -> "EvidenceForm":
        """Labels that say what the date and the amount mean for this need's form."""
        self.delivered_on.label.text = DATE_LABELS.get(form, self.delivered_on.label.text)
        self.amount.label.text = AMOUNT_LABELS.get(form, self.amount.label.text)
        return self


class ApproveForm(FlaskForm):
    """核验通过; `slip_checked` when the household's confirmation is a photographed, signed delivery slip."""

    slip_checked = BooleanField(_l("已核对签收回执照片"))
