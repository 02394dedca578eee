"""组织所在地 chosen province → city → county (→ township where the platform knows them): each select lists
the children of the one above, so nobody scrolls 2,700 counties from 北京 东城区. The lower selects are
refilled by htmx from the upper ones; without JavaScript the form's 选择下一级 button does the same step on the
server. A choice that does not belong under its parent (the upper one changed) is dropped with the ones below."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session
from wtforms import SelectChoice

from ..i18n import _
from ..regions.models import Region


@dataclass
class Location:
    province: str = ""
    city: str = ""
    county: str = ""
    township: str = ""
    options: dict[str, list[SelectChoice]] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """The place the organisation is registered at: the township if one is chosen, else the county."""
        return self.township or self.county


def _children(session: Session, parent: str | None, level: str) -> list[Region]:
    query = select(Region).where(Region.level == level, Region.current.is_(True))
    query = query.where(Region.parent_code.is_(None) if parent is None else Region.parent_code == parent)
    return list(session.scalars(query.order_by(Region.code)))


def _pick(chosen: str, regions: list[Region]) -> str:
    return chosen if chosen in {r.code for r in regions} else ""


def _choices(regions: list[Region], prompt: str) -> list[SelectChoice]:
    return [SelectChoice("", prompt), *(SelectChoice(r.code, r.name) for r in regions)]


def resolve(session: Session, province: str = "", city: str = "", county: str = "",
            township: str = "") -> Location:
    """The consistent choice and the options of each select. A county or township code alone (an older
    form, a link) fills in the levels above it."""
    county, township = (county or "").strip(), (township or "").strip()
    if len(county) == 9 and not township:
        county, township = county[:6], county
    own = session.get(Region, county) if county else None
    # The upper levels a person chose win; a county alone (no province) fills them in.
    if own is not None and own.parent_code and (not province or own.code[:2] == province[:2]):
        city, province = own.parent_code, own.code[:2] + "0000"
    provinces = _children(session, None, "province")
    location = Location(province=_pick(province or "", provinces))
    cities = _children(session, location.province, "prefecture") if location.province else []
    if location.province and _children(session, location.province, "county"):
        # Counties straight under a province (省直辖) are listed under the province's own code.
        cities.append(Region(code=location.province, name=_("省直辖县级行政区"), level="prefecture"))
    location.city = _pick(city or "", cities)
    counties = _children(session, location.city, "county") if location.city else []
    location.county = _pick(county, counties)
    townships = _children(session, location.county, "township") if location.county else []
    location.township = _pick(township, townships)
    location.options = {"province": _choices(provinces, _("请选择省份")), "city": _choices(cities, _("请选择地市")),
                        "region_code": _choices(counties, _("请选择县区")),
                        "township": _choices(townships, _("不指定乡镇（县区本级）")) if townships else []}
    return location


def fill(form, location: Location) -> None:
    """Set the registration form's place selects to the resolved choice and its options."""
    for name, value in (("province", location.province), ("city", location.city),
                        ("region_code", location.county), ("township", location.township)):
        getattr(form, name).choices = location.options[name]
        getattr(form, name).data = value
