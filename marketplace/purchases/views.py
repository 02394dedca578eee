from flask import Blueprint

bp = Blueprint("purchases", __name__)
