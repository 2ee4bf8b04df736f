#!/usr/bin/env python3
"""Generates the sample city's project library (config/sample/*.csv and *.xlsx).

Deterministic (fixed seed). Modelled on the seed report: 40 municipal key projects (13
industry, 10 urban, 9 livelihood, 8 culture/tourism), 30 provincial key projects (16
continuing: 70亿 done at 92.0% of plan; 14 new: 60亿 at 83.0%), a reserve for next year, 10
special-bond projects, progress for February (1-2月) to September 2024, milestones,
city indicators, and the year's applications to higher levels (争取上级资金和政策). Run: python3 config/sample/generate.py (needs openpyxl for the .xlsx files).
"""
import csv, os, random

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(20240930)
YEAR = 2024
DISTRICTS = ["东城区", "西城区", "南湖区", "北山县", "高新区"]
OFFICIALS = ["zhang_jianguo", "liu_qiang", "wang_hai", "zhao_min", "zhou_wen", "李明华"]
UNITS = ["华海药业股份有限公司", "示例市城市建设投资集团有限公司", "示例市交通投资集团", "示例市文旅集团",
         "示例市水务集团", "示例市教育局", "示例市卫生健康局", "南湖新材料有限公司", "北山能源有限公司",
         "高新区管委会"]
NAMES = {
    "industry": ["化学医药与生物制药产业基地", "华海药业三期", "新能源电池材料项目", "智能装备产业园", "半导体封测基地",
                 "高端装备制造基地", "新材料产业园二期", "食品精深加工园", "电子信息产业园", "绿色建材基地",
                 "汽车零部件产业园", "生物医药孵化器", "数据中心一期", "光伏组件项目", "储能设备制造项目"],
    "urban": ["城市快速路改造", "老旧小区改造", "滨江大道二期", "地下综合管廊", "城市供水管网改造", "污水处理厂扩建",
              "市政道路提升工程", "城市更新片区", "智慧停车项目", "公交枢纽站", "海绵城市示范区", "燃气管网改造"],
    "livelihood": ["市人民医院新院区", "第一中学扩建", "保障性租赁住房", "养老服务中心", "妇幼保健院", "职业技术学院新校区",
                   "公共卫生中心", "残疾人康复中心", "社区服务综合体", "体育中心"],
    "culture_tourism": ["古镇文旅综合体", "滨海度假区", "博物馆新馆", "非遗文化街区", "湿地公园", "全域旅游集散中心",
                        "温泉康养小镇", "影视文化产业园"],
}

def wan(x):
    """Formats an amount in 万元 with at most one decimal."""
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s

def split(total, n, lo=0.5, hi=1.5):
    w = [rnd.uniform(lo, hi) for _ in range(n)]
    s = sum(w)
    parts = [round(total * x / s, 1) for x in w]
    parts[-1] = round(total - sum(parts[:-1]), 1)
    return parts

projects, progress, milestones = [], [], []
seq = 0
def code(prefix):
    global seq
    seq += 1
    return f"{prefix}{YEAR}{seq:03d}"

def add(level, stage, category, plan, ytd9, bond=False, district=None, name=None, ontime=True):
    c = code({"provincial": "SZ", "municipal": "SJ"}.get(level, "CB"))
    name = name or rnd.choice(NAMES[category])
    total = round(plan * rnd.uniform(3, 8), 0)
    unit = rnd.choice(UNITS)
    p = dict(code=c, name=f"{name}（{c[-3:]}）", level=level, stage=stage, category=category, plan_year=YEAR,
             total_investment_wan=wan(total), annual_plan_wan=wan(plan), owner_unit=unit,
             district=district or rnd.choice(DISTRICTS), responsible_official=rnd.choice(OFFICIALS),
             contact_email=f"contact{seq:03d}@example.com", special_bond="是" if bond else "否")
    # Monthly plan: an S-curve over the year, summing to the annual plan.
    weights = [0.03, 0.05, 0.07, 0.08, 0.09, 0.10, 0.10, 0.10, 0.10, 0.10, 0.09, 0.09]
    mp = [round(plan * w, 1) for w in weights]
    mp[-1] = round(plan - sum(mp[:-1]), 1)
    for i, v in enumerate(mp):
        p[f"plan_m{i+1:02d}_wan"] = wan(v)
    projects.append(p)
    if plan > 0 and stage != "reserve":
        # YTD for Feb..Sep rising to ytd9; a few projects miss September's report.
        prior_ratio = rnd.uniform(0.7, 0.95)
        for m in range(2, 10):
            if m == 9 and not ontime:
                continue
            f = m / 9
            v = round(ytd9 * f * rnd.uniform(0.97, 1.0), 1) if m < 9 else ytd9
            progress.append(dict(code=c, month=f"{YEAR}-{m:02d}", ytd_completed_wan=wan(v),
                                 prior_ytd_completed_wan=wan(round(v * prior_ratio, 1))))
    return c

# Provincial: continuing 16 (70亿 = 700000万 at 92.0%), new 14 (60亿 at 83.0%).
for stage, n, ytd_total, rate in (("continuing", 16, 700000, 0.92), ("new", 14, 600000, 0.83)):
    ytds = split(ytd_total, n)
    plans = [round(y / rate, 1) for y in ytds]
    plans[-1] = round(ytd_total / rate - sum(plans[:-1]), 1)
    cats = ["industry", "urban", "livelihood", "culture_tourism"]
    for i in range(n):
        add("provincial", stage, cats[i % 4], plans[i], ytds[i], bond=(i < 3))

# Municipal: 13 industry, 10 urban, 9 livelihood, 8 culture/tourism; some lagging.
for category, n in (("industry", 13), ("urban", 10), ("livelihood", 9), ("culture_tourism", 8)):
    for i in range(n):
        stage = "preparatory" if i == n - 1 else ("new" if i % 3 == 0 else "continuing")
        plan = round(rnd.uniform(8000, 60000), 0)
        rate = rnd.choice([0.35, 0.5, 0.62, 0.70, 0.74, 0.78, 0.81, 0.85, 0.9])
        add("municipal", stage, category, plan, round(plan * rate, 1), bond=(i == 0), ontime=(i != 2))

# Reserve for next year: no plan this year, no reports.
for i in range(6):
    add("municipal", "reserve", rnd.choice(list(NAMES)), 0, 0, bond=(i < 2 and False))

# Milestones by end of September: 28 approvals, 15 land-ready starts, 18 acquisitions.
codes = [p["code"] for p in projects if p["stage"] != "reserve"]
def d(m, day): return f"{YEAR}-{m:02d}-{day:02d}"
for i, c in enumerate(codes[:28]):
    milestones.append(dict(code=c, milestone="approval", planned_date=d(1 + i % 8, 10), actual_date=d(1 + i % 9, 15)))
for i, c in enumerate(codes[30:48]):
    milestones.append(dict(code=c, milestone="acquisition", planned_date=d(2 + i % 7, 5), actual_date=d(2 + i % 8, 20)))
new_codes = [p["code"] for p in projects if p["stage"] == "new"]
for i, c in enumerate(new_codes):
    started = i < 15
    milestones.append(dict(code=c, milestone="land", planned_date=d(3 + i % 6, 1), actual_date=d(3 + i % 6, 8) if started else ""))
    milestones.append(dict(code=c, milestone="start", planned_date=d(3 + i % 7, 15), actual_date=d(3 + i % 7, 18) if started else ""))

# Tags and the national project code (项目代码), added after every random draw so the
# figures above stay as they were: provincial projects are 重大工程, every third 十四五.
for i, p in enumerate(projects):
    active = p["stage"] != "reserve"
    p["national_code"] = f"{YEAR}-{330101 + i % 5}-48-{1 + i % 3:02d}-{100000 + i:06d}" if active else ""
    tags = (["重大工程"] if p["level"] == "provincial" else []) + (["十四五"] if i % 3 == 0 else [])
    p["tags"] = "，".join(tags)

# Applications to higher levels: (申报编号, 申报事项, 资金类别, 申报单位, 申报, 批复, 到位, 状态, 日期).
APPS = [
    ("SB2024-01", "市人民医院新院区中央预算内投资", "中央预算内投资", "示例市卫生健康局", "12000", "8000", "8000", "到位", "2024-06-20"),
    ("SB2024-02", "老旧小区改造专项债券", "地方政府专项债券", "示例市城市建设投资集团有限公司", "50000", "45000", "30000", "下达", "2024-07-15"),
    ("SB2024-03", "高新区产业园基础设施专项债券", "地方政府专项债券", "高新区管委会", "80000", "80000", "80000", "到位", "2024-05-30"),
    ("SB2024-04", "城市供水管网改造政策性金融工具", "政策性金融工具", "示例市水务集团", "30000", "20000", "", "批复", "2024-08-12"),
    ("SB2024-05", "华海药业三期省级技改资金", "省级专项资金", "华海药业股份有限公司", "3000", "2000", "2000", "到位", "2024-09-10"),
    ("SB2024-06", "古镇文旅综合体省级文旅资金", "省级专项资金", "示例市文旅集团", "1500", "", "", "审核", "2024-09-05"),
    ("SB2024-07", "职业技术学院新校区中央预算内投资", "中央预算内投资", "示例市教育局", "9000", "", "", "申报", "2024-08-28"),
    ("SB2024-08", "省重大产业项目用地指标单列", "政策事项", "示例市城市建设投资集团有限公司", "", "", "", "批复", "2024-07-01"),
    ("SB2024-09", "新增能耗指标省级统筹", "政策事项", "北山能源有限公司", "", "", "", "未获批", "2024-06-30"),
    ("SB2024-10", "污水处理厂扩建中央预算内投资", "中央预算内投资", "示例市水务集团", "6000", "", "", "未获批", "2024-04-18"),
    ("SB2024-11", "城市快速路改造2025年专项债券", "地方政府专项债券", "示例市交通投资集团", "40000", "", "", "谋划", "2024-09-20"),
    ("SB2024-12", "新材料产业园二期省级专项资金", "省级专项资金", "南湖新材料有限公司", "2500", "", "", "申报", "2024-10-12"),
]
applications = []
for ref, title, cat, unit, applied, approved, received, state, date in APPS:
    # The first active project of the applying unit, if it has one.
    proj = next((p["code"] for p in projects if p["owner_unit"] == unit and p["stage"] != "reserve"), "")
    applications.append(dict(ref=ref, title=title, code=proj, category=cat, unit=unit, applied_wan=applied,
                             approved_wan=approved, received_wan=received, state=state, date=date))
APP_ZH = {"ref": "申报编号", "title": "申报事项", "code": "项目编号", "category": "资金类别", "unit": "申报单位",
          "applied_wan": "申报金额（万元）", "approved_wan": "批复金额（万元）", "received_wan": "到位金额（万元）",
          "state": "状态", "date": "日期"}

indicators = [
    dict(month=f"{YEAR}-09", indicator="fixed_asset_investment", ytd_wan="3200000", prior_ytd_wan="2666667"),
    dict(month=f"{YEAR}-09", indicator="industrial_investment", ytd_wan="1760000", prior_ytd_wan="1491525"),
    dict(month=f"{YEAR}-09", indicator="manufacturing_investment", ytd_wan="1440000", prior_ytd_wan="1170732"),
]

ZH = {"code": "项目编号", "name": "项目名称", "level": "项目级别", "stage": "建设阶段", "category": "项目类别",
      "plan_year": "计划年度", "total_investment_wan": "总投资（万元）", "annual_plan_wan": "年度计划投资（万元）",
      "owner_unit": "建设单位", "district": "所属区县", "responsible_official": "责任领导",
      "contact_email": "联系人邮箱", "special_bond": "专项债", "national_code": "项目代码", "tags": "标签"}
for i in range(12):
    ZH[f"plan_m{i+1:02d}_wan"] = f"{i+1}月计划（万元）"
LABEL = {"provincial": "省重点", "municipal": "市重点", "reserve": "储备", "preparatory": "前期", "new": "新建",
         "continuing": "续建", "industry": "产业", "urban": "城建", "livelihood": "社会民生", "culture_tourism": "文旅"}

def write(name, rows, zh=None, labels=False):
    keys = list(rows[0].keys())
    headers = [zh.get(k, k) for k in keys] if zh else keys
    body = [[LABEL.get(r[k], r[k]) if labels else r[k] for k in keys] for r in rows]
    with open(os.path.join(HERE, name + ".csv"), "w", newline="", encoding="utf-8-sig" if zh else "utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(headers)
        w.writerows(body)
    try:
        import openpyxl
    except ImportError:
        return
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = name
    ws.append(headers)
    for r in body:
        ws.append([float(v) if k.endswith("_wan") and v != "" else (int(v) if k == "plan_year" else v)
                   for k, v in zip(keys, r)])
    wb.save(os.path.join(HERE, name + ".xlsx"))

# The project library with Chinese headers and labels (as an office would keep it);
# the others with the contract's English headers.
write("projects", projects, zh=ZH, labels=True)
write("progress", progress)
write("milestones", milestones)
write("indicators", indicators)
write("applications", applications, zh=APP_ZH)
print(f"{len(projects)} projects, {len(progress)} progress rows, {len(milestones)} milestones, "
      f"{len(applications)} applications")
