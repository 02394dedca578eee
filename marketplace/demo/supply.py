"""The demo's supply side (issue 6): partial pledges on some open money needs, and shifts with volunteers
signed up on open service needs, made through the real services. Run after the needs exist; uses its own
random stream so the rest of the demo stays as it was."""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..auth.models import AppUser
from ..errors import DomainError
from ..needs.models import Need
from ..organizations.models import Organization
from ..pledges import service as pledges
from ..volunteering import shifts, signups

PLEDGED_NEEDS = 8
# Every open service need gets two shifts, so 志愿服务 has something near every volunteer; the first BUSY_NEEDS
# fill up with sign-ups (and waiting lists), the rest keep open places for whoever tries the demo.
BUSY_NEEDS = 8
SKILLS_BY_CATEGORY = {"care": ["bathing"], "medical": ["escort"], "psychological": ["companionship"],
                      "education": ["tutoring"], "housing": ["repair"], "accessibility": ["repair"]}
TIMES = ((time(9), time(11)), (time(14), time(16, 30)), (time(9, 30), time(12)), (time(15), time(17)))


def seed_supply(session, staff: dict[str, tuple[AppUser, AppUser]], members: list[tuple[AppUser, Organization]],
                volunteers: list[AppUser], today: date) -> None:
    rng = random.Random(6)
    _pledges(session, members, rng)
    _shifts(session, staff, volunteers, today, rng)


def _pledges(session, members, rng: random.Random) -> None:
    money = session.scalars(select(Need).where(Need.status == "open", Need.form == "money",
                                               Need.target_amount_fen >= 100000).order_by(Need.id)).all()
    for need in money[:PLEDGED_NEEDS]:
        givers = rng.sample(members, k=2)
        for share, (member, _) in zip((0.4, 0.3), givers, strict=True):
            amount = int(need.target_amount_fen * share) // 100 * 100
            try:
                pledges.pledge(session, member, need, amount)
            except DomainError:
                continue  # the same organisation twice, or a duplicate the rules refuse: as a person would


def _shifts(session, staff, volunteers: list[AppUser], today: date, rng: random.Random) -> None:
    service = session.scalars(select(Need).where(Need.status == "open", Need.form == "service")
                              .order_by(Need.id)).all()
    for nth, need in enumerate(service):
        poster = staff[need.region_code[:6]][0]
        local = [v for v in volunteers if v.region_code == need.region_code[:6]] or volunteers
        for k in range(2):
            on = today + timedelta(days=2 + nth % 21 + 7 * k)
            start, end = TIMES[(nth + k) % len(TIMES)]
            # Some shifts ask for a skill the need's category calls for; most are open to anyone.
            skills = SKILLS_BY_CATEGORY.get(need.category) if nth % 3 == 1 else None
            shift = shifts.create_shift(session, poster, need, on=on, start=start, end=end, capacity=3 + nth % 3,
                                        required_skills=skills, now=datetime.combine(today, time(0)).astimezone())
            if nth >= BUSY_NEEDS:
                continue
            chosen = rng.sample(local, k=min(len(local), 2 + (nth % 3)))
            if nth == 0 and volunteers[0] not in chosen:
                chosen[0] = volunteers[0]  # volunteer@ has upcoming shifts to show
            for volunteer in chosen:
                try:
                    signups.sign_up(session, volunteer, shift, waitlist=True)
                except DomainError:
                    continue
