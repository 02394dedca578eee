from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from ..forms import Length, YuanField, no_html
from ..i18n import _l
from ..inputs import IntegerField


class OfferForm(FlaskForm):
    """Checkbox groups (categories, forms, tiers, age bands, places) are rendered by the template; the
    service names the group that is wrong."""

    title = StringField(_l("项目名称（公开显示）"), validators=[DataRequired(_l("请填写项目名称。")),
                                                       Length(4, 80, _l("项目名称须为4至80个字。")), no_html])
    description = TextAreaField(_l("项目介绍（公开显示，不得含任何受助人信息）"),
                                validators=[Optional(), Length(max=2000), no_html])
    categories = SelectMultipleField(_l("帮扶类别"), validate_choice=False)
    forms = SelectMultipleField(_l("帮扶形式"), validate_choice=False)
    tiers = SelectMultipleField(_l("对象类别（不选为不限）"), validate_choice=False)
    age_bands = SelectMultipleField(_l("年龄段（不选为不限）"), validate_choice=False)
    regions = SelectMultipleField(_l("服务地区"), validate_choice=False)
    budget = YuanField(_l("总预算（元，资金类填写）"), validators=[Optional()])
    quantity = IntegerField(_l("总数量（物资、服务类填写）"),
                            validators=[Optional(), NumberRange(1, 1000000, _l("总数量须为1至1000000。"))])
    unit = StringField(_l("单位（如：件、次、户）"), validators=[Optional(), Length(max=8)])
    cap = YuanField(_l("每户上限（元）"), validators=[Optional()])
    cap_quantity = IntegerField(_l("每户上限（数量）"),
                                validators=[Optional(), NumberRange(1, 1000000, _l("每户上限须为1至1000000。"))])
    starts_on = DateField(_l("开始日期"), validators=[InputRequired(_l("请填写开始日期（格式：2026-12-31）。"))],
                          default=date.today)
    ends_on = DateField(_l("结束日期"), validators=[InputRequired(_l("请填写结束日期（格式：2026-12-31）。"))],
                        default=lambda: date.today() + timedelta(days=180))
    selection = TextAreaField(_l("受助对象确定方式（如：由民政部门定向转介，按困难程度排序）"),
                              validators=[DataRequired(_l("请说明受助对象如何确定。")),
                                          Length(4, 500, _l("确定方式须为4至500字。")), no_html])
