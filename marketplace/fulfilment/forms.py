from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import YuanField
from ..inputs import DecimalField, IntegerField


class EvidenceForm(FlaskForm):
    delivered_on = DateField("交付/服务日期", validators=[InputRequired("请填写交付日期。")], default=date.today)
    summary = TextAreaField("帮扶情况说明（做了什么、交付了什么、受助方反馈）",
                            validators=[DataRequired("请填写帮扶情况说明。"), Length(4, 2000, "说明须为4至2000字。")])
    amount = YuanField("实际资助金额（元）", validators=[Optional()])
    quantity = IntegerField("实际交付数量", validators=[Optional(), NumberRange(1, 100000, "数量须为1至100000。")])
    hours = DecimalField("服务时长（小时）", places=1,
                         validators=[Optional(), NumberRange(0.5, 1000, "服务时长须在0.5至1000小时之间。")])
