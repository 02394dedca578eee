"""Invented identities for the demo households, realistic in form: a head's name, an 18-digit ID number
valid under GB 11643 (the household's county as area code, a birth date in the head's birth year, the
MOD 11-2 check character), a mobile number and a village or community address. They are generated, not
collected; a match with a real person would be chance.

A separate random stream keeps the rest of the demo (accounts, needs) the same whatever is drawn here."""

import random
from datetime import date, timedelta

from ..privacy.identity import Identifiers
from ..registry.idcard import check_character

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚"
GIVEN = ("子涵", "浩然", "雨欣", "思远", "欣怡", "佳怡", "梓萱", "一鸣", "文博", "宇航", "晓雯", "志远", "婉婷",
         "俊杰", "梦洁", "嘉豪", "雅琪", "天佑", "诗涵", "明轩", "海燕", "建华", "玉梅", "春燕", "红霞", "晓燕",
         "伟", "芳", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "超", "倩")
# Given names of the generation that heads most registry households (born 1940s–1970s).
ELDER_GIVEN = ("桂英", "秀英", "玉兰", "淑珍", "凤英", "秀兰", "桂兰", "兰英", "玉珍", "德胜", "国强", "振华",
               "长青", "金凤", "建军", "卫东", "保国", "建平", "永刚", "学文", "传义", "广才", "继红", "素梅")
VILLAGE_ENDINGS = ("庄", "楼", "寨", "集", "湖", "园", "营", "店", "圩", "庙", "洼", "岗")
COMMUNITIES = ("光明", "幸福", "和平", "建设", "文化", "振兴", "花园", "新华", "民主", "东风", "长安", "兴隆")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "166", "173", "176", "177", "178", "180", "181", "182",
                   "183", "185", "186", "187", "188", "189", "191", "198", "199")


def id_number(area: str, born: date, sequence: int) -> str:
    first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)


class IdentityMaker:
    """`places` maps region codes to names; `avoid` is text a head's name must not occur in (user names,
    need texts, organizations): the names are the needles the leak test looks for, and the need-text scan
    would refuse a need that happened to contain one."""

    def __init__(self, seed: int, today: date, places: dict[str, str], avoid: str):
        self.rng, self.today, self.places, self.avoid = random.Random(seed), today, places, avoid
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.addresses: set[str] = set()

    def for_household(self, household) -> Identifiers:
        return Identifiers(self.name(household.head_birth_year), self.id_number(household),
                           self.phone(), self.address(household.region_code))

    def name(self, born: int | None) -> str:
        rng = self.rng
        older = born is not None and born < self.today.year - 45
        while True:
            given = rng.choice(ELDER_GIVEN) if older and rng.random() < 0.6 else rng.choice(GIVEN)
            name = rng.choice(SURNAMES) + given
            if name not in self.avoid:
                return name

    def id_number(self, household) -> str:
        year = household.head_birth_year or self.today.year - 50
        start = date(year, 1, 1)
        last = min(date(year, 12, 31), self.today)
        while True:
            born = start + timedelta(days=self.rng.randint(0, max((last - start).days, 0)))
            number = id_number(household.region_code[:6], born, self.rng.randint(1, 999))
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10 ** 8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def address(self, region_code: str) -> str:
        rng = self.rng
        county, town = self.places.get(region_code[:6], ""), self.places.get(region_code[:9], "")
        while True:
            if town.endswith("街道"):
                address = (f"{county}{town}{rng.choice(COMMUNITIES)}社区{rng.randint(1, 28)}栋"
                           f"{rng.randint(1, 4)}单元{rng.randint(1, 6)}0{rng.randint(1, 4)}室")
            else:
                village = rng.choice(SURNAMES) + rng.choice(VILLAGE_ENDINGS)
                address = f"{county}{town}{village}村{rng.randint(1, 120)}号"
            if address not in self.addresses:
                self.addresses.add(address)
                return address
