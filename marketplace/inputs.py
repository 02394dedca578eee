"""Numbers and text from requests, read one way everywhere.

A number typed into a form or a URL is checked here before any service or query sees it: NaN, Infinity,
"1e400", 20-digit integers and anything outside the field's range are refused with 422 and a message that
names the field (a NaN Decimal raised on its first comparison, and an offset beyond 64 bits overflowed the
database driver: both were 500s). Forms use IntegerField and DecimalField from here instead of WTForms'
own; query parameters use `int_arg`.

Text: NUL and the other control characters are refused in every query parameter and form value (tab,
CR and LF are allowed in form values, where a multi-line text area sends them), by `check_request` run
before every request, which also answers a URL longer than MAX_URL_BYTES with 414."""

import re
from decimal import Decimal, InvalidOperation

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import RequestURITooLarge
from werkzeug.routing import IntegerConverter
from wtforms import DecimalField as _DecimalField
from wtforms import IntegerField as _IntegerField

from .errors import Invalid
from .i18n import _

# PostgreSQL's integer: every integer column and id fits, so no bound can overflow the database.
INT_MAX = 2**31 - 1
MAX_URL_BYTES = 8192
_DIGITS = re.compile(r"-?\d{1,12}")
# C0 controls, DEL and C1 controls; a form value may hold tab, LF and CR (a text area's lines).
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def whole_number(raw: str | None, field: str, *, low: int, high: int, label: str | None = None) -> int:
    text = (raw or "").strip()
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        if label:
            raise Invalid(_("%(name)s须为%(low)s至%(high)s的整数。", name=label, low=low, high=high), field)
        raise Invalid(_("%(name)s 须为%(low)s至%(high)s的整数。", name=field, low=low, high=high), field)
    return int(text)


def int_arg(args, name: str, default: int, *, low: int = 1, high: int = 10000, label: str | None = None) -> int:
    """A whole-number query parameter: absent or empty gives `default`, anything else outside
    [low, high] is a 422 naming the parameter. Page numbers use the default bounds."""
    raw = args.get(name)
    if raw is None or not raw.strip():
        return default
    return whole_number(raw, name, low=low, high=high, label=label)


class IntegerField(_IntegerField):
    """WTForms' IntegerField, bounded by PostgreSQL's integer even where the form sets no NumberRange
    (a 20-digit number is refused next to the field rather than overflowing the query)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        self.data = None
        if not text:
            raise ValueError(_("请输入整数。"))  # Optional() clears this for an empty optional field
        if not _DIGITS.fullmatch(text):
            raise ValueError(_("请输入整数，例如 3。"))
        if abs(int(text)) > INT_MAX:
            raise ValueError(_("数值超出允许范围。"))
        self.data = int(text)


class DecimalField(_DecimalField):
    """WTForms' DecimalField without NaN, Infinity or absurd magnitudes ("1e999999")."""

    MAX = Decimal(10) ** 9

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        self.data = finite_decimal(valuelist[0])


def finite_decimal(raw: str | None, *, limit: Decimal = DecimalField.MAX) -> Decimal:
    """A decimal number a person typed, or ValueError with the message to show next to the field."""
    text = (raw or "").strip()
    if not text:
        raise ValueError(_("请输入数字。"))
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueError(_("请输入数字，例如 2 或 2.5。")) from None
    if not value.is_finite() or value.copy_abs() > limit:  # copy_abs: no context, so no Overflow
        raise ValueError(_("请输入有效范围内的数字。"))
    return value


class BoundedIntegerConverter(IntegerConverter):
    """<int:...> in routes, at most INT_MAX: a larger id matches no route (404) instead of overflowing."""

    def __init__(self, map, fixed_digits=0, min=None, max=INT_MAX, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def control_character_field(args: MultiDict, form: MultiDict) -> str | None:
    """The name of the first query parameter or form field (name or value) holding a control character."""
    for name, value in args.items(multi=True):
        if _CONTROL_IN_LINE.search(name) or _CONTROL_IN_LINE.search(value):
            return name
    for name, value in form.items(multi=True):
        if _CONTROL_IN_LINE.search(name) or _CONTROL_IN_TEXT.search(value):
            return name
    return None


def check_request(request) -> None:
    """Run before every request: the URL's length, then control characters in parameters and fields."""
    if len(request.full_path.encode()) > MAX_URL_BYTES:
        raise RequestURITooLarge()
    field = control_character_field(request.args, request.form if request.method == "POST" else MultiDict())
    if field is not None:
        raise Invalid(_("「%(field)s」中含有不允许的控制字符（如 NUL），请删除后重新提交。", field=field[:40]), field[:40])
