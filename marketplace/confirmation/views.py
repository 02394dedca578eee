from flask import Blueprint

bp = Blueprint("confirmation", __name__)
