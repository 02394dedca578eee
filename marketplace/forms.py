"""Form pieces shared by several capabilities."""

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from .inputs import finite_decimal


class ReasonForm(FlaskForm):
    reason = TextAreaField("原因", validators=[DataRequired("请填写原因。"), Length(2, 500, "原因须为2至500字。")])


class EmptyForm(FlaskForm):
    """A form with nothing but its CSRF token, for one-click actions."""


class YuanField(StringField):
    """An amount in yuan typed by a person ("1,200.50"), held as integer fen."""

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").replace(",", "").replace("，", "").replace("元", "").strip()
        self.raw_data = valuelist
        if not raw:
            return
        try:
            amount = finite_decimal(raw)  # NaN and Infinity are refused there (a NaN raised on comparison)
        except ValueError as exc:
            raise ValueError("请输入数字金额，例如 1200 或 1200.50。") from exc
        if amount <= 0 or amount > Decimal("10000000") or amount.as_tuple().exponent < -2:
            raise ValueError("金额须大于0、不超过一千万元，最多两位小数。")
        self.data = int(amount * 100)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data / 100:.2f}"


def no_html(_form, field):
    if field.data and ("<" in field.data and ">" in field.data):
        raise ValidationError("请不要输入HTML标签。")
