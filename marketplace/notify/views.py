"""/staff/outbox: 邮件队列, what the worker still has to send, has sent, and gave up on; failed mail can be
retried. County-level staff and above only: the queue holds mail of every region."""

from flask import Blueprint, abort, current_app, request
from flask_login import current_user
from sqlalchemy import func, select

from ..auth.decorators import staff_required
from ..db import db
from ..errors import Conflict
from ..forms import EmptyForm
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


def _require_county_staff() -> None:
    if len(current_user.region_code or "") > 6:
        abort(403)


@bp.get("/staff/outbox")
@staff_required
def index():
    _require_county_staff()
    session = db()
    tab = request.args.get("status", "pending")
    if tab not in TABS:
        tab = "pending"
    page_arg = request.args.get("page", "1")
    page = max(1, int(page_arg)) if page_arg.isdigit() else 1
    per_page = current_app.config["PAGE_SIZE"]
    by_status = dict(session.execute(select(OutboxMessage.status, func.count())
                                     .where(OutboxMessage.topic == MAIL).group_by(OutboxMessage.status)).all())
    counts = {name: sum(by_status.get(s, 0) for s in statuses) for name, statuses in TABS.items()}
    rows = session.scalars(select(OutboxMessage)
                           .where(OutboxMessage.topic == MAIL, OutboxMessage.status.in_(TABS[tab]))
                           .order_by(*_ORDER[tab]).limit(per_page).offset((page - 1) * per_page)).all()
    return render("notify/outbox.html", fragment="notify/_outbox_rows.html", rows=rows, tab=tab, tabs=TAB_LABELS,
                  counts=counts, total=counts[tab], page=page, per_page=per_page, form=EmptyForm())


@bp.post("/staff/outbox/<int:message_id>/retry")
@staff_required
def retry(message_id: int):
    _require_county_staff()
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if not delivery.retry(db(), message_id):
        raise Conflict("该邮件不在“发送失败”状态，无需重试。")
    return done("已重新排队，稍后由后台发送。", "notify_outbox.index", status="failed")
