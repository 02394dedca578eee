from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from ..forms import Length, YuanField
from ..i18n import _l
from ..inputs import IntegerField
from ..vocabulary import AGE_BANDS, CATEGORIES, CONTACT_BASES, FORMS, NEED_SOURCES, URGENCIES


def _choices(table: dict) -> list[SelectChoice]:
    return [SelectChoice(code, _l(name)) for code, name in table.items()]


class NeedForm(FlaskForm):
    category = SelectField(_l("需求类别"), choices=_choices(CATEGORIES),
                           validators=[InputRequired(_l("请选择需求类别。"))])
    form = SelectField(_l("需求形式"), choices=_choices(FORMS), validators=[InputRequired(_l("请选择需求形式。"))])
    title = StringField(_l("标题（公开显示，勿含姓名、电话、证件号）"),
                        validators=[DataRequired(_l("请填写标题。")), Length(4, 80, _l("标题须为4至80个字。"))])
    description = TextAreaField(_l("需求描述（公开显示，须去标识化）"),
                                validators=[Optional(), Length(max=2000, message=_l("需求描述不能超过2000字。"))])
    # No default: the poster says how the need came to civil affairs (the reports count needs by source).
    source = SelectField(_l("需求来源"), choices=[SelectChoice("", _l("请选择"))] + _choices(NEED_SOURCES),
                         validators=[InputRequired(_l("请选择需求来源。"))])
    urgency = SelectField(_l("紧急程度"), choices=_choices(URGENCIES), default="normal")
    deadline = DateField(_l("截止日期"), validators=[InputRequired(_l("请填写截止日期（格式：2026-12-31）。"))],
                         default=lambda: date.today() + timedelta(days=30))
    target_amount = YuanField(_l("目标金额（元，资金类必填）"), validators=[Optional()])
    target_quantity = IntegerField(_l("数量（物资类必填；服务类可填次数或小时）"),
                                   validators=[Optional(), NumberRange(1, 100000, _l("数量须为1至100000。"))])
    unit = StringField(_l("计量单位（如：件、袋、台、小时）"), validators=[Optional(), Length(max=8)])
    age_band = SelectField(_l("受助人年龄段（公开显示为年龄段，未成年人显示为「未成年人」）"),
                           choices=[SelectChoice("", _l("不指定"))] + _choices(AGE_BANDS), default="")
    contact_basis = SelectField(_l("联系方式共享依据"), choices=_choices(CONTACT_BASES), default="none")
    # Facts the duplicate rules compare (重复救助核对); never shown publicly.
    period_start = DateField(_l("帮扶时段开始（如学期、服务起始日）"), validators=[Optional()])
    period_end = DateField(_l("帮扶时段结束"), validators=[Optional()])
    member_ref = StringField(_l("受助成员（按家庭关系填写，如：户主、配偶、子女1；不得填写姓名）"),
                             validators=[Optional(), Length(max=16, message=_l("受助成员不能超过16个字。"))])
    item_key = StringField(_l("物品（物资类填写，如：电暖器、棉被）"),
                           validators=[Optional(), Length(max=40, message=_l("物品名称不能超过40个字。"))])
    override_reason = TextAreaField(_l("一事一议理由（与已有帮扶可能重复时必填，至少4个字；记入流转记录和救助链）"),
                                    validators=[Optional(), Length(max=400, message=_l("一事一议理由不能超过400字。"))])
