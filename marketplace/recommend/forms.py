from flask_wtf import FlaskForm
from wtforms import SelectMultipleField


class ServiceProfileForm(FlaskForm):
    # Choices are checked by profile.save against the vocabulary and the region table, with messages in
    # Chinese; WTForms' own choice check would answer in English.
    categories = SelectMultipleField("服务类别", validate_choice=False)
    regions = SelectMultipleField("服务地区", validate_choice=False)
