"""The demo's accounts: one password, one domain, and the logins `marketplace demo` prints (README, Demo logins)."""

from ..regions.bozhou import COUNTIES

PASSWORD = "shanqiao-demo-2026"
DOMAIN = "shanqiao.demo"
MARKER_EMAIL = f"staff@{DOMAIN}"

# county -> (e-mail suffix, poster, verifier). 谯城区 has the short, memorable addresses.
COUNTY_STAFF = {
    "341602": ("", "刘静", "陈志强"),
    "341621": (".guoyang", "王海燕", "张建国"),
    "341622": (".mengcheng", "李娜", "周文斌"),
    "341623": (".lixin", "赵敏", "孙国庆"),
}


def demo_logins() -> list[tuple[str, str, str, str]]:
    rows = [
        ("谯城区工作人员", MARKER_EMAIL, PASSWORD, "职责：需求发布、名单导入、组织审核。为谯城区登记户发布、撤销需求；查看户档案（每次查看记入访问日志）"),
        ("谯城区核验员", f"verifier@{DOMAIN}", PASSWORD, "职责：凭证核验。核验待审凭证：通过后写入该户救助链，或填写原因退回"),
    ]
    for county, (suffix, _, _) in COUNTY_STAFF.items():
        if suffix:
            name = COUNTIES[county]
            rows.append((f"{name}工作人员", f"staff{suffix}@{DOMAIN}", PASSWORD, f"职责：需求发布、名单导入、组织审核。{name}的登记户与需求"))
            rows.append((f"{name}核验员", f"verifier{suffix}@{DOMAIN}", PASSWORD, f"职责：凭证核验。核验{name}的帮扶凭证"))
    rows += [
        ("市级工作人员", f"city@{DOMAIN}", PASSWORD, "全部职责（含账号管理、规则配置）。查看亳州市四个区县的登记户、需求和救助链"),
        ("慈善组织成员", f"charity@{DOMAIN}", PASSWORD, "亳州市慈善总会：认领资金、物资和改造需求，开始帮扶并提交凭证"),
        ("志愿者", f"volunteer@{DOMAIN}", PASSWORD, "认领服务类需求（上门助浴、课后陪伴等），完成后提交服务时长"),
        ("政府部门（谯城区教育局）", f"dept.edu@{DOMAIN}", PASSWORD, "分类推送：助学需求先由教育部门办理，答复已办理或退回社会力量"),
    ]
    return rows
