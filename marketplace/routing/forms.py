from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from ..forms import Length, YuanField
from ..i18n import _l
from ..inputs import IntegerField
from ..vocabulary import CATEGORIES, ROUTING_ANSWERS
from . import rules, service


class RuleForm(FlaskForm):
    """Choices of place and department are filled by the view from the actor's scope; the service checks them."""

    category = SelectField(_l("需求类别"), choices=[SelectChoice("", _l("请选择"))]
                           + [SelectChoice(code, _l(name)) for code, name in CATEGORIES.items()],
                           validators=[InputRequired(_l("请选择需求类别。"))])
    region_code = SelectField(_l("适用地区（县区或地市）"), validate_choice=False,
                              validators=[InputRequired(_l("请选择适用地区。"))])
    organization_id = SelectField(_l("先行办理的政府部门"), validate_choice=False,
                                  validators=[InputRequired(_l("请选择政府部门。"))])
    working_days = IntegerField(_l("办理期限（工作日）"), default=5, validators=[
        InputRequired(_l("请填写办理期限（工作日数）。")),
        NumberRange(rules.MIN_DAYS, rules.MAX_DAYS, _l("办理期限须为1至30个工作日。"))])


class HandledForm(FlaskForm):
    item = StringField(_l("办理事项（记入该户救助链，如：减免学费、发放助学金）"), validators=[
        InputRequired(_l("请填写办理事项。")), Length(2, service.MAX_ITEM, _l("办理事项须为2至80字。"))])
    amount = YuanField(_l("金额（元，没有金额的事项留空）"), validators=[Optional()])
    occurred_on = DateField(_l("办理日期"), default=date.today,
                            validators=[InputRequired(_l("请填写办理日期（格式：2026-12-31）。"))])
    note = TextAreaField(_l("说明（选填，勿含姓名、证件号、电话）"),
                         validators=[Optional(), Length(max=service.MAX_REASON)])


class DeclineForm(FlaskForm):
    answer = SelectField(_l("退回原因"), choices=[SelectChoice("", _l("请选择"))]
                         + [SelectChoice(code, _l(ROUTING_ANSWERS[code])) for code in service.DECLINES],
                         validators=[InputRequired(_l("请选择退回原因。"))])
    reason = TextAreaField(_l("退回理由（告知民政部门；勿含姓名、证件号、电话）"), validators=[
        InputRequired(_l("请填写退回理由。")),
        Length(service.MIN_REASON, service.MAX_REASON, _l("退回理由须为4至500字。"))])
