"""The demo's routing (分类推送, issue 16): government departments registered and vetted as any organisation
is, each with an account (dept.<name>@shanqiao.demo, the demo password), the city's routing rules, and new
needs published through the needs service so the rules route them: several still with their department,
one the education bureau handled (government aid on the chain), one it sent back to social forces. Its own
random stream keeps the rest of the demo as it was."""

import random
from datetime import timedelta

from sqlalchemy import select

from ..auth.models import AppUser
from ..duplicates.check import DuplicateWarning
from ..errors import DomainError
from ..needs import service as needs
from ..organizations import service as organizations
from ..organizations.access import ADMIN
from ..organizations.models import Organization
from ..routing import rules
from ..routing import service as routing
from .need_catalogue import TEMPLATES, age_band_of, suits

# (account, department name, department code, home region, contact)
DEPARTMENTS = (
    ("dept.edu", "谯城区教育局", "education", "341602", "0558-5512301"),
    ("dept.medical", "谯城区医疗保障局", "health", "341602", "0558-5512302"),
    ("dept.disabled", "谯城区残疾人联合会", "disabled", "341602", "0558-5512303"),
    ("dept.edu.guoyang", "涡阳县教育局", "education", "341621", "0558-7212304"),
    ("dept.housing", "亳州市住房和城乡建设局", "housing", "341600", "0558-5512305"),
    ("dept.hrss", "亳州市人力资源和社会保障局", "hrss", "341600", "0558-5512306"),
)
CONTACTS = ("李主任", "王科长", "张科长", "刘主任", "陈科长", "赵主任")
# (category, place, department account, working days): 谯城区 and 涡阳县 send schooling to their education
# bureaus; the city sends housing and employment needs to its bureaus.
RULES = (
    ("education", "341602", "dept.edu", 5),
    ("medical", "341602", "dept.medical", 5),
    ("accessibility", "341602", "dept.disabled", 10),
    ("education", "341621", "dept.edu.guoyang", 5),
    ("housing", "341600", "dept.housing", 10),
    ("employment", "341600", "dept.hrss", 7),
)
# New needs posted after the rules, from the demo's need catalogue (county, title, source): two with 谯城区's
# education bureau, one each with its disabled persons' federation, 涡阳县's bureau and the city's human
# resources bureau; one the bureau handled, one the medical insurance bureau sent back.
ROUTED = (
    ("341602", "高中寄宿生生活费资助", "window"),
    ("341602", "大一新生学费缺口", "data_alert"),
    ("341602", "住院医疗费自付部分缺口", "visit"),
    ("341602", "卫生间加装扶手与防滑地面", "visit"),
    ("341621", "事实无人抚养儿童高中学杂费", "hotline"),
    ("341602", "小规模养羊起步资金", "application"),
)
HANDLED, DECLINED = 0, 2  # indexes in ROUTED: the boarding costs the bureau met; the hospital bill sent back


def seed(seeder) -> None:
    session, today = seeder.session, seeder.today
    rng = random.Random(16)
    city = session.scalars(select(AppUser).where(AppUser.email == "city@shanqiao.demo")).one()
    accounts = {}
    for n, (account, name, department, region, phone) in enumerate(DEPARTMENTS):
        # Made as the demo makes its other organisations (a city bureau's home is the city, which the public
        # registration form does not offer), then vetted through the vetting service like any applicant.
        org = Organization(name=name, uscc=seeder._uscc("11" + region + "MB"), kind="government",
                           department=department, region_code=region, status="pending",
                           contact_name_enc=seeder.vault.encrypt(CONTACTS[n]),
                           contact_phone_enc=seeder.vault.encrypt(phone))
        session.add(org)
        session.flush()
        admin = seeder._user(account, CONTACTS[n], "charity", None, org.id)  # the contact person
        admin.org_role = ADMIN
        organizations.decide(session, city, org, "approve")
        accounts[account] = (org, admin)
    for category, place, account, days in RULES:
        rules.create(session, city, rules.RuleInput(category, place, accounts[account][0].id, days))
    routed = []
    templates = {t.title: t for t in TEMPLATES}
    for county, title, source in ROUTED:
        template = templates[title]
        amount = rng.randrange(template.low, template.high + 1, 100) * 100 if template.low else None
        band = age_band_of(template)
        data = needs.NeedInput(category=template.category, form=template.form, title=title, description=template.text,
                               urgency=rng.choice(("normal", "soon")), deadline=today + timedelta(days=45),
                               target_amount_fen=amount, unit=template.unit, age_band=band, source=source,
                               contact_basis="guardian_consent" if band == "minor" else "household_consent")
        routed.append(_post(session, seeder, seeder.staff[county][0], county, template, data, rng))
    bureau = accounts["dept.edu"][1]
    if routed[HANDLED] is not None:
        routing.handle(session, bureau, routed[HANDLED], routing.Handled(
            item="普通高中国家助学金（一学期）", amount_fen=100000, occurred_on=today,
            note="已纳入普通高中家庭经济困难学生资助名单，免除住宿费"))
    if routed[DECLINED] is not None:
        routing.decline(session, accounts["dept.medical"][1], routed[DECLINED], "no_policy",
                        "医保和大病保险已按规定报销，自付部分没有对应的医保政策，请社会力量帮扶。")


def _post(session, seeder, poster, county, template, data, rng):
    """Publish on a household of the county the need suits and that has no such aid yet (as a coordinator
    would choose)."""
    year = seeder.today.year
    candidates = [h for h in seeder.households[county] if suits(
        template, h.members, year - h.head_birth_year if h.head_birth_year else None, h.hardships)]
    rng.shuffle(candidates)
    for household in candidates[:40]:
        try:
            # create_need refuses before it writes anything: a refused household leaves nothing behind.
            need = needs.create_need(session, poster, household, data, publish=True, today=seeder.today,
                                     vault=seeder.vault)
        except (DuplicateWarning, DomainError):
            continue
        return routing.latest_for_need(session, need.id)
    return None
