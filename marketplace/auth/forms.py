from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired


class LoginForm(FlaskForm):
    email = EmailField("电子邮箱", validators=[DataRequired("请输入电子邮箱。")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。")])
