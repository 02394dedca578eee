from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from ..forms import Length, YuanField, no_html
from ..i18n import _l
from ..inputs import DecimalField, IntegerField


class ProjectForm(FlaskForm):
    title = StringField(_l("项目名称"), validators=[DataRequired(_l("请填写项目名称。")),
                                                  Length(4, 80, _l("项目名称须为4至80字。")), no_html])
    # Choices are the approved organisations of the staff member's city, set by the view; the service
    # checks the choice again with a message in the reader's language.
    provider_id = SelectField(_l("承接机构"), validate_choice=False)
    budget = YuanField(_l("项目预算（元）"), validators=[InputRequired(_l("请填写项目预算（元）。"))],
                       render_kw={"inputmode": "decimal"})
    starts_on = DateField(_l("开始日期"), validators=[InputRequired(_l("请填写开始日期。"))], default=date.today)
    ends_on = DateField(_l("结束日期"), validators=[InputRequired(_l("请填写结束日期。"))])
    categories = SelectMultipleField(_l("服务类别"), validate_choice=False)
    regions = SelectMultipleField(_l("服务地区"), validate_choice=False)
    target_households = IntegerField(_l("目标服务户数"), render_kw={"inputmode": "numeric"},
                                     validators=[Optional(), NumberRange(1, 1000000, _l("目标服务户数须为1至1000000。"))])
    target_hours = DecimalField(_l("目标服务时长（小时）"), places=1, render_kw={"inputmode": "decimal"},
                                validators=[Optional(), NumberRange(1, 10000000, _l("目标服务时长须为1至10000000小时。"))])


class AssignForm(FlaskForm):
    need_id = IntegerField(_l("需求编号"), validators=[InputRequired(_l("请填写需求编号。")),
                                                      NumberRange(1, message=_l("请填写有效的需求编号。"))])
