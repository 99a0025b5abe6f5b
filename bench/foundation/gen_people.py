#!/usr/bin/env python3
"""Generate N fictional people for the foundation benchmark (standard library only).

Writes the same rows twice, as CSV (UTF-8 with BOM) and as .xlsx (a minimal hand-written
OOXML package: one sheet named 人员, inline strings, no styles), with the import columns of
`bastion import`:

    警号,姓名,人员类别,性别,出生日期,入职日期,身份证号,手机号,单位编码,职务,政治面貌,在岗状态,警种,技能特长

Names are invented from character lists (never real people); ID numbers use the fictional
region prefix 5199xx with a correct GB 11643 MOD 11-2 check digit and agree with the birth date
and sex; police numbers are B000001, B000002, … (the demo bureau uses 51xxxx and FJxxxx, so an
import into a fresh demo database never collides). Rows are spread over the demo bureau's
units. The output is deterministic for a given N and --seed.

    python3 bench/foundation/gen_people.py --n 100000 --out /tmp/bench   # people.csv, people.xlsx
"""

import argparse
import datetime
import os
import random
import zipfile
from xml.sax.saxutils import escape

HEADERS = ["警号", "姓名", "人员类别", "性别", "出生日期", "入职日期", "身份证号", "手机号",
           "单位编码", "职务", "政治面貌", "在岗状态", "警种", "技能特长"]

# The demo bureau's unit codes with a rough weight (stations and squads are the big ones) and
# their usual police types.
UNITS = [
    ("BUREAU", 1, ["指挥"]), ("HQ", 3, ["指挥"]),
    ("D01", 2, ["指挥"]), ("D02", 2, ["指挥"]), ("D03", 2, ["警务保障"]), ("D04", 3, ["指挥"]),
    ("D05", 4, ["治安"]), ("D06", 5, ["刑侦"]), ("D07", 3, ["交警"]), ("D07-1", 5, ["交警"]),
    ("D07-2", 5, ["交警"]), ("D08", 3, ["巡特警"]), ("D08-1", 4, ["巡特警"]), ("D08-2", 4, ["巡特警"]),
    ("D09", 2, ["经侦"]), ("D10", 2, ["禁毒"]), ("D11", 2, ["网安"]), ("D12", 2, ["法制"]),
    ("D13", 2, ["督察"]),
    ("S01", 4, ["派出所"]), ("S01-1", 4, ["派出所"]), ("S02", 5, ["派出所"]), ("S03", 4, ["派出所"]),
    ("S04", 4, ["派出所"]), ("S05", 4, ["派出所"]), ("S06", 4, ["派出所"]), ("S07", 4, ["派出所"]),
    ("S08", 4, ["派出所", "治安"]), ("S09", 4, ["派出所"]),
]

# Surnames by rough frequency: 王 李 张 刘 陈 are each several per cent of the population, so a
# search for 王 matches thousands of rows at 100,000 people, like a real bureau.
SURNAMES = (["王"] * 8 + ["李"] * 8 + ["张"] * 7 + ["刘"] * 6 + ["陈"] * 5 + ["杨"] * 3 + ["赵"] * 2
            + ["黄"] * 2 + ["周"] * 2 + ["吴"] * 2
            + list("徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"))
GIVEN_M = list("伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志新亮成峰东海")
GIVEN_F = list("芳娜敏静丽艳娟霞燕玲婷雪琳晶洁颖倩慧莉萍红梅兰英琴云月欣悦佳")
GIVEN_ANY = list("文晓天子嘉思一永春秋家立明德宏瑞安泽睿")

POSITIONS = ["科员"] * 10 + ["副所长", "所长", "教导员", "副大队长", "大队长", "中队长", "副中队长", "主任", "副主任", "警务技术员"]
# 政治面貌: roughly half are party members, as in the demo bureau (457 of 956).
POLITICAL = ["正式党员"] * 44 + ["预备党员"] * 4 + ["群众"] * 40 + ["入党申请人"] * 5 + ["入党积极分子"] * 4 + ["发展对象"] * 3
DUTY = ["在岗"] * 88 + ["休假"] * 4 + ["病假"] * 2 + ["外出"] * 3 + ["隔离"] * 2 + ["离职"]
SKILLS = ["驾驶", "射击", "急救", "心理疏导", "无人机", "外语", "计算机", "搏击", "消防", "谈判", "摄像", "水上救援"]



def check_char(body17: str) -> str:
    """GB 11643-1999 MOD 11-2 check character of the first 17 digits."""
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * wi for c, wi in zip(body17, w))
    return "10X98765432"[s % 11]


def person(i: int, rng: random.Random, unit_codes, unit_weights) -> list:
    male = rng.random() < 0.78
    surname = rng.choice(SURNAMES)
    given_pool = GIVEN_M if male else GIVEN_F
    if rng.random() < 0.55:
        given = rng.choice(GIVEN_ANY) + rng.choice(given_pool)
    else:
        given = rng.choice(given_pool)
    name = surname + given
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 37))
    hire_year = min(2025, birth.year + rng.randint(20, 30))
    hire = datetime.date(hire_year, rng.randint(1, 12), 1)
    # Sequence code: three digits, odd for men and even for women (GB 11643).
    seq = (i * 2) % 1000
    seq = seq + 1 if male else seq
    if seq >= 1000:
        seq -= 2
    body = f"5199{rng.randint(1, 29):02d}{birth:%Y%m%d}{seq:03d}"
    id_number = body + check_char(body)
    mobile = f"1{rng.choice('3456789')}{rng.randrange(0, 10**9):09d}"
    r = rng.random()
    category = "民警" if r < 0.55 else ("辅警" if r < 0.95 else "文职")
    unit_idx = rng.choices(range(len(unit_codes)), weights=unit_weights)[0]
    code, _, types = UNITS[unit_idx]
    police_types = "、".join(types)
    skills = "、".join(rng.sample(SKILLS, rng.choice([0, 0, 1, 1, 2])))
    return [
        f"B{i:06d}", name, category, "男" if male else "女", birth.isoformat(), hire.isoformat(),
        id_number, mobile, code, rng.choice(POSITIONS), rng.choice(POLITICAL), rng.choice(DUTY),
        police_types, skills,
    ]


def write_csv(path: str, rows) -> None:
    import csv
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerows(rows)


def col_name(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def write_xlsx(path: str, rows) -> None:
    """A minimal valid .xlsx: one worksheet 人员, every cell an inline string."""
    cols = [col_name(i) for i in range(len(HEADERS))]

    def row_xml(r: int, cells) -> str:
        parts = [f'<row r="{r}">']
        for c, v in zip(cols, cells):
            if v == "":
                continue
            parts.append(f'<c r="{c}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        parts.append("</row>")
        return "".join(parts)

    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '</Types>')
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>')
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="人员" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", root_rels)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            last = f"{cols[-1]}{len(rows) + 1}"
            f.write((
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                f'<dimension ref="A1:{last}"/><sheetData>').encode())
            f.write(row_xml(1, HEADERS).encode())
            buf = []
            for n, cells in enumerate(rows, start=2):
                buf.append(row_xml(n, cells))
                if len(buf) >= 2000:
                    f.write("".join(buf).encode())
                    buf = []
            f.write("".join(buf).encode())
            f.write(b"</sheetData></worksheet>")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100000, help="number of people (default 100000)")
    ap.add_argument("--out", default=".", help="output directory (people.csv, people.xlsx)")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    codes = [u[0] for u in UNITS]
    weights = [u[1] for u in UNITS]
    rows = [person(i, rng, codes, weights) for i in range(1, args.n + 1)]
    write_csv(os.path.join(args.out, "people.csv"), rows)
    write_xlsx(os.path.join(args.out, "people.xlsx"), rows)
    print(f"wrote {args.n} people to {args.out}/people.csv and {args.out}/people.xlsx")


if __name__ == "__main__":
    main()
