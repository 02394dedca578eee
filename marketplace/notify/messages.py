"""Messages: one call renders a kind of mail in the recipient's language and queues it in the caller's
transaction (notify.outbox_mail), so the mail goes out only if the change commits, and once per key.

Privacy: contexts are built from the public projection of a need (needs.listing.public_need: title,
category, township-level area, deadline) and never from the registry, so no household's name, ID
number, phone, address or health detail can reach an inbox, whoever the recipient is."""

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import in_scope
from ..auth.models import AppUser
from ..needs.listing import public_need
from ..needs.models import Need
from ..vocabulary import CATEGORIES
from . import outbox_mail, render, tokens

KINDS = (
    "org.approved", "org.rejected", "org.suspended", "org.invitation", "need.claimed", "need.pledged",
    "evidence.submitted", "fulfilment.verified", "fulfilment.rejected", "claim.expiring", "claim.expired",
    "transfer.requested", "transfer.accepted", "transfer.lapsed", "shift.reminder", "shift.promoted",
    "digest.daily", "password.reset", "login.locked", "need.routed",
    "referral.filed", "referral.decided", "offer.referred", "bulletin.ready",
)
# Mail the user did not cause and may switch off: it carries a signed one-click unsubscribe link.
UNSUBSCRIBE = {"digest.daily": "digest", "shift.reminder": "reminders", "bulletin.ready": "bulletin"}
CATEGORY_NAMES = {
    "zh": CATEGORIES,
    "en": {"care": "Daily care", "education": "Education", "accessibility": "Accessibility retrofit",
           "medical": "Medical and rehabilitation", "housing": "Housing repair", "employment": "Employment",
           "psychological": "Psychological support", "goods": "Daily necessities",
           "emergency": "Emergency relief", "other": "Other", "basic_living": "Basic living allowance"},
}
ADMIN = "administrator"  # organizations.access.ADMIN; not imported, so services importing us stay acyclic


def lang_of(recipient) -> str:
    return "en" if getattr(recipient, "locale", None) == "en" else "zh"


def send(session: Session, kind: str, recipient: AppUser | str, context: dict, key: str, *,
         region: str | None = None):
    """Queue `kind` for `recipient` (an account, or a bare address such as an invitee's, whose `region`
    the caller gives). `context["path"]` is the site path the message links back to. Returns the outbox
    row, or None when nothing was queued (the key was used already, or the account is disabled)."""
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    user = recipient if isinstance(recipient, AppUser) else None
    if user is not None and not user.is_active:
        return None
    lang = lang_of(user) if user is not None else context.get("lang", "zh")
    names = CATEGORY_NAMES[lang]
    ctx = {**context, "url": tokens.absolute(context.get("path", "/")), "cat": lambda code: names.get(code, code)}
    headers = None
    topic = UNSUBSCRIBE.get(kind)
    if topic and user is not None:
        ctx["unsubscribe_url"] = tokens.absolute(f"/unsubscribe/{tokens.unsubscribe_token(user.id, topic)}")
        # RFC 2369 / RFC 8058: mail clients show their own unsubscribe button and POST to the link.
        headers = {"List-Unsubscribe": f"<{ctx['unsubscribe_url']}>",
                   "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    mail = render.render(kind, lang, ctx)
    return outbox_mail.queue(session, to=user.email if user is not None else recipient, subject=mail.subject,
                             text=mail.text, html=mail.html, key=key, kind=kind, headers=headers,
                             staff=bool(user is not None and user.is_staff),
                             user_id=user.id if user is not None else None,
                             region=recipient_region(session, user) if user is not None else region)


def recipient_region(session: Session, user: AppUser) -> str | None:
    """Where a recipient belongs, for the 邮件队列's scope: a staff member's or volunteer's region, a
    charity member's organisation's region."""
    if user.role == "charity" and user.organization_id:
        from ..organizations.models import Organization

        org = session.get(Organization, user.organization_id)
        return org.region_code if org else None
    return user.region_code


def send_each(session: Session, kind: str, users, context: dict, key: str) -> int:
    """The same message to several people: one row each, keyed per recipient."""
    return sum(send(session, kind, user, context, f"{key}:{user.id}") is not None for user in users)


def need_context(session: Session, need: Need) -> dict:
    """The only facts of a need any message may carry: its public projection's allowlist."""
    public = public_need(session, need)
    return {"need": {"id": public.id, "title": public.title, "category": public.category, "area": public.area,
                     "deadline": public.deadline.isoformat()}}


def user(session: Session, user_id: int | None) -> AppUser | None:
    return session.get(AppUser, user_id) if user_id else None


def org_admins(session: Session, org_id: int | None) -> list[AppUser]:
    """Who hears about an organisation: its administrators, or all its members if it has none yet."""
    if not org_id:
        return []
    members = list(session.scalars(select(AppUser).where(AppUser.organization_id == org_id,
                                                         AppUser.is_active.is_(True)).order_by(AppUser.id)))
    admins = [m for m in members if m.org_role == ADMIN]
    return admins or members


def region_staff(session: Session, region_code: str, exclude: set[int | None] = frozenset()) -> list[AppUser]:
    """Every active staff member whose region subtree contains `region_code` (who may verify there)."""
    # Same province first (every scope above it is national staff, which the platform does not have).
    staff = session.scalars(select(AppUser).where(AppUser.role == "staff", AppUser.is_active.is_(True),
                                                  AppUser.region_code.startswith(region_code[:2]))
                            .order_by(AppUser.id))
    return [s for s in staff if s.id not in exclude and in_scope(s, region_code)]
