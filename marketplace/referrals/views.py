from flask import Blueprint

bp = Blueprint("referrals", __name__)
