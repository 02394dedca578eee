"""Need templates, evidence texts and reasons the demo draws from: realistic, and free of any name,
phone or ID number (the services would refuse them anyway)."""

from typing import NamedTuple


class Template(NamedTuple):
    category: str
    form: str
    title: str
    text: str
    low: int | None = None  # 元 for money and retrofit, a quantity for goods
    high: int | None = None
    unit: str | None = None
    fits: tuple[str, ...] = ()  # hardship flags of the households this need suits
    urgent: bool = False
    min_members: int = 1
    # Whom the title names, so the public age band and household size agree with it (FOR below): "child"
    # (shown as 未成年人), "young" (a student of 18 or more), "working" (a working-age head), "old" (a head of
    # 60 or more), "alone" (an old person living alone); "" for a need of the whole household.
    who: str = ""
    max_members: int = 99



T = Template
KIDS = ("未成年", "留守儿童", "困境儿童", "孤儿")
OLD = ("高龄", "独居", "失能")
TEMPLATES = (
    # 生活照料
    T("care", "service", "独居老人每周上门助浴与保洁", "老人独居，腿脚不便，无法自行洗澡和打扫卫生。希望每周上门一次，"
      "协助助浴、清洁居室、换洗床单，先安排三个月。", fits=OLD, who="alone"),
    T("care", "service", "失能老人午间送餐与翻身擦洗", "户主长期卧床，家属白天外出务工，午间无人照看。需要每天中午送一次热饭，"
      "并协助翻身、擦洗，预防褥疮。", fits=("失能", "重残"), who="old"),
    T("care", "service", "高龄老人每月陪同就医取药", "老人患高血压和糖尿病，需每月到乡镇卫生院复诊取药，子女在外务工，"
      "无人陪同。", fits=("高龄", "独居", "重病"), who="old"),
    T("care", "money", "居家养老助餐费用补助", "老人在村级助餐点就餐，每月自付部分约两百元，希望资助半年的餐费。",
      1000, 1500, fits=("高龄", "独居"), who="old"),
    T("care", "goods", "卧床老人成人纸尿裤", "老人失能卧床，每月需纸尿裤约六包，家庭难以长期负担。", 12, 36, "包",
      fits=("失能",), who="old"),
    T("care", "service", "雨雪天气独居老人定期探视", "冬季雨雪天气多，老人独居且视力较差，希望每周探视两次，"
      "检查取暖和用电安全。", fits=("独居", "高龄"), who="alone"),
    # 助学
    T("education", "money", "大一新生学费缺口", "孩子今年考入省内本科院校，学费和住宿费合计约六千元，生源地助学贷款到账前"
      "仍有缺口。", 2000, 6000, min_members=3, who="young"),
    T("education", "money", "高中寄宿生生活费资助", "孩子在县城高中寄宿，每月生活费约六百元，父亲长期患病无法务工。",
      1800, 3600, fits=("重病", "单亲", "失业"), min_members=3, who="child"),
    T("education", "goods", "小学生冬季校服与文具", "家中两个孩子上小学，冬季校服偏小，书包文具破旧，需要校服和文具各两套。",
      2, 3, "套", fits=KIDS, min_members=3, who="child"),
    T("education", "service", "留守儿童课后作业辅导", "父母在外务工，孩子随祖辈生活，数学和英语成绩下滑。希望大学生志愿者"
      "每周两次辅导作业。", fits=("留守儿童",), who="child"),
    T("education", "goods", "学习用书桌与护眼台灯", "孩子在床边写作业，光线不足，需要一套书桌椅和一盏护眼台灯。", 1, 1, "套",
      fits=KIDS, who="child"),
    T("education", "money", "中职学生实习期交通与住宿补贴", "孩子在县职教中心读护理专业，下学期到市里医院实习，需要交通和"
      "住宿费用。", 1500, 3000, fits=("单亲", "失业", "零就业家庭"), min_members=3, who="child"),
    T("education", "money", "事实无人抚养儿童高中学杂费", "孩子由年迈的祖母照顾，就读高中的学杂费和资料费按学期资助。",
      2000, 4000, fits=("孤儿", "困境儿童"), who="child"),
    # 无障碍改造
    T("accessibility", "retrofit", "卫生间加装扶手与防滑地面", "老人如厕和洗澡时曾两次滑倒，需在卫生间加装扶手、铺设防滑"
      "地砖，并将蹲便改为坐便。", 3000, 6000, fits=("重残", "失能", "高龄"), who="old"),
    T("accessibility", "retrofit", "入户门口无障碍坡道改造", "户主下肢重残，依靠轮椅出行，门口有三级台阶，需改建坡道并加装"
      "扶手。", 2000, 5000, fits=("重残",)),
    T("accessibility", "goods", "轻便手动轮椅", "户主中风后偏瘫，现用轮椅已损坏，需要一台轻便的手动轮椅。", 1, 1, "台",
      fits=("重残", "失能")),
    T("accessibility", "goods", "防褥疮气垫床", "老人长期卧床，已出现轻度压疮，需要一张防褥疮气垫床。", 1, 1, "张",
      fits=("失能",), who="old"),
    T("accessibility", "retrofit", "厨房灶台降低与水龙头改造", "户主坐轮椅，灶台和水池过高无法自行做饭，需降低台面并更换"
      "单把手龙头。", 3000, 8000, fits=("重残",)),
    T("accessibility", "retrofit", "视力残疾人家庭照明与闪光门铃改造", "户主视力残疾，需更换室内照明、加装声控开关和闪光"
      "门铃。", 1500, 4000, fits=("重残",)),
    T("accessibility", "goods", "助行器与洗澡椅", "老人行走不稳，洗澡时无法久站，需要助行器和洗澡椅各一件。", 1, 2, "套",
      fits=("高龄", "失能"), who="old"),
    # 医疗康复
    T("medical", "service", "透析往返交通接送", "户主尿毒症，每周三次到县医院血液透析，单程二十多公里，家中无车，希望爱心"
      "车辆或志愿者接送。", fits=("重病",)),
    T("medical", "money", "透析往返交通费用补助", "每周三次往返县医院透析，交通费每月约四百元，希望资助半年。",
      2000, 2400, fits=("重病",)),
    T("medical", "money", "住院医疗费自付部分缺口", "户主因心脏病住院手术，医保和大病保险报销后仍需自付约两万元，已申请"
      "医疗救助，尚有缺口。", 5000, 20000, fits=("重病",)),
    T("medical", "service", "脑卒中后居家康复训练指导", "户主中风后一侧肢体无力，出院后缺少康复指导，希望康复师每周上门一次"
      "指导训练。", fits=("重病", "失能", "重残")),
    T("medical", "money", "脑瘫儿童康复训练费用", "孩子在市康复中心训练，扣除残疾儿童康复救助后每月仍需自付约八百元。",
      4000, 10000, fits=("困境儿童", "重残"), min_members=3, who="child"),
    T("medical", "goods", "家用制氧机", "户主患慢阻肺，医生建议家庭氧疗，需要一台五升制氧机。", 1, 1, "台", fits=("重病",)),
    T("medical", "service", "陪同到市人民医院复查", "老人需每季度到市人民医院复查，行动不便且不会使用自助挂号，需要有人"
      "陪同。", fits=("高龄", "独居", "重病"), who="old"),
    # 住房修缮
    T("housing", "retrofit", "危房屋顶修缮", "房屋为上世纪八十年代砖瓦结构，屋顶多处漏雨，经鉴定为C级危房，需翻修屋面、"
      "更换檩条。", 8000, 20000),
    T("housing", "retrofit", "老旧电线更换与加装漏电保护", "室内电线老化外露，曾多次跳闸冒火花，需重新布线并加装漏电保护器。",
      1500, 3000, fits=("高龄", "独居")),
    T("housing", "retrofit", "院墙加固与排水沟疏通", "院墙开裂倾斜，雨季院内积水，需加固院墙并疏通排水沟。", 3000, 8000),
    T("housing", "money", "汛期受损房屋修缮材料费", "夏季暴雨后后墙受潮开裂，需购买砖瓦、水泥等材料，人工由村里帮助解决。",
      3000, 8000),
    T("housing", "retrofit", "门窗更换与冬季保温", "木门窗破损漏风，冬季室内寒冷，需更换门窗并加装保温帘。", 2000, 5000,
      fits=("高龄", "独居")),
    # 就业帮扶
    T("employment", "service", "家政技能培训与钟点工岗位推荐", "户主四十多岁，家中有病人需要照顾，只能就近务工，希望参加家政"
      "培训并推荐附近的钟点工岗位。", fits=("失业", "单亲", "零就业家庭"), who="working"),
    T("employment", "money", "小规模养羊起步资金", "户主有养殖经验，计划养殖十只山羊，需购买羊苗和搭建羊舍的资金。",
      5000, 10000, fits=("失业", "零就业家庭"), who="working"),
    T("employment", "service", "残疾人居家电商客服岗位对接", "户主肢体残疾但会使用电脑，希望对接可居家办公的网店客服工作。",
      fits=("重残",), who="working"),
    T("employment", "goods", "居家就业用缝纫机", "户主擅长缝纫，计划在家承接服装加工，需要一台工业缝纫机。", 1, 1, "台",
      fits=("失业", "单亲"), who="working"),
    T("employment", "service", "中药材种植技术指导", "家中种植白芍、菊花等药材，产量偏低，希望农技人员上门指导病虫害防治和"
      "采收加工。"),
    T("employment", "service", "电工培训报名与考证协助", "家中子女初中毕业后在外打零工，希望协助报名电工培训并考取证书。",
      fits=("失业", "零就业家庭"), min_members=3),
    # 心理疏导
    T("psychological", "service", "留守儿童课后陪伴", "孩子父母常年在外，放学后独自在家。希望志愿者每周两次陪伴阅读、做手工，"
      "聊聊心事。", fits=("留守儿童",), who="child"),
    T("psychological", "service", "丧偶老人定期探访与电话问候", "老人去年丧偶后情绪低落、很少出门，希望每周电话问候、每月上门"
      "陪伴聊天。", fits=("独居", "高龄"), who="old"),
    T("psychological", "service", "困境儿童心理辅导", "孩子因家庭变故变得沉默、厌学，学校老师建议进行专业心理辅导，希望每两周"
      "辅导一次。", fits=("困境儿童", "孤儿", "单亲"), who="child"),
    T("psychological", "service", "重病患者家属喘息服务与心理支持", "家属长期照顾卧床病人，身心疲惫，希望社工每周上门替换照护"
      "半天，并提供心理支持。", fits=("重病", "失能")),
    T("psychological", "service", "残疾青年社会融入小组活动", "户主年轻时因工致残，近年很少出门，希望参加社工站组织的兴趣小组和"
      "社区活动。", fits=("重残",), who="working"),
    # 生活物资
    T("goods", "goods", "冬季取暖电暖器", "老人住平房，冬季室内温度低，需要一台电暖器。", 1, 1, "台", fits=("高龄", "独居"), who="old"),
    T("goods", "goods", "冬季取暖煤", "家中靠烧煤炉取暖，入冬前需储备取暖煤。", 500, 1000, "公斤", fits=("高龄", "失能")),
    T("goods", "goods", "冬季棉被与棉衣", "家中被褥单薄破旧，需要棉被和棉衣。", 2, 5, "套"),
    T("goods", "goods", "米面油生活物资包", "家庭人口多，收入主要靠低保金，希望每月资助一份米面油，连续三个月。", 3, 6, "份",
      min_members=4),
    T("goods", "goods", "夏季电风扇", "房屋低矮闷热，家中没有电扇，夏季老人难以入睡。", 1, 2, "台", who="old"),
    T("goods", "goods", "全自动洗衣机", "户主重残，家属手洗衣物困难，需要一台全自动洗衣机。", 1, 1, "台", fits=("重残", "失能")),
    # 急难救助
    T("emergency", "money", "火灾后临时生活救助", "院内厨房失火，灶具、粮食和部分衣物被烧毁，需要临时生活费用度过过渡期。",
      2000, 5000, urgent=True),
    T("emergency", "money", "突发重病住院押金缺口", "户主突发脑出血入住市人民医院，需先交住院押金，家中积蓄不足。",
      5000, 10000, fits=("重病",), urgent=True),
    T("emergency", "goods", "暴雨受灾后被褥与生活用品", "暴雨致房屋进水，被褥衣物全部泡水，急需被褥和日常生活用品。",
      2, 4, "套", urgent=True),
    T("emergency", "money", "交通事故后临时生活费用", "家中唯一劳动力因交通事故受伤住院，暂时失去收入。", 2000, 4000,
      urgent=True, min_members=2, who="working"),
    T("emergency", "service", "灾后房屋清淤与消杀", "洪水退去后屋内淤泥堆积，老人无力清理，需要志愿者帮助清淤、消杀。",
      fits=("高龄", "独居"), urgent=True, who="old"),
    # 其他
    T("other", "service", "协助办理残疾证换证与政策咨询", "残疾证即将到期，户主行动不便、不熟悉线上办理流程，希望协助预约"
      "评残并讲解相关补贴政策。", fits=("重残",)),
    T("other", "money", "丧葬费用缺口", "家中老人病故，无力承担火化和安葬费用，已申请丧葬补助，尚有缺口。", 2000, 4000),
    T("other", "goods", "网课用平板电脑", "孩子上网课和完成作业只能借用邻居手机，需要一台平板电脑。", 1, 1, "台", fits=KIDS, who="child"),
    T("other", "service", "老人家中燃气与用电安全检查", "老人独居，燃气灶和电器使用多年，希望上门检查并更换老化的燃气软管。",
      fits=("高龄", "独居"), who="alone"),
)

EVIDENCE = {
    "money": ("资助款已通过银行转账发放到户，村（社区）社会救助协理员见证并留存转账凭证。",
              "已将资助款直接支付给学校（医院），收据复印件已上传，户主确认收到。"),
    "goods": ("物资已送达并当面清点，户主或家属签收，签收单照片已上传。",
              "物资由村委会代为接收后转交到户，签收单和交付照片已上传。"),
    "service": ("已按约定上门服务，服务记录经村（社区）网格员签字确认，服务对象反馈良好。",
                "服务已完成，每次服务的时间和内容已登记，社工站已回访确认。"),
    "retrofit": ("施工已完成并通过验收，施工前后照片及材料清单已上传，户主确认满意。",
                 "改造完工，经乡镇社工站上门查看，设施可正常使用，验收单已上传。"),
}
REASONS = {
    "reject": ("凭证照片看不清签收内容，请补充清晰的签收单后重新提交。", "交付数量与需求不符，请核实后重新提交。",
               "缺少村（社区）协理员的见证签字，请补齐后重新提交。"),
    "release": ("志愿者临时外出，无法按期上门，交还平台重新安排。", "本月项目资金已用完，无法按期落实，先行放弃认领。"),
    "extend": ("施工队本周排期已满，需延后几天开工。", "等待物资到货，需延期开始。"),
    "cancel": ("该户已通过临时救助解决此项需求。", "户主已入住乡镇敬老院集中供养，需求不再存在。", "与另一条需求重复，已合并。",
               "家属已自行解决，经走访核实后撤销。"),
}


def suits(template: Template, members: int, head_age: int | None, hardships) -> bool:
    """Whether a household is one the need's title could be about: children in it for a child's need, an
    old head (living alone where the title says so) for an old person's, a working-age head for a job."""
    age = head_age if head_age is not None else 45
    if not template.min_members <= members <= template.max_members:
        return False
    if template.who == "child":
        return age < 18 or bool(set(hardships) & set(KIDS))
    if template.who == "young":
        return members >= 3 and 40 <= age < 70  # parents of a student, not a household of children
    if template.who == "working":
        return 18 <= age < 60
    if template.who in ("old", "alone"):
        return age >= 60 and (template.who == "old" or members == 1)
    return True


def age_band_of(template: Template) -> str | None:
    """The age band the need states, where the title names a child or a student (the head's age would be
    shown otherwise: a grandmother's 80岁及以上 on a pupil's school uniform)."""
    return {"child": "minor", "young": "adult"}.get(template.who)
