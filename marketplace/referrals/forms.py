from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..forms import Length, no_html
from ..i18n import _l


class ReferralForm(FlaskForm):
    # The township and the hardships are checked by the service, which names the problem.
    region_code = SelectField(_l("家庭所在乡镇（街道）"), validate_choice=False,
                              validators=[DataRequired(_l("请选择家庭所在的乡镇（街道）。"))])
    hardships = SelectMultipleField(_l("困难情形"), validate_choice=False,
                                    validators=[DataRequired(_l("请至少选择一种困难情形。"))])
    description = TextAreaField(_l("情况说明（遇到了什么困难，目前得到了哪些帮助；不要写姓名、身份证号、电话）"),
                                validators=[DataRequired(_l("请填写情况说明。")),
                                            Length(10, 2000, _l("情况说明须为10至2000字。")), no_html])
    consent = BooleanField(_l("本人（或监护人）已同意将家庭情况和联系方式转给民政部门"),
                           validators=[DataRequired(_l("转介须经本人（或监护人）同意：请确认已征得同意，并写明同意的方式。"))])
    consent_note = StringField(_l("如何征得同意（例如：本人口头同意，社区网格员在场）"),
                               validators=[DataRequired(_l("请写明如何征得同意。")),
                                           Length(2, 200, _l("同意方式须为2至200字。")), no_html])
    name = StringField(_l("姓名（可不填；加密保存，只有民政工作人员可查看）"), validators=[Optional(), Length(2, 32)])
    phone = StringField(_l("联系电话（可不填；加密保存，只有民政工作人员可查看）"), validators=[Optional(), Length(max=20)])


class DecisionForm(FlaskForm):
    outcome = SelectField(_l("办理结果"), validate_choice=False)
    reason = TextAreaField(_l("原因或说明（「不符合条件」时必填，转介人会看到；不要写姓名、身份证号、电话）"),
                           validators=[Optional(), Length(max=500)])
    household_code = StringField(_l("关联救助对象的户编号（可不填）"), validators=[Optional(), Length(max=32)])


class LinkForm(FlaskForm):
    household_code = StringField(_l("户编号"), validators=[DataRequired(_l("请填写户编号。")), Length(max=32)])
