from flask import Blueprint

bp = Blueprint("routing", __name__)
