"""A sign-up as an iCalendar file (RFC 5545), so a volunteer can add the shift to a phone's calendar.

Written by hand: one VEVENT with a handful of properties needs only the text escaping (3.3.11) and line
folding (3.1) below, and a library (icalendar) would be a new runtime dependency for forty lines. Times
are UTC (`...Z`), which every calendar converts to the reader's zone, so no VTIMEZONE block is needed.
Only the need's public title and the township-level place go in: never the household's address, which
the volunteer reveals on the site (logged) when the shift is near."""

from datetime import UTC, datetime

from ..i18n import _
from .models import Shift, ShiftSignup
from .shifts import ends_at, starts_at

PRODID = "-//Shanqiao//Volunteer shifts//ZH"
LINE_OCTETS = 75


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after CRLF and one space, never splitting a
    UTF-8 character (a Chinese character is three octets)."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = LINE_OCTETS if not parts else LINE_OCTETS - 1  # a continuation starts with the space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def signup_ics(signup: ShiftSignup, shift: Shift, *, title: str, place: str, url: str, host: str,
               now: datetime) -> str:
    status = "CANCELLED" if shift.status != "active" or signup.status == "cancelled" else "CONFIRMED"
    description = _("善桥志愿服务班次。详细地址在班次开始前24小时于平台查看：%(url)s", url=url)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:shift-signup-{signup.id}@{host}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(starts_at(shift))}",
        f"DTEND:{_stamp(ends_at(shift))}",
        f"SUMMARY:{escape(title)}",
        f"LOCATION:{escape(place)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{url}",
        f"STATUS:{status}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
