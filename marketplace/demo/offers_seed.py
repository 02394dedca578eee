"""The demo's charity resource list (issue 16): offers from several organisations, published by their
administrators, and needs the county staff referred to them from the match page's ranking, some accepted,
some declined with a reason, some still waiting. All through the real services (offers/)."""

from datetime import timedelta

from sqlalchemy import select

from ..errors import DomainError
from ..needs.models import Need
from ..offers import matching, referring, service
from ..offers.models import ResourceOffer

# (organisation name, title, description, categories, forms, tiers, age bands, places, budget yuan or None,
#  quantity and unit or None, cap, selection)
OFFERS = (
    ("亳州市慈善总会", "困境学生助学金（秋季学期）",
     "资助低保、低保边缘和刚性支出困难家庭的在读学生缴纳学费和住宿费，每户一学期最高3000元。",
     ["education"], ["money"], ["dibao", "marginal", "rigid_expense"], [], ["341602", "341621", "341622", "341623"],
     200_000, None, 3000, "由县区民政部门按需求定向转介，优先低保边缘家庭；本会收到转介后5个工作日内答复。"),
    ("亳州市慈善总会", "大病医疗补助",
     "对医保报销后个人负担仍较重的困难家庭给予一次性医疗补助。", ["medical"], ["money"], [], [],
     ["341602", "341621"], 100_000, None, 5000, "民政部门转介，按个人负担金额从高到低安排。"),
    ("涡阳县慈善会", "冬季温暖包", "棉被、棉衣和取暖器，帮助困难家庭过冬。", ["goods"], ["goods"], [], [],
     ["341621"], None, (300, "件"), 3, "由乡镇民政办按走访情况转介，每户最多3件。"),
    ("谯城区春晖社会工作服务中心", "独居老人上门照料", "社工每周上门一次：打扫、助浴、陪同就医和精神慰藉。",
     ["care", "psychological"], ["service"], [], ["senior", "elder"], ["341602"], None, (120, "户"), 1,
     "优先独居、失能老人，由社区和民政工作人员转介。"),
    ("利辛县爱心助学协会", "助学圆梦计划", "资助困难家庭学生购买学习用品、支付交通和住宿费用。",
     ["education"], ["money", "goods"], [], ["minor", "adult"], ["341623"], 50_000, None, 2000,
     "学校推荐与民政转介相结合，每学期评定一次。"),
    ("蒙城县义工联合会", "留守儿童陪伴成长", "志愿者每两周陪伴一次留守和困境儿童，开展课业辅导和心理疏导。",
     ["psychological", "education"], ["service"], [], ["minor"], ["341622"], None, (80, "户"), 1,
     "由乡镇和村（居）儿童主任推荐，民政部门转介。"),
)
# Per offer: how many of its best matches are referred, and what the organisation did with them.
OUTCOMES = ("accepted", "declined", "pending")
DECLINE_REASONS = ("本期资助名额已满，建议转介至其他项目。", "该需求更适合医疗类项目，请另行安排。")


def seed(seeder) -> None:
    session, today = seeder.session, seeder.today
    admins = {}
    for user, org in seeder.members:
        if user.org_role == "administrator":
            admins.setdefault(org.name, user)
    for nth, (org_name, title, description, categories, forms, tiers, bands, places, budget, quantity, cap,
              selection) in enumerate(OFFERS):
        admin = admins.get(org_name)
        if admin is None:
            continue
        data = service.OfferInput(
            title=title, description=description, categories=categories, forms=forms, tiers=tiers, age_bands=bands,
            regions=places, budget_fen=budget * 100 if budget else None,
            quantity=quantity[0] if quantity else None, unit=quantity[1] if quantity else None,
            cap_fen=cap * 100 if budget else None, cap_quantity=cap if quantity else None,
            starts_on=today - timedelta(days=20 + nth), ends_on=today + timedelta(days=160 + 10 * nth),
            selection=selection)
        offer = service.publish(session, admin, data)
        _refer_and_answer(seeder, offer, admin, nth)
    session.flush()


def _refer_and_answer(seeder, offer: ResourceOffer, admin, nth: int) -> None:
    session, today = seeder.session, seeder.today
    county = sorted(session.scalars(select(service.ResourceOfferRegion.region_code)
                                    .where(service.ResourceOfferRegion.offer_id == offer.id)))[0][:6]
    poster = seeder.staff[county][0]
    outcomes = OUTCOMES[nth % 3:] + OUTCOMES[:nth % 3]  # every offer a different mix, all states overall
    referred = 0
    for found in matching.needs(session, poster, offer, today, limit=6):
        if referred == len(outcomes):
            break
        need = session.get(Need, found.need.id)
        try:
            with session.begin_nested():
                referral = referring.refer(session, poster, need, offer, 7, today)
                outcome = outcomes[referred]
                if outcome == "accepted":
                    referring.accept(session, admin, referral)
                elif outcome == "declined":
                    referring.decline(session, admin, referral, DECLINE_REASONS[nth % len(DECLINE_REASONS)])
        except DomainError:
            continue  # a duplicate the rules refuse, a budget too small: as staff would, try the next
        referred += 1
