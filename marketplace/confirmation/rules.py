"""Whether a need form's evidence must carry the household's confirmation before it can be verified.

One row per form overrides the default; the rule is platform-wide, like the duplicate-aid rules, so only
staff at county level or above with the rules duty change it, and every change (a refused one too) is a
rules.change row of the security log."""

from sqlalchemy import select
from sqlmodel import Session

from ..auth.access import require_duty
from ..errors import DomainError, Forbidden
from ..i18n import N_, _
from ..modelbase import utcnow
from ..vocabulary import FORMS
from .models import ConfirmationRule

# Money, goods and retrofits leave something the household can confirm it received; a service visit is
# attested by its attendance and hours, so confirmation is asked for but not required.
DEFAULTS = {"money": True, "goods": True, "retrofit": True, "service": False}
COUNTY_ONLY = N_("送达确认规则全平台通用，只有县级及以上的工作人员可以修改。")


def required(session: Session, form: str) -> bool:
    stored = session.get(ConfirmationRule, form)
    return stored.required if stored is not None else DEFAULTS.get(form, False)


def all_rules(session: Session) -> list[tuple[str, bool, ConfirmationRule | None]]:
    """(form, required, the stored row or None when the default applies), in the vocabulary's order."""
    stored = {r.form: r for r in session.scalars(select(ConfirmationRule))}
    return [(form, stored[form].required if form in stored else DEFAULTS.get(form, False), stored.get(form))
            for form in FORMS]


def update(session: Session, actor, wanted: dict[str, bool]) -> list[str]:
    """Set the rule of each form in `wanted`; returns the forms whose rule changed."""
    from ..security import events

    try:
        require_duty(actor, "rules")
        if len(actor.region_code or "") > 6:
            raise Forbidden(COUNTY_ONLY)
    except DomainError as error:
        events.record(session, "rules.change", outcome="denied", actor=actor, what="confirmation",
                      reason=error.message[:80])
        error.message = _(error.message)  # the log keeps the Chinese; the page is in the reader's language
        raise
    current = {form: value for form, value, _row in all_rules(session)}
    changed = [form for form, value in wanted.items() if form in FORMS and current[form] != bool(value)]
    for form in changed:
        row = session.get(ConfirmationRule, form)
        if row is None:
            row = ConfirmationRule(form=form, required=bool(wanted[form]))
            session.add(row)
        row.required, row.updated_by_id, row.updated_at = bool(wanted[form]), actor.id, utcnow()
    session.flush()
    if changed:
        events.record(session, "rules.change", actor=actor, what="confirmation", changed=changed,
                      required={form: bool(wanted[form]) for form in changed})
    return changed
