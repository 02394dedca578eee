from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from ..forms import Length, YuanField
from ..fulfilment.evidence_forms import DATE_LABELS
from ..fulfilment.forms import code_field
from ..i18n import _l, translate
from ..inputs import IntegerField


class PledgeForm(FlaskForm):
    """Money needs take yuan, goods needs a count; the page shows the one field the need's form uses."""

    amount = YuanField(_l("认捐金额（元）"), validators=[Optional()])
    quantity = IntegerField(_l("认捐数量"), validators=[Optional(), NumberRange(1, 100000, _l("数量须为1至100000。"))])


class PledgeEvidenceForm(FlaskForm):
    delivered_on = DateField(_l("交付日期"), validators=[InputRequired(_l("请填写日期。"))], default=date.today)
    summary = TextAreaField(_l("交付情况说明（交付了什么、如何交付、受助方反馈）"),
                            validators=[DataRequired(_l("请填写交付情况说明。")), Length(4, 2000, _l("说明须为4至2000字。"))])
    confirmation_code = code_field()

    def for_form(self, form: str) -> "PledgeEvidenceForm":
        self.delivered_on.label.text = translate(DATE_LABELS.get(form) or self.delivered_on.label.text)
        return self
