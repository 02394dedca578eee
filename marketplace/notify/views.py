"""/staff/outbox: 邮件队列, what the worker still has to send, has sent, and gave up on; failed mail can be
retried. County-level staff and above only, and each sees only the mail of recipients in their own
region subtree (the recipient's region is kept on the row when it is queued, messages.recipient_region):
a county clerk neither sees nor retries another county's mail. The filter is in the query, so counts and
pages are of the reader's own mail."""

from flask import Blueprint, abort, request
from flask_login import current_user
from sqlalchemy import func, select

from .. import paging
from ..auth.access import in_scope_sql
from ..auth.policy import permission
from ..db import db
from ..errors import Conflict
from ..forms import EmptyForm
from ..i18n import N_, _
from ..outbox.models import OutboxMessage
from ..web import done, render
from . import delivery
from .outbox_mail import MAIL

bp = Blueprint("notify_outbox", __name__)

# Tab -> the statuses it shows. A row being sent right now still counts as waiting.
TABS = {"pending": ("pending", "sending"), "sent": ("sent",), "failed": ("failed",)}
TAB_LABELS = {"pending": N_("待发送"), "sent": N_("已发送"), "failed": N_("发送失败")}  # translated where shown
# Each order is answered by ix_outbox_due (topic, status, next_attempt_at). Sent mail goes by the time its
# successful attempt fell due: the worker sends in that order, moments later, so it is the order of sent_at
# without an index of its own; sorting every sent mail by sent_at on each page view grew with the queue.
_ORDER = {
    "pending": (OutboxMessage.next_attempt_at, OutboxMessage.id),
    "sent": (OutboxMessage.next_attempt_at.desc(), OutboxMessage.id.desc()),
    "failed": (OutboxMessage.id.desc(),),
}
# Mail waiting or failed is a handful of rows, counted for the tabs; sent mail only grows, and is not.
_COUNTED = ("pending", "failed")


def _mine():
    """The mail rows the reader may see: mail, to recipients inside the reader's region subtree (an index
    range on ix_outbox_mail_scope)."""
    return OutboxMessage.topic == MAIL, in_scope_sql(current_user, OutboxMessage.region)


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
    want = paging.requested(request.args)
    counted = [status for name in _COUNTED for status in TABS[name]]
    by_status = dict(session.execute(select(OutboxMessage.status, func.count())
                                     .where(*_mine(), OutboxMessage.status.in_(counted))
                                     .group_by(OutboxMessage.status)).all())
    counts = {name: sum(by_status.get(s, 0) for s in TABS[name]) for name in _COUNTED}
    query = select(OutboxMessage).where(*_mine(), OutboxMessage.status.in_(TABS[tab])).order_by(*_ORDER[tab])
    if tab in counts:
        page = paging.counted(session, query, want, scalars=True, total=counts[tab])
    else:
        page = paging.uncounted(session, query, want, scalars=True)
    return render("notify/outbox.html", fragment="notify/_outbox_rows.html", page=page, tab=tab, tabs=TAB_LABELS,
                  counts=counts, form=EmptyForm())


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
        raise Conflict(_("该邮件不在“发送失败”状态，无需重试。"))
    return done(_("已重新排队，稍后由后台发送。"), "notify_outbox.index", status="failed")
