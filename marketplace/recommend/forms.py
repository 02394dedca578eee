from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

from ..i18n import _l


class ServiceProfileForm(FlaskForm):
    # Choices are checked by profile.save against the vocabulary and the region table, with messages in
    # the reader's language; WTForms' own choice check would answer in English only.
    categories = SelectMultipleField(_l("服务类别"), validate_choice=False)
    regions = SelectMultipleField(_l("服务地区"), validate_choice=False)
