"""Any year that passes `check` can be run: random valid years, drawn from a seeded generator.

Each drawn year is written into one workspace (a copy of the repository's forms) as raw CSV
files, a profile.yaml, a narrative.yaml and params/<year>.yaml. Values range over what the forms
accept: blank cells (defaults), zeros, counts up to the ceilings of forms/tables.yaml, full-width
digits, thousands separators, 有/无 for 是/否, dates in three spellings, a published table that is
missing, shorter than the form, as long or one line longer, with text or full-width numbers, links
that repeat or are not web addresses, an explicit or a default previous year. Every drawn year must
pass `check` (no InputError; failed checks are findings, not crashes), and then the kernel-free
parts of `run` must not crash either: every figure drawn (some also rendered to PNG), the results
bundle and the report fragments (banner, header, signature, statistics and checklist tables, body).

A seeded `random.Random` keeps the test fast, reproducible and without a new dependency; a failing
draw names its seed and year so it can be replayed alone.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest
import yaml
from workspaces import build_workspace

from disclosure import pipeline
from disclosure.compute.narrative import year_context
from disclosure.errors import InputError
from disclosure.inputs.forms import load_profile_schema, load_table_defs
from disclosure.present import bundle, charts, document, excel, report, word

SEED = 20240901
DRAWS = 30
FIRST = 2101  # drawn years are 2101-2102, 2102-2103, ... (each the previous year of the next)
PNG_EVERY = 10  # every tenth year's figures are also rendered to PNG (the slow part)

REPO = Path(__file__).resolve().parents[2]
DEFS = load_table_defs(REPO)
PROFILE = load_profile_schema(REPO)
with open(REPO / "forms" / "tables.yaml", encoding="utf-8") as handle:
    PROFILE_MAX = {
        name: spec["max"]
        for name, spec in yaml.safe_load(handle)["profile"]["fields"].items()
        if "max" in spec
    }
with open(REPO / "forms" / "statistics.yaml", encoding="utf-8") as handle:
    FORM_ROWS = yaml.safe_load(handle)["rows"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
WORDS = ["信息", "公开", "通知", "公告", "会议", "文件", "学院", "处室", "报告", "说明", "校园"]


def allowed(table: str, column: str) -> list[str]:
    return list(DEFS[table].column(column).allowed)


def ceiling(table: str, column: str) -> int:
    value = DEFS[table].column(column).max
    assert isinstance(value, int), f"{table}.{column} has no ceiling"
    return value


# --- drawing values -------------------------------------------------------------------------------


class Draw:
    """The values of one year, drawn from `rng`."""

    def __init__(self, rng: random.Random, year: str) -> None:
        self.rng = rng
        self.year = year
        self.start = date(int(year[:4]), 9, 1)
        self.end = date(int(year[5:]), 8, 31)

    def words(self, low: int = 1, high: int = 4) -> str:
        return "".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high)))

    def number(self, high: int) -> int:
        """0, 1, small, anything up to the ceiling, or the ceiling itself."""
        kind = self.rng.random()
        if kind < 0.15:
            return 0
        if kind < 0.3:
            return high
        if kind < 0.6:
            return self.rng.randint(1, min(high, 500))
        return self.rng.randint(0, high)

    def spelled(self, value: int) -> str:
        """How a count may be written in a cell: plain, full-width, with thousands separators,
        as a whole float, with spaces around."""
        kind = self.rng.random()
        if kind < 0.55:
            return str(value)
        if kind < 0.7:
            return str(value).translate(FULL_WIDTH)
        if kind < 0.82 and value >= 1000:
            return f"{value:,}"
        if kind < 0.9:
            return f"{value}.0"
        return f" {value} "

    def count(self, table: str, column: str = "count", blank_ok: bool = True) -> str:
        """A count cell; blank takes the column's default."""
        if blank_ok and self.rng.random() < 0.15:
            return ""
        return self.spelled(self.number(ceiling(table, column)))

    def choice(self, table: str, column: str, blank_ok: bool = False) -> str:
        if blank_ok and self.rng.random() < 0.2:
            return ""
        value = self.rng.choice(allowed(table, column))
        synonym = {"是": "有", "否": "无"}
        if value in synonym and self.rng.random() < 0.2:
            return synonym[value]  # read as the form's word, with a note
        return value

    def day(self) -> str:
        day = self.start + timedelta(days=self.rng.randint(0, (self.end - self.start).days))
        spelling = self.rng.choice(
            ["{:%Y-%m-%d}", "{0.year}/{0.month}/{0.day}", "{0.year}年{0.month}月{0.day}日"]
        )
        return spelling.format(day)

    def link(self) -> str:
        kind = self.rng.random()
        if kind < 0.8:
            return f"https://www.example.edu.cn/index.php?c=show&id={self.rng.randint(1, 9999)}"
        if kind < 0.9:
            return f"QQ：{self.rng.randint(10000, 99999)}"
        return "无链接"


def table_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def publications(d: Draw) -> str:
    channels = allowed("publications", "channel")
    picked = d.rng.sample(channels, d.rng.randint(1, len(channels)))
    rows = [
        [c, d.count("publications"), d.rng.choice(["条", "次", ""]), d.words(0, 3)] for c in picked
    ]
    return table_text(["channel", "count", "unit", "note"], rows)


def media_reports(d: Draw) -> str:
    rows = [
        [
            d.choice("media_reports", "level"),
            d.choice("media_reports", "front_page"),
            d.choice("media_reports", "headline"),
            d.words(0, 5),
            d.count("media_reports"),
            d.words(0, 2),
        ]
        for _ in range(d.rng.choice([0, 0, 1, 3, 12]))
    ]
    return table_text(["level", "front_page", "headline", "title", "count", "note"], rows)


def applications(d: Draw) -> str:
    rows = []
    for number in range(d.rng.choice([0, 0, 1, 2, 7, 40])):
        concluded = d.choice("applications", "concluded")
        rows.append(
            [
                f"{d.year[:4]}-{number + 1:03d}",
                d.day(),
                d.choice("applications", "channel"),
                d.choice("applications", "applicant"),
                d.choice("applications", "topic"),
                concluded,
                d.choice("applications", "outcome", blank_ok=True),
                d.count("applications", "fee"),
                d.count("applications"),
                d.words(0, 2),
            ]
        )
    header = ["id", "received", "channel", "applicant", "topic", "concluded", "outcome", "fee"]
    return table_text([*header, "count", "note"], rows)


def appeals(d: Draw) -> str:
    rows = [
        [
            f"F{number + 1}",
            d.choice("appeals", "kind"),
            d.choice("appeals", "result"),
            d.count("appeals"),
            d.words(0, 2),
        ]
        for number in range(d.rng.choice([0, 0, 0, 1, 3]))
    ]
    return table_text(["id", "kind", "result", "count", "note"], rows)


def mailbox(d: Draw) -> str:
    rows = [
        [
            d.day() if d.rng.random() < 0.7 else "",
            d.choice("mailbox", "handled"),
            d.count("mailbox"),
            "",
        ]
        for _ in range(d.rng.choice([0, 1, 4, 20]))
    ]
    return table_text(["received", "handled", "count", "note"], rows)


def withheld(d: Draw) -> str:
    rows = [
        [d.words(), d.words(0, 3), d.count("withheld")] for _ in range(d.rng.choice([0, 0, 1, 3]))
    ]
    return table_text(["description", "reason", "count"], rows)


def checklist(d: Draw) -> str:
    items = sorted(d.rng.sample(range(1, 51), d.rng.choice([50, 50, 50, 49, 30, 1])))
    rows = []
    for item in items:
        links = [d.link() for _ in range(d.rng.choice([0, 0, 1, 2, 5]))]
        if links and d.rng.random() < 0.2:
            links.append(links[0])  # a repeated link (a warning, not a crash)
        rows.append(
            [
                str(d.rng.randint(1, 10)),
                str(item),
                d.count("checklist"),
                d.count("checklist", "count_alt") if d.rng.random() < 0.1 else "",
                d.words(0, 1),
                " ".join(links),
                d.choice("checklist", "on_platform", blank_ok=True),
                d.words(0, 3),
                d.words(0, 2),
            ]
        )
    header = ["category", "item", "count", "count_alt", "count_printed", "links", "on_platform"]
    return table_text([*header, "remark", "transcription_note"], rows)


def internal(d: Draw) -> tuple[str, list[str]]:
    names = [
        "党委文件",
        "行政文件",
        "校长办公会",
        "工作例会",
        "教学系统会议",
        "工作群下载信息",
        "广播宣传",
    ]
    picked = d.rng.sample(names, d.rng.randint(0, len(names)))
    rows = [[n, d.count("internal"), d.rng.choice(["份", "次", ""]), d.words(0, 2)] for n in picked]
    return table_text(["item", "count", "unit", "note"], rows), picked


def reported_statistics(d: Draw) -> str | None:
    """The published table: absent, shorter, as long as the form, or one line longer."""
    kind = d.rng.random()
    if kind < 0.2:
        return None
    length = d.rng.choice([len(FORM_ROWS), len(FORM_ROWS), len(FORM_ROWS) + 1, 30, 0])
    rows = []
    for index in range(length):
        spec = FORM_ROWS[index] if index < len(FORM_ROWS) else {"label": "多出的一行", "unit": "条"}
        value_kind = d.rng.random()
        if value_kind < 0.5:
            value = d.spelled(d.number(10**7))
        elif value_kind < 0.7:
            value = d.rng.choice(["有", "无", "收费", "不收费", "校长", "办公室"])
        elif value_kind < 0.8:
            value = ""
        else:
            value = d.words()
        printed_no = str(index + 1) if d.rng.random() < 0.95 else str(d.rng.randint(1, 60))
        rows.append([printed_no, spec["label"], value, spec.get("unit", "")])
    return table_text(["printed_no", "label", "value", "unit"], rows)


def profile(d: Draw) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in PROFILE.items():
        if spec.type == "int":
            out[name] = d.number(PROFILE_MAX[name])
        elif spec.type == "text":
            if not spec.required and d.rng.random() < 0.3:
                continue
            out[name] = d.rng.choice([d.words(), "有", "无", "不收费", "收费", "0 元", "校长"])
    out["institution"] = "某某" + d.words(1, 2) + "大学"
    if "report_date" in out:
        out["report_date"] = d.rng.choice(["", f"{d.year[5:]}-11-14"])
    if d.rng.random() < 0.7:
        out["contact"] = {k: d.words(0, 2) for k in ("office", "address", "postcode", "phone")}
    return out


def narrative(d: Draw, facts: dict[str, Any], internal_items: list[str]) -> dict[str, Any] | None:
    """Prose whose placeholders all have data (a year's profile, internal items and rows; a
    profile field left empty fills nothing). `check` refuses a year without one."""
    names = [f"r{n}" for n in range(1, len(FORM_ROWS) + 1)] + ["year", "period_start", "period_end"]
    names += [f"internal.{item}" for item in internal_items]

    def filled(value: Any) -> bool:
        return value is not None and str(value).strip() != ""

    for key, value in facts.items():
        if isinstance(value, dict):
            names += [f"profile.{key}.{k}" for k, v in value.items() if filled(v)]
        elif filled(value):
            names.append(f"profile.{key}")

    def template() -> str:
        parts = [d.words()]
        for _ in range(d.rng.randint(0, 4)):
            parts += ["{" + d.rng.choice(names) + "}", d.words()]
        return " ".join(parts)

    def paragraph() -> dict[str, str]:
        if d.rng.random() < 0.2:
            return {"subheading": d.words()}
        para = {"template": template()}
        if d.rng.random() < 0.5:
            para["printed"] = d.words(1, 8)  # not aligned with the template: a warning
        return para

    return {
        "title": "关于报送{year}学年度信息公开工作的报告",
        "opening": [{"template": template()} for _ in range(d.rng.randint(0, 2))],
        "sections": [
            {
                "part": "一二三四五六七"[i],
                "heading": d.words(),
                "paragraphs": [paragraph() for _ in range(d.rng.randint(0, 4))],
            }
            for i in range(d.rng.randint(0, 7))
        ],
        "attachments": [d.words() for _ in range(d.rng.randint(0, 2))],
    }


def write_year(root: Path, d: Draw, previous: str | None) -> None:
    folder = root / "data" / "raw" / d.year
    folder.mkdir(parents=True)
    files = {
        "publications": publications(d),
        "media_reports": media_reports(d),
        "applications": applications(d),
        "appeals": appeals(d),
        "mailbox": mailbox(d),
        "withheld": withheld(d),
        "checklist": checklist(d),
    }
    files["internal"], items = internal(d)
    published = reported_statistics(d)
    if published is not None:
        files["reported_statistics"] = published
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    facts = profile(d)
    (folder / "profile.yaml").write_text(yaml.safe_dump(facts, allow_unicode=True), "utf-8")
    prose = narrative(d, facts, items)
    if prose is not None:
        (folder / "narrative.yaml").write_text(yaml.safe_dump(prose, allow_unicode=True), "utf-8")
    params: dict[str, Any] = {
        "academic_year": d.year,
        "yoy_threshold": d.rng.choice([0.5, 0.1, 10]),
    }
    if previous is not None:
        params["previous_year"] = previous
    (root / "params" / f"{d.year}.yaml").write_text(
        yaml.safe_dump(params, allow_unicode=True), encoding="utf-8"
    )


# --- the kernel-free parts of `run` ---------------------------------------------------------------


def render(result: pipeline.YearResult, to_png: bool) -> None:
    """What the workbook computes after `check`, without a kernel: figures, bundle, report.

    Every figure is drawn (laid out, so every label is measured); `to_png` also renders it to PNG as
    the workbook does, which is slower, so only some draws do.
    """
    data, stats, items = result.data, result.statistics, result.checklist
    before = result.previous
    charts.setup()
    source = f"{data.profile['institution']} {data.year} 学年原始数据"
    years = (before.year, data.year)
    for spec in data.figures:  # every figure, whether or not its `when` holds
        figure = charts.draw(spec, stats, result.categories, before.statistics, years, source)
        if to_png:
            assert charts.png(figure).startswith(b"\x89PNG")
        else:
            plt.close(figure)
    exported = bundle.results(stats, items, result.categories, result.findings)
    assert len(exported[bundle.RESULTS_MIME]["statistics"]) == len(stats)
    ctx = year_context(data, stats)
    doc = document.build(
        data.profile, data.narrative, ctx, stats, items, data.year, report.date_text(data.profile)
    )
    html = [
        report.review_summary(result.findings, data.year, doc["issuer"]),
        report.header(doc),
        report.body(doc),
        report.statistics_table(doc),
        report.statistics_table(doc, review=True),
        report.checklist_table(doc),
    ]
    assert all(isinstance(part, str) and part for part in html)
    assert word.docx_bytes(doc).startswith(b"PK") and excel.xlsx_bytes(doc).startswith(b"PK")


# --- the test -------------------------------------------------------------------------------------


def drawn_years() -> list[tuple[str, str | None]]:
    """(year, explicit previous_year or None) for each draw, in order."""
    rng = random.Random(SEED)
    out: list[tuple[str, str | None]] = []
    for number in range(DRAWS):
        year = f"{FIRST + number}-{FIRST + number + 1}"
        earlier = [y for y, _ in out]
        previous = rng.choice(earlier) if earlier and rng.random() < 0.3 else None
        out.append((year, previous))
    return out


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = build_workspace(tmp_path_factory.mktemp("random") / "ws")
    for number, (year, previous) in enumerate(drawn_years()):
        write_year(root, Draw(random.Random(f"{SEED}-{number}"), year), previous)
    return root


@pytest.mark.parametrize("year, previous", drawn_years(), ids=[y for y, _ in drawn_years()])
def test_a_random_valid_year_passes_check_and_runs_without_a_kernel(workspace, year, previous):
    result = pipeline.check_year(workspace, year)  # an InputError here is a generator bug
    assert result.statistics["row"].tolist() == list(range(1, len(FORM_ROWS) + 1))
    assert result.previous.year == (previous or f"{int(year[:4]) - 1}-{year[:4]}")
    render(result, to_png=int(year[:4]) % PNG_EVERY == 0)


def test_the_draws_reach_the_ceilings_and_the_edge_cases(workspace):
    """The generator really produces what the docstring promises (so the test cannot go soft)."""
    raw = workspace / "data" / "raw"
    texts = "".join(p.read_text(encoding="utf-8") for p in raw.glob("*/*.csv"))
    assert str(ceiling("publications", "count")) in texts
    assert str(ceiling("applications", "count")) in texts
    assert "０" in texts or "１" in texts  # full-width digits
    assert any(not (raw / y / "reported_statistics.csv").exists() for y, _ in drawn_years())
    lines = [
        len((raw / y / "reported_statistics.csv").read_text(encoding="utf-8").splitlines()) - 1
        for y, _ in drawn_years()
        if (raw / y / "reported_statistics.csv").exists()
    ]
    assert len(FORM_ROWS) + 1 in lines and len(FORM_ROWS) in lines
    assert any(previous for _, previous in drawn_years())


# --- inputs that passed `check` and then stopped `run` --------------------------------------------
# Found while drawing years like the ones above. A narrative, a placeholder or a report_date the
# report cannot print is refused by `check` (exit 2, nothing written), naming the file and the
# place: a missing narrative.yaml, a placeholder without data, a lone brace.

REAL = "2023-2024"
NARRATIVE = f"data/raw/{REAL}/narrative.yaml"


def real_workspace(tmp_path: Path) -> Path:
    return build_workspace(tmp_path / "ws", repo_years=True)


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def refused(root: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        pipeline.check_year(root, REAL)
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda d: d.update(sections="一、概述"), "sections 应为列表"),
        (lambda d: d["opening"].append({"subheading": "小标题"}), "开头第 2 段应为含文字 template"),
        (
            lambda d: d["sections"][0]["paragraphs"].append({"printed": "只有印刷文字"}),
            "第一部分第 6 段应为含文字 template(或 subheading)",
        ),
        (
            lambda d: d["sections"][0]["paragraphs"].append({"template": 2024}),
            "第一部分第 6 段应为含文字 template(或 subheading)",
        ),
        (lambda d: d["opening"][0].update(printed=335), "开头第 1 段的 printed 应为文字"),
        (lambda d: d.update(attachments=[{"a": 1}]), "attachments 第 1 项应为文字"),
        (lambda d: d.update(title=2024), "title 应为文字"),
    ],
)
def test_a_narrative_the_report_cannot_read_is_refused(tmp_path, change, says):
    root = real_workspace(tmp_path)
    edit(root / NARRATIVE, change)
    (problem,) = refused(root)
    assert problem.startswith(f"{NARRATIVE}:{says}"), problem


def test_a_narrative_that_is_not_a_mapping_is_refused(tmp_path):
    root = real_workspace(tmp_path)
    (root / NARRATIVE).write_text("- 第一段\n- 第二段\n", encoding="utf-8")
    (problem,) = refused(root)
    assert problem.startswith(f"{NARRATIVE}:应为“键: 值”形式的映射")


def test_a_report_date_that_is_not_a_date_is_refused(tmp_path):
    root = real_workspace(tmp_path)
    edit(root / f"data/raw/{REAL}/profile.yaml", lambda d: d.update(report_date="2024年11月14日"))
    (problem,) = refused(root)
    assert problem == (
        f"data/raw/{REAL}/profile.yaml:“report_date”的值“2024年11月14日”不是日期;"
        "应写成 YYYY-MM-DD(如 2024-11-14)或留空"
    )


def empty_internal(root: Path) -> None:
    (root / f"data/raw/{REAL}/internal.csv").write_text("item,count,unit,note\n", "utf-8")


@pytest.mark.parametrize(
    "change, says",
    [
        (
            empty_internal,
            "第二部分第 4 段的占位符“{internal.党委文件}”在 internal.csv 中没有这一项",
        ),
        (
            lambda root: edit(root / NARRATIVE, lambda d: d.update(title="{学校}")),
            "标题的占位符“{学校}”未知",
        ),
        (
            lambda root: edit(
                root / NARRATIVE, lambda d: d["opening"].append({"template": "{r56}"})
            ),
            "开头第 2 段的占位符“{r56}”不是统计表的行号",
        ),
        (
            lambda root: edit(
                root / f"data/raw/{REAL}/profile.yaml", lambda d: d.pop("portal_url")
            ),
            "第二部分第 2 段的占位符“{profile.portal_url}”在 profile.yaml 中没有数据",
        ),
        (
            lambda root: edit(root / NARRATIVE, lambda d: d.update(title="{year} 报告 {")),
            "标题有不成对的花括号“{”",
        ),
    ],
    ids=["internal-item-absent", "unknown-name", "row-56", "profile-key-absent", "lone-brace"],
)
def test_a_placeholder_without_data_is_refused_naming_it(tmp_path, change, says):
    root = real_workspace(tmp_path)
    change(root)
    problems = refused(root)
    assert any(p.startswith(f"{NARRATIVE}:{says}") for p in problems), problems


def test_a_year_without_narrative_is_refused(tmp_path):
    root = real_workspace(tmp_path)
    (root / NARRATIVE).unlink()
    (problem,) = refused(root)
    assert problem.startswith(f"{NARRATIVE}:缺少报告正文")


def test_literal_braces_print_as_braces(tmp_path):
    root = real_workspace(tmp_path)
    edit(root / NARRATIVE, lambda d: d.update(title="{{{year}}} 报告"))
    result = pipeline.check_year(root, REAL)
    ctx = year_context(result.data, result.statistics)
    doc = document.build(result.data.profile, result.data.narrative, ctx, result.statistics,
                         result.checklist, REAL, "")  # fmt: skip
    assert doc["title"] == "{2023-2024} 报告"
