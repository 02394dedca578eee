"""The correction form on the chain page."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, NumberRange, Optional

from ..forms import Length, YuanField, no_html
from ..i18n import _l
from ..inputs import DecimalField, IntegerField


class CorrectionForm(FlaskForm):
    entry_id = SelectField(_l("要更正的记录"), coerce=int, validate_choice=True)
    void = BooleanField(_l("作废该记录（记录有误、重复登记或未实际发放）"))
    amount = YuanField(_l("更正后的金额（元）"), validators=[Optional()])
    quantity = IntegerField(_l("更正后的数量"), validators=[Optional(), NumberRange(1, 100000, _l("数量须为1至100000。"))])
    hours = DecimalField(_l("更正后的服务时长（小时）"), places=1,
                         validators=[Optional(), NumberRange(0.5, 1000, _l("服务时长须在0.5至1000小时之间。"))])
    reason = TextAreaField(_l("更正原因（记入救助链，不得含姓名、证件号、电话）"),
                           validators=[DataRequired(_l("请填写更正原因。")), Length(2, 500, _l("原因须为2至500字。")),
                                       no_html])


class MoveForm(FlaskForm):
    """迁移: the household's new region, for staff whose scope covers both places (registry/moving.py)."""

    to_region = StringField(_l("迁入地行政区划代码（6、9或12位）"),
                            validators=[DataRequired(_l("请填写迁入地行政区划代码。")),
                                        Length(6, 12, _l("行政区划代码应为6、9或12位数字。"))])
    reason = TextAreaField(_l("迁移原因（记入该户变更记录）"),
                           validators=[DataRequired(_l("请填写迁移原因。")), Length(2, 200, _l("原因须为2至200字。")),
                                       no_html])
