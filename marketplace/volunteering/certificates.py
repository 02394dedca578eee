"""The hours certificate and its public check (/certificates/<number>).

What counts: approved hours only. That is a shift's hours once a coordinator approved them, and the hours
of a service need the volunteer claimed alone, once staff verified the evidence (the demo's volunteers
serve that way, which is why the certificate said "0 小时" while 我的认领 listed verified services). A
verified need on which shift hours were recorded counts through those shift entries only, because the
evidence's hours default to the sum of its shifts' attendance (fulfilment/evidence_forms.attendance).

The 验证编号 names the volunteer and the period and carries an HMAC of both under the app's secret key:
nothing is stored, the check recomputes it, and without the key no valid number can be made or guessed
(60 bits). Anyone holding a number learns only what the printout shows: a masked name, the declared
organisation, the approved hours of the period."""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlmodel import Session

from ..auth.models import AppUser
from ..claims.models import Claim
from ..fulfilment.models import Fulfilment
from ..i18n import N_, _
from ..needs.listing import projected
from ..needs.models import Need
from ..organizations.models import Organization
from .models import HoursEntry, Shift, VolunteerProfile

PLATFORM = N_("善桥 社会救助帮扶对接平台")  # translated where shown (`|t`)
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U to misread
_NUMBER = re.compile(r"SQ-([0-9A-Z]{1,8})-(\d{8})-(\d{8})-([0-9A-Z]{4})-([0-9A-Z]{4})-([0-9A-Z]{4})")


@dataclass(frozen=True)
class Line:
    day: date
    title: str
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


@dataclass(frozen=True)
class Certificate:
    display_name: str
    lines: list[Line]
    total_minutes: int
    number: str | None  # none while there are no approved hours to vouch for
    issued: date
    platform: str = PLATFORM

    @property
    def period(self) -> tuple[date, date] | None:
        return (self.lines[0].day, self.lines[-1].day) if self.lines else None


@dataclass(frozen=True)
class Check:
    masked_name: str
    organization: str | None
    total_minutes: int
    start: date
    end: date


def _b32(value: int) -> str:
    text = ""
    while True:
        value, digit = divmod(value, 32)
        text = _ALPHABET[digit] + text
        if not value:
            return text


def _mac(secret: str | bytes, user_id: int, start: date, end: date) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    message = f"hours-certificate:{user_id}:{start.isoformat()}:{end.isoformat()}".encode()
    tag = int.from_bytes(hmac.new(key, message, hashlib.sha256).digest()[:8], "big") >> 4  # 60 bits
    return _b32(tag).rjust(12, "0")


def number_for(secret, user_id: int, start: date, end: date) -> str:
    tag = _mac(secret, user_id, start, end)
    return f"SQ-{_b32(user_id)}-{start:%Y%m%d}-{end:%Y%m%d}-{tag[:4]}-{tag[4:8]}-{tag[8:]}"


def lines_of(session: Session, user_id: int, start: date | None = None, end: date | None = None) -> list[Line]:
    """Approved hours of the volunteer, by day, optionally within [start, end]."""
    shift_rows = select(Shift.date, Shift.need_id, HoursEntry.minutes).join(
        Shift, Shift.id == HoursEntry.shift_id).where(HoursEntry.user_id == user_id, HoursEntry.status == "approved")
    shift_hours = exists().where(HoursEntry.shift_id == Shift.id, Shift.need_id == Fulfilment.need_id)
    served = (select(Fulfilment.delivered_on, Fulfilment.need_id, Fulfilment.hours)
              .join(Claim, Claim.id == Fulfilment.claim_id).join(Need, Need.id == Fulfilment.need_id)
              .where(Claim.claimant_id == user_id, Need.form == "service",
                     Fulfilment.status == "verified", Fulfilment.hours > 0, ~shift_hours))
    if start and end:
        shift_rows = shift_rows.where(Shift.date >= start, Shift.date <= end)
        served = served.where(Fulfilment.delivered_on >= start, Fulfilment.delivered_on <= end)
    rows = [(day, need, int(m)) for day, need, m in session.execute(shift_rows)]
    rows += [(day, need, int(round(h * 60))) for day, need, h in session.execute(served)]
    titles = projected(session, [need for _day, need, _minutes in rows])
    return sorted((Line(day, titles[need].title if need in titles else _("志愿服务"), minutes)
                   for day, need, minutes in rows), key=lambda line: (line.day, line.title))


def certificate(session: Session, actor, secret, today: date | None = None) -> Certificate:
    lines = lines_of(session, actor.id)
    number = number_for(secret, actor.id, lines[0].day, lines[-1].day) if lines else None
    return Certificate(actor.display_name, lines, sum(line.minutes for line in lines), number,
                       today or date.today())


def mask(name: str) -> str:
    name = (name or "").strip()
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else "*"


def check(session: Session, secret, number: str) -> Check | None:
    """The certificate a number stands for, or None when the number is not one the platform issued."""
    match = _NUMBER.fullmatch((number or "").strip().upper())
    if not match:
        return None
    raw_id, raw_start, raw_end, *tag = match.groups()
    try:
        user_id = sum(_ALPHABET.index(c) * 32 ** i for i, c in enumerate(reversed(raw_id)))
        start, end = date(*_ymd(raw_start)), date(*_ymd(raw_end))
    except ValueError:
        return None
    if not hmac.compare_digest("".join(tag), _mac(secret, user_id, start, end)):
        return None
    user = session.get(AppUser, user_id)
    if user is None or user.role != "volunteer":
        return None
    org = session.scalar(select(Organization.name).join(VolunteerProfile,
                                                         VolunteerProfile.organization_id == Organization.id)
                         .where(VolunteerProfile.user_id == user_id))
    total = sum(line.minutes for line in lines_of(session, user_id, start, end))
    return Check(mask(user.display_name), org, total, start, end)


def _ymd(text: str) -> tuple[int, int, int]:
    return int(text[:4]), int(text[4:6]), int(text[6:])
