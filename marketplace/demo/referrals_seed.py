"""The demo's referrals (issue 16): families referred to civil affairs by charity members and volunteers, in
every state: open, overdue, decided with each outcome, one linked to its registry household. Made through
the referrals service, with a random stream of its own so the rest of the demo stays as it was."""

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from ..referrals import service
from ..regions.models import Region

# (hardships, what the referrer saw): no names, numbers or addresses, as the form asks.
CASES = [
    (["高龄", "独居"], "老人八十多岁独自居住，子女在外地务工很少回家，冬天屋里没有取暖设备，平时靠邻居送饭。"),
    (["重病"], "家中主要劳动力去年确诊尿毒症，每周透析三次，医保报销后自付部分仍压垮了家庭，孩子面临辍学。"),
    (["留守儿童", "单亲"], "孩子母亲离家多年，父亲在外打工，两个孩子由奶奶照顾，奶奶身体不好，家里收入很不稳定。"),
    (["重残", "失能"], "家中有一名重度肢体残疾人长期卧床，需要人照料，家属因此无法外出工作，目前只有残疾人补贴。"),
    (["失业", "零就业家庭"], "夫妻二人所在工厂今年停产，两人都没有找到新工作，家里还有两个上学的孩子，积蓄已经用完。"),
    (["困境儿童"], "孩子父母一方服刑、一方下落不明，现由年迈的外公外婆抚养，学杂费和生活费都很困难。"),
    (["高龄", "重病"], "老两口都七十多岁，老伴患有严重心脏病需要长期服药，唯一的儿子因病去世，家里没有其他收入。"),
    (["孤儿"], "孩子父母去年先后因病去世，现寄住在亲戚家，亲戚家条件也很一般，希望了解有没有相关保障政策。"),
    (["独居", "失能"], "老人中风后生活不能自理，独自住在老房子里，房屋漏雨，村里志愿者每周上门两次。"),
    (["单亲", "重病"], "单亲妈妈患乳腺癌正在化疗，无法工作，孩子读初中，靠亲友接济维持生活。"),
]
CONSENT = ["本人口头同意，网格员在场", "户主书面签字同意", "监护人（奶奶）口头同意，社工在场", "本人同意，入户走访时当面说明"]
# (outcome, reason, half the days ago it was filed): each outcome once, the ineligible one with its reason.
DECIDED = [
    ("dibao", "经入户核查和收入核算，已纳入低保，按月发放低保金。", 14),
    ("tekun", "符合特困人员认定条件，已纳入分散供养。", 16),
    ("temporary", "已发放临时救助金2000元，后续跟踪回访。", 6),
    ("department", "医疗费用问题已转县医保局办理大病保险二次报销。", 9),
    ("monitoring", "暂不符合低保条件，已列入防止返贫动态监测，定期回访。", 12),
    ("ineligible", "经核算家庭人均收入高于当地低保标准，且有赡养人，暂不符合救助条件。", 11),
]
NAMES = ["周桂芳", "孙德海", "吴秀兰", "郑永强", "冯玉梅", "陈福生", "褚春花", "卫建华", "蒋小燕", "沈国庆",
         "韩玉珍", "杨树林", "朱翠英", "秦卫东", "许兰英", "何志明"]


def seed(seeder) -> None:
    session, today = seeder.session, seeder.today
    rng = random.Random(16)
    towns: dict[str, list[str]] = {}
    for code, parent in session.execute(select(Region.code, Region.parent_code).where(
            Region.level == "township", Region.current.is_(True)).order_by(Region.code)):
        towns.setdefault(parent, []).append(code)
    volunteers = [v for v in seeder.volunteers if v.region_code in towns]
    # The demo accounts people sign in with refer first, so their pages show referrals in each state.
    referrers = [m for m, _org in seeder.members[:3]] + volunteers[:1] + rng.sample(volunteers[1:], 4) \
        + [m for m, _org in rng.sample(seeder.members[3:], 3)]
    made = 0

    def refer(referrer, days_ago: int, nth: int):
        home = (referrer.region_code or "")[:6]
        county = home if home in towns else rng.choice(sorted(towns))
        hardships, description = CASES[nth % len(CASES)]
        filed_on = today - timedelta(days=days_ago)
        data = service.Filing(region_code=rng.choice(towns[county]), hardships=hardships, description=description,
                              consent=True, consent_note=CONSENT[nth % len(CONSENT)],
                              name=NAMES[nth % len(NAMES)] if nth % 4 else None,
                              phone=f"13{rng.randint(5, 9)}{rng.randrange(10 ** 8):08d}" if nth % 3 else None)
        referral = service.file(session, referrer, data, seeder.vault, filed_on)
        referral.created_at = datetime.combine(filed_on, time(9 + nth % 8, 10 * (nth % 6)), tzinfo=UTC)
        return referral

    # Decided, one of each outcome; the 低保 one linked to the household it became in the registry.
    for outcome, reason, days_ago in DECIDED:
        referrer = referrers[made % len(referrers)]
        referral = refer(referrer, days_ago * 2, made)
        made += 1
        staff = seeder.staff.get(referral.region_code[:6])
        if staff is None:
            continue
        household = None
        if outcome == "dibao":
            local = [h for h in seeder.households.get(referral.region_code[:6], []) if h.tier == "dibao"]
            household = next((h for h in local if h.region_code.startswith(referral.region_code)),
                             local[0] if local else None)
        service.decide(session, staff[0], referral, outcome, reason if outcome in ("ineligible", "department")
                       or rng.random() < 0.5 else None, household.public_code if household else None)
        referral.decided_at = min(referral.created_at + timedelta(days=3 + made), datetime.now(UTC))
    # Overdue: filed three or four weeks ago and not answered yet.
    for days_ago in (24, 29, 21):
        refer(referrers[made % len(referrers)], days_ago, made)
        made += 1
    # Open, inside their time.
    for days_ago in (0, 1, 3, 5, 8, 2):
        refer(referrers[made % len(referrers)], days_ago, made)
        made += 1
    session.flush()
