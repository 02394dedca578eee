"""What mail a user wants beyond the messages about their own work: the daily digest of new needs (by
category and place) and shift reminders. Services flush, never commit."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, true
from sqlmodel import Field, Session, SQLModel

from ..errors import Invalid
from ..i18n import _
from ..modelbase import utcnow
from ..regions.models import Region
from ..vocabulary import CATEGORIES

LOCALES = {"zh_CN": "中文", "en": "English"}  # each language named in itself: not translated
# What a one-click unsubscribe link may turn off.
TOPICS = ("digest", "reminders", "bulletin")
MAX_REGIONS = 90  # as many township codes as the 1,000-character column holds
REGION_LEVELS = ("county", "township")


class NotificationSubscription(SQLModel, table=True):
    """One row per user who changed the defaults; no row reads as digest off, reminders on. Codes are
    space-separated plain text, identical on both databases (as the service profile stores them)."""

    __tablename__ = "notification_subscription"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", unique=True)
    digest_enabled: bool = Field(default=False)
    categories: str = Field(default="", max_length=200)
    regions: str = Field(default="", max_length=1000)
    reminders_enabled: bool = Field(default=True)
    # 月度衔接情况通报 for the staff of the region (bulletins/): on unless turned off.
    bulletin_enabled: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    updated_at: datetime = Field(default_factory=utcnow)


@dataclass(frozen=True)
class Choice:
    locale: str
    digest_enabled: bool
    categories: list[str]
    regions: list[str]
    reminders_enabled: bool
    bulletin_enabled: bool | None = None  # staff only (月度衔接情况通报); None leaves it as it is


def subscription_of(session: Session, user_id: int) -> NotificationSubscription:
    """The user's row, or an unsaved one holding the defaults."""
    row = session.scalars(select(NotificationSubscription)
                          .where(NotificationSubscription.user_id == user_id)).first()
    return row or NotificationSubscription(user_id=user_id)


def _stored(session: Session, user_id: int) -> NotificationSubscription:
    row = subscription_of(session, user_id)
    session.add(row)
    return row


def save(session: Session, user, choice: Choice) -> NotificationSubscription:
    """Checked here, not only by the form, so nothing but real categories and places is ever stored."""
    if choice.locale not in LOCALES:
        raise Invalid(_("请选择邮件语言。"), "locale")
    categories = list(dict.fromkeys(c.strip() for c in choice.categories if c.strip()))
    regions = list(dict.fromkeys(r.strip() for r in choice.regions if r.strip()))
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise Invalid(_("需求类别「%(codes)s」不存在，请从列表中选择。", codes=_("、").join(unknown)), "categories")
    if len(regions) > MAX_REGIONS:
        raise Invalid(_("关注地区最多选择%(max)s个；关注整个县时请直接选择该县。", max=MAX_REGIONS), "regions")
    known = set(session.scalars(select(Region.code).where(
        Region.code.in_(regions), Region.level.in_(REGION_LEVELS), Region.current.is_(True)))) if regions else set()
    bad = [r for r in regions if r not in known]
    if bad:
        raise Invalid(_("地区「%(codes)s」不是有效的县级或乡镇级行政区划代码，请从列表中选择。", codes=_("、").join(bad)),
                      "regions")
    user.locale = choice.locale
    row = _stored(session, user.id)
    row.digest_enabled, row.reminders_enabled = choice.digest_enabled, choice.reminders_enabled
    if choice.bulletin_enabled is not None and user.role == "staff":
        row.bulletin_enabled = choice.bulletin_enabled
    row.categories = " ".join(c for c in CATEGORIES if c in categories)
    row.regions = " ".join(sorted(regions))
    row.updated_at = utcnow()
    session.flush()
    return row


def turn_off(session: Session, user_id: int, topic: str) -> NotificationSubscription:
    """What a one-click unsubscribe does; repeating it changes nothing."""
    if topic not in TOPICS:
        raise Invalid(_("未知的退订项目。"))
    row = _stored(session, user_id)
    if topic == "digest":
        row.digest_enabled = False
    elif topic == "bulletin":
        row.bulletin_enabled = False
    else:
        row.reminders_enabled = False
    row.updated_at = utcnow()
    session.flush()
    return row


def reminders_wanted(session: Session, user_id: int) -> bool:
    return subscription_of(session, user_id).reminders_enabled


def digest_subscribers(session: Session) -> list[NotificationSubscription]:
    return list(session.scalars(select(NotificationSubscription)
                                .where(NotificationSubscription.digest_enabled.is_(True))
                                .order_by(NotificationSubscription.user_id)))


def matches(row: NotificationSubscription, category: str, region_code: str) -> bool:
    """An empty list of categories or places means "all of them"."""
    categories, regions = row.categories.split(), row.regions.split()
    return (not categories or category in categories) and \
        (not regions or any(region_code.startswith(code) for code in regions))
