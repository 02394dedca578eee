"""Form pieces shared by several capabilities."""

import re
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField, validators
from wtforms.validators import DataRequired, ValidationError

from .i18n import _, _l
from .inputs import finite_decimal


class Length(validators.Length):
    """WTForms' Length, but a text that is too long is refused by the server with the limit and the count
    (「需求描述最多2000字，当前20000字。」) instead of the browser's `maxlength` cutting a pasted text silently.

    The field gets no `maxlength` attribute; it carries the flag `maxchars`, from which the `field` macro
    shows a live counter (static/app.js). `name` defaults to the label up to its first bracket. A given
    message still answers a text that is too short.
    """

    def __init__(self, min=-1, max=-1, message=None, name=None):
        super().__init__(min, max, message)
        self.name = name
        self.field_flags = {"minlength": min} if min > 0 else {}
        if max != -1:
            self.field_flags["maxchars"] = max

    def _name(self, field) -> str:
        return self.name or re.split(r"[（(]", str(field.label.text), maxsplit=1)[0].strip() or _("此项")

    def __call__(self, form, field):
        # A browser sends a textarea's line breaks as CRLF but counts each as one character, as people do.
        length = len((field.data or "").replace("\r\n", "\n"))
        if self.max != -1 and length > self.max:
            raise ValidationError(_("%(name)s最多%(max)s字，当前%(count)s字。", name=self._name(field), max=self.max,
                                    count=length))
        if length < self.min:
            raise ValidationError(self.message or _("%(name)s至少%(min)s字，当前%(count)s字。", name=self._name(field),
                                                      min=self.min, count=length))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(_l("请填写原因。")),
                                                   Length(2, 500, _l("原因须为2至500字。"))])


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
            raise ValueError(_("请输入数字金额，例如 1200 或 1200.50。")) from exc
        if amount <= 0 or amount > Decimal("10000000") or amount.as_tuple().exponent < -2:
            raise ValueError(_("金额须大于0、不超过一千万元，最多两位小数。"))
        self.data = int(amount * 100)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data / 100:.2f}"


def no_html(_form, field):
    if field.data and ("<" in field.data and ">" in field.data):
        raise ValidationError(_("请不要输入HTML标签。"))
