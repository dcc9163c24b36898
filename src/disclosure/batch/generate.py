"""Synthetic collections: N institutions × Y years of valid data, a known share of them with one
injected contradiction.

Each year's registers are drawn at random within what forms/tables.yaml allows, consistent by
construction where a rule relates them (the platform publishes at least the checklist's items, a
fee policy matches the fees charged, every counted checklist item has distinct web links). The
published table and the printed prose are then made by the package itself from the rebuilt year
(`compute.statistics` and `compute.narrative.fill`), so a year that is not contradicted has no
failed error; a contradicted one changes one printed fact afterwards (CONTRADICTIONS) and fails at
least the rule named there. SOURCE.yaml records every raw file's hash (check D01 applies).
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from disclosure import workspace as paths
from disclosure.batch.collection import INSTITUTIONS_DIR, create_collection
from disclosure.batch.collection import init_institution as _init_institution
from disclosure.compute.narrative import fill, year_context
from disclosure.compute.statistics import statistics
from disclosure.inputs.dataset import load_year
from disclosure.inputs.forms import load_table_defs
from disclosure.inputs.provenance import sha256
from disclosure.workspace import write_text

# kind -> (what is changed after the year is made consistent, a rule that must then fail)
CONTRADICTIONS = {
    "published_row": ("已公布统计表第 13 行印大 7", "P01"),
    "channel_total": ("已公布统计表第 27 行印大 1(第 19 行未变)", "A06"),
    "funding": ("概况填“无”专项经费项目,却有经费金额", "F03"),
    "narrative": ("正文第一段印错一个数字", "N01"),
    "checklist_link": ("清单某项有数量却删去全部链接", "K04"),
}
GENERATED_FILE = "generated.csv"  # the generator's answer key, at the collection's root
WORDS = ["信息", "公开", "通知", "公告", "会议", "文件", "学院", "处室", "报告", "校园"]


@dataclass(frozen=True)
class Generated:
    institution: str
    year: str
    contradiction: str  # a key of CONTRADICTIONS, or "" for a consistent year
    rule: str  # the rule the contradiction must fail, or ""


def generate_collection(
    folder: Path,
    template: Path,
    institutions: int,
    years: int,
    share: float = 0.2,
    seed: int = 1,
    first_year: int = 2030,
) -> list[Generated]:
    """Write a new collection of `institutions` × `years` institution-years into `folder`;
    round(share × total) of them, drawn at random, carry one contradiction. Returns the answer key
    (also written to generated.csv)."""
    rng = random.Random(seed)
    create_collection(folder, template, name=f"synthetic {institutions}x{years} seed {seed}")
    pairs = [(i, y) for i in range(institutions) for y in range(years)]
    hit = set(rng.sample(pairs, round(share * len(pairs))))
    kinds = sorted(CONTRADICTIONS)
    out = []
    for i, y in pairs:
        code = f"S{i + 1:04d}"
        year = f"{first_year + y}-{first_year + y + 1}"
        kind = rng.choice(kinds) if (i, y) in hit else ""
        root = folder / INSTITUTIONS_DIR / code
        _init_institution(folder, code, year)  # links, params and templates ...
        write_year(root, year, random.Random(f"{seed}/{code}/{year}"), f"合成第{i + 1}大学", kind)
        out.append(Generated(code, year, kind, CONTRADICTIONS[kind][1] if kind else ""))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["institution", "year", "contradiction", "rule"])
    writer.writerows([g.institution, g.year, g.contradiction, g.rule] for g in out)
    write_text(folder / GENERATED_FILE, buffer.getvalue())
    return out


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_year(root: Path, year: str, rng: random.Random, name: str, kind: str = "") -> None:
    """... replaced here by one drawn year (see the module's docstring)."""
    defs = load_table_defs(root)
    allowed = {t: {c.name: list(c.allowed) for c in d.columns} for t, d in defs.items()}
    folder = root / paths.DATA_RAW_DIR / year
    start = int(year[:4])

    def day() -> str:  # inside the academic year (1 Sept to 31 Aug)
        month = rng.choice([9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8])
        return f"{start + (month < 9)}-{month:02d}-{rng.randint(1, 28):02d}"

    reference = list(
        csv.DictReader((root / paths.CHECKLIST_ITEMS).open(encoding="utf-8", newline=""))
    )
    checklist_rows, total, removed = [], 0, False
    for ref in reference:
        count = rng.randint(1, 4) if ref["mandatory"] == "是" or rng.random() < 0.7 else 0
        total += count
        links = " ".join(
            f"https://www.s{name[2:-2]}.edu.cn/xxgk/{ref['item']}/{k}.html" for k in range(count)
        )
        if kind == "checklist_link" and count and not removed:
            links, removed = "", True  # the first counted item loses its links
        checklist_rows.append(
            [
                ref["category_no"],
                ref["item"],
                count,
                "",
                count or "",
                links,
                "是" if count else "",
                "",
                "",
            ]
        )
    platform = total + rng.randint(0, 300)
    publications = [
        ["门户网站", platform + rng.randint(0, 500), "条", ""],
        ["信息公开平台", platform, "条", ""],
        ["办公内网", rng.randint(0, 400), "条", ""],
        ["新闻发布会", rng.randint(0, 12), "次", ""],
        ["官方微博微信", rng.randint(0, 900), "条", ""],
    ]
    media = []
    for n in range(rng.randint(0, 40)):
        front = rng.random() < 0.25
        media.append(
            [
                rng.choice(allowed["media_reports"]["level"]),
                "是" if front else "否",
                "是" if rng.random() < 0.3 else "否",
                f"{name}报道{n + 1}",
                1,
                "",
            ]
        )
    applications, fees = [], 0
    for n in range(rng.randint(0, 60)):
        done = rng.random() < 0.85
        fee = rng.choice([0, 0, 0, 10, 20]) if done else 0
        fees += fee
        applications.append(
            [
                f"{start}-{n + 1:03d}",
                day(),
                rng.choice(allowed["applications"]["channel"]),
                rng.choice(allowed["applications"]["applicant"]),
                rng.choice(allowed["applications"]["topic"]),
                "是" if done else "否",
                rng.choice(allowed["applications"]["outcome"]) if done else "",
                fee,
                1,
                "",
            ]
        )
    appeals = [
        [f"F{n + 1}", rng.choice(["行政复议", "行政诉讼"]), rng.choice(["赢", "输", "未决"]), 1, ""]
        for n in range(rng.randint(0, 4) if applications else 0)
    ]
    mailbox = [[day(), rng.choice(["是", "是", "否"]), 1, ""] for _ in range(rng.randint(0, 25))]
    withheld = [
        [rng.choice(WORDS) * 2, "涉及个人隐私", rng.randint(1, 3)] for _ in range(rng.randint(0, 3))
    ]
    internal = [
        ["党委文件", rng.randint(0, 80), "份", ""],
        ["行政文件", rng.randint(0, 300), "份", ""],
    ]
    app_header = ["id", "received", "channel", "applicant", "topic", "concluded", "outcome", "fee"]
    files = {
        "publications.csv": _csv(["channel", "count", "unit", "note"], publications),
        "media_reports.csv": _csv(
            ["level", "front_page", "headline", "title", "count", "note"], media
        ),
        "applications.csv": _csv([*app_header, "count", "note"], applications),
        "appeals.csv": _csv(["id", "kind", "result", "count", "note"], appeals),
        "mailbox.csv": _csv(["received", "handled", "count", "note"], mailbox),
        "withheld.csv": _csv(["description", "reason", "count"], withheld),
        "internal.csv": _csv(["item", "count", "unit", "note"], internal),
        "checklist.csv": _csv(
            ["category", "item", "count", "count_alt", "count_printed", "links", "on_platform"]
            + ["remark", "transcription_note"],
            checklist_rows,
        ),
    }
    for file, text in files.items():
        write_text(folder / file, text)
    funded = rng.random() < 0.6
    profile = yaml.safe_load((folder / paths.PROFILE_FILE).read_text(encoding="utf-8")) or {}
    profile.update(
        {
            "institution": name,
            "portal": "有",
            "disclosure_platform": "有",
            "leader": "校长",
            "office": "党政办公室",
            "reception": "党政办公室",
            "special_funding_project": "有" if funded else "无",
            "special_funding_amount": rng.randint(1000, 90000) if funded else 0,
            "staff_full_time": rng.randint(1, 5),
            "staff_part_time": rng.randint(0, 20),
            "fee_policy": "收费" if fees else "不收费",
        }
    )
    if kind == "funding":
        profile["special_funding_project"] = "无"
        profile["special_funding_amount"] = rng.randint(1000, 90000)
    write_text(folder / paths.PROFILE_FILE, yaml.safe_dump(profile, allow_unicode=True))
    templates = [
        "{year} 学年,学校设信息公开工作专职人员 {r8} 人、兼职人员 {r9} 人。",
        "官网发布信息 {r10} 条,信息公开平台发布 {r12} 条;收到信息公开申请 {r19} 件,办结 {r20} 件。",
    ]

    def narrative(paragraphs: list[dict[str, str]]) -> str:
        prose = {
            "title": "关于报送{year}学年度信息公开工作的报告",
            "sections": [{"part": "一", "heading": "信息公开情况概述", "paragraphs": paragraphs}],
        }
        return yaml.safe_dump(prose, allow_unicode=True, sort_keys=False)

    # The prose's templates first (a year needs its narrative to load), then the published table
    # and the printed prose, from the year as the package rebuilds it.
    write_text(folder / paths.NARRATIVE_FILE, narrative([{"template": t} for t in templates]))
    data = load_year(root, year)
    stats = statistics(data)
    published = [
        [r.row, r.label, v, r.unit] for r, v in zip(data.rows, stats["value"], strict=True)
    ]
    if kind == "published_row":
        published[12][2] = int(published[12][2]) + 7
    if kind == "channel_total":
        published[26][2] = int(published[26][2]) + 1
    write_text(
        folder / "reported_statistics.csv",
        _csv(["printed_no", "label", "value", "unit"], published),
    )
    values = year_context(data, stats)
    paragraphs = [{"template": t, "printed": fill(t, values)} for t in templates]
    if kind == "narrative":
        wrong = str(int(values["r8"]) + 1)
        paragraphs[0]["printed"] = fill(templates[0], {**values, "r8": wrong})
    write_text(folder / paths.NARRATIVE_FILE, narrative(paragraphs))
    hashes = {p.name: sha256(p) for p in sorted(folder.iterdir()) if p.name != paths.SOURCE_FILE}
    source = {"source": "disclosure.batch.generate (synthetic, not real data)", "files": hashes}
    write_text(folder / paths.SOURCE_FILE, yaml.safe_dump(source, allow_unicode=True))
