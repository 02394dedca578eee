"""演示邮箱: in demo mode only (`marketplace demo`), the mail the local SMTP sink caught, so a visitor can
follow a password reset, an invitation or a digest. Anywhere else the page does not exist (404): it shows
every account's live reset links, which only a demo with made-up accounts may do."""

from pathlib import Path

from flask import Blueprint, abort, current_app

from ..auth.policy import permission
from ..i18n import second
from ..security.throttle import LOCAL
from ..web import render
from .mailbox import caught

bp = Blueprint("demo", __name__)


@bp.get("/demo/mailbox")
@permission("demo.mailbox")
def mailbox():
    if not current_app.config.get("DEMO_MODE"):
        abort(404)
    mails = caught(Path(current_app.config["DEMO_MAILBOX"]))
    return render("demo/mailbox.html", mails=mails,
                  when=lambda at: second(at.astimezone(LOCAL)))
