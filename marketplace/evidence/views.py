from flask import Blueprint

bp = Blueprint("evidence", __name__)
