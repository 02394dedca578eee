from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired

from ..duplicates.goods_kinds import GOODS_KINDS
from ..forms import Length
from ..i18n import _l
from ..vocabulary import CATEGORIES


class AidItemForm(FlaskForm):
    pattern = StringField(_l("救助项目（或其中的关键词，如：适老化改造）"),
                          validators=[DataRequired(_l("请填写救助项目。")), Length(2, 60, _l("救助项目须为2至60个字。"))])
    category = SelectField(_l("归入需求类别"),
                           choices=[SelectChoice(code, _l(name)) for code, name in CATEGORIES.items()])
    goods_kind = SelectField(_l("物资种类（生活物资类选填）"),
                             choices=[SelectChoice("", _l("不适用")), *(SelectChoice(k, _l(k)) for k in GOODS_KINDS)])
