"""Synthetic registry rows that look like a county's export: valid ID numbers (correct check character,
area code of the county, birth dates 1930–2012), mobile and landline phones, townships and villages,
realistic tiers and hardships. Deterministic for a seed. Shared with bench/registry_import.py."""

import csv
import random
from datetime import date, timedelta

HEADERS = ["户编号", "户主姓名", "身份证号", "家庭人口", "救助类别", "行政区划代码", "详细地址", "联系电话", "困难情形",
           "纳入日期"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰玉珍凤华国强建军志明永红海燕春梅丽芳淑琴德胜文学长青金花伟军娟霞俊杰子涵浩然雨欣梓萱宇轩佳怡思远家豪"
TIER_WORDS = (("低保", 45), ("特困", 10), ("低保边缘", 20), ("刚性支出困难", 8), ("防止返贫监测", 12), ("其他", 5))
HARDSHIPS = ("重病", "重残", "高龄", "独居", "失能", "未成年", "留守儿童", "单亲", "失业", "零就业家庭")
COUNTY = "341621"  # 涡阳县
TOWNSHIPS = [f"{COUNTY}{n:03d}" for n in (*range(100, 119), *range(200, 206))]
GROUPS = "一二三四五六七八九十"


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2, written out here rather than borrowed from the code under test."""
    weights = [pow(2, 17 - i, 11) for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def make_id(area: str = COUNTY, born: str = "19560312", seq: str = "123") -> str:
    first17 = area + born + seq
    return first17 + check_character(first17)


def id_number(rng: random.Random, area: str, taken: set[str]) -> str:
    while True:
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 30000))
        first17 = f"{area}{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = first17 + check_character(first17)
        if number not in taken:
            taken.add(number)
            return number


def phone(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.6:
        return f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"
    if draw < 0.75:
        return f"0558-{rng.randrange(2000000, 8999999)}"
    return ""


def rows(count: int, seed: int = 7):
    """`count` rows as lists of text in HEADERS order, every ID number and 户编号 distinct."""
    rng = random.Random(seed)
    taken: set[str] = set()
    tiers = [word for word, weight in TIER_WORDS for _ in range(weight)]
    for n in range(count):
        township = rng.choice(TOWNSHIPS)
        region = township if rng.random() < 0.5 else f"{township}{rng.randrange(200, 230):03d}"
        flags = rng.sample(HARDSHIPS, rng.choice((0, 0, 1, 1, 2, 3)))
        enrolled = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3400))
        yield [
            f"{COUNTY}{n + 1:09d}",
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            id_number(rng, rng.choice((COUNTY, COUNTY, "341602", "341622")), taken),
            str(rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6))),
            rng.choice(tiers),
            region,
            f"{rng.choice(GROUPS)}组{rng.randrange(1, 80)}号",
            phone(rng),
            "、".join(flags),
            f"{enrolled.year}-{enrolled.month:02d}-{enrolled.day:02d}" if rng.random() < 0.7
            else f"{enrolled.year}/{enrolled.month}/{enrolled.day}",
        ]


def write_csv(path, headers, data, encoding: str = "utf-8") -> None:
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(data)


def write_xlsx(path, headers, data, title: str | None = None) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in data:
        sheet.append(row)
    book.save(path)
