"""/staff/outbox: 邮件队列, what the worker still has to send, has sent, and gave up on; failed mail can be
retried. County-level staff and above only, and each sees only the mail of recipients in their own
region subtree (the recipient's region is kept on the row when it is queued, messages.recipient_region):
a county clerk neither sees nor retries another county's mail. The filter is in the query, so counts and
pages are of the reader's own mail."""

from flask import Blueprint, abort, current_app, request
from flask_login import current_user
from sqlalchemy import false, func, select

from ..auth.access import scope_prefix
from ..auth.policy import permission
from ..db import db
from ..errors import Conflict
from ..forms import EmptyForm
from ..inputs import int_arg
from ..outbox.models import OutboxMessage
from ..web import done, render
from . import delivery
from .outbox_mail import MAIL

bp = Blueprint("notify_outbox", __name__)

# Tab -> the statuses it shows. A row being sent right now still counts as waiting.
TABS = {"pending": ("pending", "sending"), "sent": ("sent",), "failed": ("failed",)}
TAB_LABELS = {"pending": "待发送", "sent": "已发送", "failed": "发送失败"}
_ORDER = {
    "pending": (OutboxMessage.next_attempt_at, OutboxMessage.id),
    "sent": (OutboxMessage.sent_at.desc(), OutboxMessage.id.desc()),
    "failed": (OutboxMessage.id.desc(),),
}


def _mine():
    """The mail rows the reader may see: mail, to recipients inside the reader's region subtree."""
    prefix = scope_prefix(current_user.region_code or "")
    return (OutboxMessage.topic == MAIL,
            OutboxMessage.payload["region"].as_string().startswith(prefix, autoescape=True) if prefix else false())


def _require_county_staff() -> None:
    if len(current_user.region_code or "") > 6:
        abort(403)


@bp.get("/staff/outbox")
@permission("outbox.read")
def index():
    _require_county_staff()
    session = db()
    tab = request.args.get("status", "pending")
    if tab not in TABS:
        tab = "pending"
    page = int_arg(request.args, "page", 1)
    per_page = current_app.config["PAGE_SIZE"]
    by_status = dict(session.execute(select(OutboxMessage.status, func.count())
                                     .where(*_mine()).group_by(OutboxMessage.status)).all())
    counts = {name: sum(by_status.get(s, 0) for s in statuses) for name, statuses in TABS.items()}
    rows = session.scalars(select(OutboxMessage)
                           .where(*_mine(), OutboxMessage.status.in_(TABS[tab]))
                           .order_by(*_ORDER[tab]).limit(per_page).offset((page - 1) * per_page)).all()
    return render("notify/outbox.html", fragment="notify/_outbox_rows.html", rows=rows, tab=tab, tabs=TAB_LABELS,
                  counts=counts, total=counts[tab], page=page, per_page=per_page, form=EmptyForm())


@bp.post("/staff/outbox/<int:message_id>/retry")
@permission("outbox.read")
def retry(message_id: int):
    _require_county_staff()
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if db().scalar(select(OutboxMessage.id).where(OutboxMessage.id == message_id, *_mine())) is None:
        abort(404)  # another region's mail is not there for this reader
    if not delivery.retry(db(), message_id):
        raise Conflict("该邮件不在“发送失败”状态，无需重试。")
    return done("已重新排队，稍后由后台发送。", "notify_outbox.index", status="failed")
