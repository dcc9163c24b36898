"""`disclosure audit`: every rule of forms/audit.yaml passes and fails, the catalogue subset runs on
the imported year, the rubric scores, a folder gives a summary and an overview."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest
from workspaces import REPO_ROOT

from disclosure.errors import InputError
from disclosure.inputs.forms import load_citations
from disclosure.pipeline import STATUS_ZH
from disclosure.published import audit, detect
from disclosure.published.importer import read_report

SPEC = detect.load_audit_form(REPO_ROOT)
RULES = {r["id"]: r for r in SPEC["rules"]}
# The seed's contradictions: 无 beside 8000 元 (F03p, F04p: one fact, two rules), line 51 printed
# "50" (S01), row 54 printed "0 元" (S03), the checklist's 178 against row 11's 174 (K01); and its
# citation of the superseded 国务院令第492号 (L01, a warning).
SEED_ERRORS = {"F03p", "F04p", "S01", "S03", "K01"}


def variant(tmp_path: Path, seed_text: str, *edits: tuple[str, str], name: str = "r.md") -> Path:
    text = seed_text
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def outcome(tmp_path, seed_text, rule_id, *edits) -> audit.Outcome:
    reading = read_report(REPO_ROOT, variant(tmp_path, seed_text, *edits))
    published = {i: line.value for i, line in enumerate(reading.lines, 1)}
    ctx = audit.Context(reading, reading.family, published, tuple(load_citations(REPO_ROOT)))
    rule = RULES[rule_id]
    return audit.KINDS[rule["kind"]](rule, ctx)


@pytest.fixture(scope="module")
def seed_audit(seed) -> audit.ReportAudit:
    return audit.audit_report(REPO_ROOT, seed)


def failed(report: audit.ReportAudit, severity: str) -> set[str]:
    f = report.findings
    return set(f.loc[(f["outcome"] == "failed") & (f["severity"] == severity), "id"])


# --- the seed -------------------------------------------------------------------------------------


def test_the_seed_audit_finds_its_four_contradictions_and_the_old_citation(seed_audit):
    assert failed(seed_audit, "error") == SEED_ERRORS
    assert {"L01", "E01"} <= failed(seed_audit, "warning")
    findings = seed_audit.findings.set_index("id")
    assert findings.loc["F03p", "detail"] == (
        "已公布统计表第 6 行填“无”(未设专项经费项目),第 7 行却为 8000 元"
    )
    assert findings.loc["S01", "detail"] == "第 51 行印为“50”"
    assert findings.loc["S03", "detail"] == "第 54 行应填收费或不收费,公布为“0”"
    assert findings.loc["K01", "detail"].startswith("清单各事项公开数量合计 178 条,")
    assert "引用了国务院令第492号" in findings.loc["L01", "detail"]  # from forms/citations.csv
    assert (seed_audit.school, seed_audit.year, seed_audit.family) == (
        "重庆机电职业技术大学", "2023-2024", "chongqing",
    )  # fmt: skip


def test_every_rule_of_the_form_and_every_catalogue_id_is_reported(seed_audit):
    ids = list(seed_audit.findings["id"])
    assert set(ids) == set(RULES) | set(SPEC["catalogue"])
    assert len(ids) == len(set(ids))


def test_the_seed_passes_structure_period_and_prose_checks(seed_audit):
    findings = seed_audit.findings.set_index("id")["outcome"]
    assert {i: findings[i] for i in ("T01", "T02", "T03", "E02", "E03", "W01")} == dict.fromkeys(
        ("T01", "T02", "T03", "E02", "E03", "W01"), "passed"
    )


def test_the_catalogue_rules_are_the_engines_verdicts(seed_audit, tmp_path):
    """The same verdicts as `check_year` on the bundled transcription, for every listed rule."""
    from disclosure.pipeline import check_year

    engine = check_year(REPO_ROOT, "2023-2024").findings.set_index("id")
    ours = seed_audit.findings.set_index("id")
    for rule_id in SPEC["catalogue"]:
        expected = {True: "passed", False: "failed"}.get(engine.loc[rule_id, "passed"])
        assert ours.loc[rule_id, "outcome"] == (expected or "not_applicable"), rule_id


# --- each document rule on both sides -------------------------------------------------------------


def test_t01_family_known_and_unknown(tmp_path, seed_text):
    assert outcome(tmp_path, seed_text, "T01").outcome == "passed"
    ctx = audit.Context(read_report(REPO_ROOT, variant(tmp_path, seed_text)), None, {})
    assert audit.family_rule(RULES["T01"], ctx).outcome == "failed"


def test_t02_a_missing_part_is_named(tmp_path, seed_text):
    result = outcome(tmp_path, seed_text, "T02", ("#### **七、其他需要报告的事项**", "其他"))
    assert result.outcome == "failed" and result.detail.startswith("缺少:其他")


def test_t03_stated_part_count_against_printed(tmp_path, seed_text):
    assert outcome(tmp_path, seed_text, "T03").outcome == "passed"
    six = outcome(tmp_path, seed_text, "T03", ("等七个部分组", "等六个部分组"))
    assert six.outcome == "failed" and six.detail == "正文称“六个部分”,印出 7 个部分"
    unstated = outcome(tmp_path, seed_text, "T03", ("等七个部分组", "等组"))
    assert unstated.outcome == "not_applicable"


@pytest.mark.parametrize(
    "edits, expected",
    [
        ((), "failed"),
        ((("第 492 号", "第 711 号"),), "passed"),
        ((("2024 年 11 月 14 日", "2019 年 5 月 14 日"),), "passed"),  # before 2019-05-15
        ((("2024 年 11 月 14 日", "2019 年 5 月 15 日"),), "failed"),
    ],
    ids=["492", "711", "day-before", "day-of"],
)
def test_l01_superseded_citation_by_date(tmp_path, seed_text, edits, expected):
    assert outcome(tmp_path, seed_text, "L01", *edits).outcome == expected


@pytest.mark.parametrize(
    "cited, expected",
    [(None, "not_applicable"), ("教办函〔2014〕23号", "passed"), ("教办函〔2014〕32号", "failed")],
)
def test_l02_checklist_notice_number(tmp_path, seed_text, cited, expected):
    edits = []
    if cited:
        edits.append(
            (
                "《教育部高等学校信息公开\n\n事项清单》",
                f"《教育部高等学校信息公开\n\n事项清单》({cited})",
            )
        )
    assert outcome(tmp_path, seed_text, "L02", *edits).outcome == expected


@pytest.mark.parametrize(
    "date_text, expected",
    [
        ("2024 年 10 月 31 日", "passed"),
        ("2024 年 11 月 1 日", "failed"),
        ("2023 年 12 月 1 日", "passed"),
    ],
)
def test_e01_report_date_against_31_october(tmp_path, seed_text, date_text, expected):
    assert (
        outcome(tmp_path, seed_text, "E01", ("2024 年 11 月 14 日", date_text)).outcome == expected
    )


def test_e01_without_a_date_is_not_applicable(tmp_path, seed_text):
    assert (
        outcome(tmp_path, seed_text, "E01", ("2024 年 11 月 14 日", "")).outcome == "not_applicable"
    )


@pytest.mark.parametrize(
    "period, expected",
    [
        ("2023 年 9 月 1 日至 2024 年 8 月 31 日", "passed"),
        ("2023 年 9 月 1 日至 2024 年 8 月 30 日", "failed"),
        ("2024 年 1 月 1 日至 2024 年 12 月 31 日", "failed"),
        ("2023 年 9 月 1 日至 2024 年 2 月 30 日", "failed"),
    ],
    ids=["academic", "a-day-short", "calendar", "no-such-day"],
)
def test_e02_statistics_period(tmp_path, seed_text, period, expected):
    edit = ("2023 年 9 月 1 日至 2024 年 8 月 31 日", period)
    assert outcome(tmp_path, seed_text, "E02", edit).outcome == expected


def test_e03_another_academic_year_in_the_prose(tmp_path, seed_text):
    result = outcome(tmp_path, seed_text, "E03", ("（二）2023-2024 学年", "（二）2022-2023 学年"))
    assert result.outcome == "failed" and "2022-2023" in result.detail


def test_w01_a_number_in_the_prose_against_the_table(tmp_path, seed_text):
    result = outcome(tmp_path, seed_text, "W01", ("报道 56 条", "报道 65 条"))
    assert result.outcome == "failed"
    assert result.detail == "第二部分“报道 65 条”≠ 统计表第 16 行公布 “56”"
    words = outcome(
        tmp_path, seed_text, "W01", ("学校未收到明确", "学校收到信息公开申请 2 件，未收到明确")
    )
    assert words.outcome == "failed" and "第 19 行" in words.detail


def test_w01_without_comparable_numbers_is_not_applicable(tmp_path, seed_text):
    text = seed_text.split("## 二、主动公开信息情况")[0] + seed_text[seed_text.index("附件 1") :]
    path = tmp_path / "short.md"
    path.write_text(text, encoding="utf-8")
    reading = read_report(REPO_ROOT, path)
    ctx = audit.Context(
        reading, reading.family, {i: x.value for i, x in enumerate(reading.lines, 1)}
    )
    assert audit.narrative_numbers(RULES["W01"], ctx).outcome == "not_applicable"


def test_rules_needing_a_family_are_skipped_for_an_unknown_form(tmp_path):
    report = tmp_path / "other.txt"
    report.write_text(
        "某大学\n关于2023-2024学年的报告\n省厅：\n一、概述\n正文。\n", encoding="utf-8"
    )
    result = audit.audit_report(REPO_ROOT, report)
    findings = result.findings.set_index("id")
    assert findings.loc["T01", "outcome"] == "failed"
    assert {findings.loc[i, "outcome"] for i in ("T02", "E01", "E02", "E03", "W01")} == {"skipped"}
    assert set(findings.loc[SPEC["catalogue"], "outcome"]) == {"skipped"}
    assert "已跳过" in findings.loc["K01", "detail"]
    assert findings.loc["K01", "title"] == "清单各事项公开数量之和等于统计表第 11 行"
    assert findings.loc["K01", "severity"] == "error"


def test_a_family_without_the_table_skips_the_table_rules_and_says_so(tmp_path):
    report = tmp_path / "gov.txt"
    report.write_text(
        "某市政府信息公开工作年度报告\n2023年\n一、总体情况\n正文。\n", encoding="utf-8"
    )
    findings = audit.audit_report(REPO_ROOT, report).findings.set_index("id")
    assert findings.loc["T01", "detail"] == "政府信息公开工作年度报告格式(按自然年)"
    assert findings.loc["W01", "detail"].startswith("不适用于政府信息公开工作年度报告格式")
    assert findings.loc["T02", "outcome"] == "failed"  # its own outline's parts are missing


# --- numbers, rubric, summary ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [
        ("七", 7),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("8", 8),
        ("", None),
        ("百", None),
    ],
)
def test_cn_number(text, value):
    assert audit.cn_number(text) == value


def test_the_rubric_scores_levels_and_item_overrides():
    rubric = {
        "levels": [
            {"when": "count > 0 and n_web_links > 0 and on_platform == '是'", "points": 2},
            {"when": "count > 0 and n_web_links > 0", "points": 1},
        ],
        "items": {6: [{"when": "count > 0", "points": 4}]},
    }
    checklist = pd.DataFrame(
        [
            {"item": 1, "count": 3, "n_web_links": 1, "on_platform": "是"},  # 2 of 2
            {"item": 2, "count": 3, "n_web_links": 1, "on_platform": None},  # 1 of 2
            {"item": 3, "count": 0, "n_web_links": 0, "on_platform": "是"},  # 0 of 2
            {"item": 6, "count": 1, "n_web_links": 0, "on_platform": float("nan")},  # 4 of 4
        ]
    )
    assert audit.score(checklist, rubric) == (70.0, 7, 10)
    assert audit.score(None, rubric) == (None, 0, 0)


def test_the_seed_score_comes_from_the_forms_rubric(seed_audit):
    assert seed_audit.score is not None and 0 < seed_audit.score < 100


def test_a_folder_with_an_unreadable_report_is_a_summary_row(tmp_path, seed):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a_seed.md").write_bytes(seed.read_bytes())
    (folder / "b_empty.pdf").write_bytes(b"")
    (folder / "c_notes.csv").write_text("not a report", encoding="utf-8")
    files = audit.report_files(folder)
    assert [p.name for p in files] == ["a_seed.md", "b_empty.pdf"]
    ticks = []
    audits = audit.audit_many(REPO_ROOT, files, ticks.append)
    assert ticks == files
    table = audit.summary(audits)
    assert list(table["状态"]) == ["已审查", audit.READ_FAILED]
    assert table.loc[0, "错误"] == len(SEED_ERRORS) and table.loc[0, "K01"] == "未通过"
    assert list(table["结果"]) == [STATUS_ZH["failed_checks"], STATUS_ZH["bad_input"]]
    rule_columns = list(table.columns[len(audit.SUMMARY_COLUMNS) :])
    assert rule_columns == [r["id"] for r in SPEC["rules"]] + SPEC["catalogue"]
    assert "文件为空" in table.loc[1, "说明"] and pd.isna(table.loc[1, "错误"])
    written = audit.write_outputs(tmp_path / "out", audits)
    assert sorted(p.name for p in written) == [
        "a_seed.md.findings.csv", "audit_summary.csv", "audit_summary.json", "audit_summary.xlsx",
        "overview.html",
    ]  # fmt: skip
    text = (tmp_path / "out" / "audit_summary.csv").read_text(encoding="utf-8")
    assert text.startswith("\ufeff文件,状态,结果,学校,学年")  # a BOM: Excel reads UTF-8
    assert (tmp_path / "out" / "a_seed.md.findings.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    counts = audit.failure_counts([audit.record_of(a) for a in audits])
    assert counts.iloc[0]["reports"] == 1 and set(counts["id"]) >= SEED_ERRORS
    overview = (tmp_path / "out" / "overview.html").read_text(encoding="utf-8")
    assert "共 2 份报告,1 份可读取,1 份无法读取" in overview
    assert "img{max-width:min(100%,760px)" in overview  # the chart (1200 px) shrinks to fit
    assert '<meta name="viewport" content="width=device-width' in overview
    assert "data:image/png" not in overview  # one report: bars that all equal 1 say nothing
    seed_row = audits[0].findings[audits[0].findings["outcome"] == "failed"].iloc[0]
    assert html.escape(seed_row["detail"]) in overview  # each finding's detail is shown
    assert "清单得分" in overview and "÷ 满分" in overview  # the score explained
    assert 'href="a_seed.md.findings.csv"' in overview and 'id="r-a_seed_2emd"' in overview
    again = pd.read_excel(tmp_path / "out" / "audit_summary.xlsx")
    assert list(again["文件"]) == ["a_seed.md", "b_empty.pdf"]


def test_an_overview_without_failures_says_so():
    clean = audit.ReportAudit("x.md", "已审查")
    page = audit.overview_html([audit.record_of(clean)])
    assert "所有报告均通过全部校验" in page and "<img" not in page
    assert "全部适用的校验均通过" in page and "无清单得分" in page


def test_the_chart_shows_when_a_rule_fails_in_more_than_one_report(seed_audit):
    one = audit.record_of(seed_audit)
    two = dict(one, file="other.md")
    assert "data:image/png;base64," in audit.overview_html([one, two])
    assert "data:image/png;base64," not in audit.overview_html([one])


def test_a_later_audit_keeps_the_other_reports_rows(tmp_path, seed_audit):
    out = tmp_path / "out"
    out.mkdir()
    first = audit.ReportAudit("b.pdf", audit.READ_FAILED, message="文件为空")
    audit.write_outputs(out, [first, seed_audit])
    redone = audit.ReportAudit("b.pdf", "已审查", school="乙校", year="2023-2024")
    audit.write_outputs(out, [redone])
    records = audit.read_record(out)
    assert [r["file"] for r in records] == ["b.pdf", seed_audit.file]
    assert records[0]["result"] == "passed" and records[1] == audit.record_of(seed_audit)
    table = pd.read_excel(out / "audit_summary.xlsx", dtype=str)
    assert list(table["学校"]) == ["乙校", seed_audit.school]


def test_an_unreadable_audit_record_is_named(tmp_path):
    assert audit.read_record(tmp_path) == []
    (tmp_path / audit.RECORD_FILE).write_text('[{"file": "x"}]', encoding="utf-8")
    with pytest.raises(InputError, match="应为每份报告审查结果的列表"):
        audit.read_record(tmp_path)
    (tmp_path / audit.RECORD_FILE).write_text("[", encoding="utf-8")
    with pytest.raises(InputError, match=audit.RECORD_FILE):
        audit.write_outputs(tmp_path, [])


def test_the_score_is_explained_item_by_item_and_days_late_counted(seed_audit, tmp_path, seed_text):
    record = audit.record_of(seed_audit)
    text = audit.score_text(record)
    earned = sum(i[1] for i in seed_audit.score_items)
    assert f"各事项得分之和 {earned}" in text and "第 1 项" in text
    assert seed_audit.issued == "2024-11-14" and seed_audit.days_late == 14  # due 31 October
    on_time = variant(tmp_path, seed_text, ("2024 年 11 月 14 日", "2024 年 10 月 31 日"))
    assert audit.audit_report(REPO_ROOT, on_time).days_late == 0


def test_a_single_unreadable_report_raises(tmp_path):
    (tmp_path / "x.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16)
    with pytest.raises(InputError, match="旧版 Word"):
        audit.audit_report(REPO_ROOT, tmp_path / "x.doc")


CALENDAR = (
    "某市职业学院\n某市职业学院 2023 年政府信息公开工作年度报告\n市政府办公室：\n"
    "本报告统计期限自 2023 年 1 月 1 日至 2023 年 12 月 31 日。\n"
    "一、总体情况\n正文。\n二、主动公开政府信息情况\n正文。\n三、收到和处理政府信息公开申请情况\n正文。\n"
    "四、政府信息公开行政复议、行政诉讼情况\n正文。\n五、存在的主要问题及改进情况\n正文。\n"
    "六、其他需要报告的事项\n正文。\n某市职业学院\n{date}\n"
)


@pytest.mark.parametrize(
    "date_text, e01", [("2024 年 1 月 31 日", "passed"), ("2024 年 2 月 1 日", "failed")]
)
def test_a_calendar_year_report_is_dated_and_counted_by_its_own_calendar(tmp_path, date_text, e01):
    report = tmp_path / "gov.txt"
    report.write_text(CALENDAR.format(date=date_text), encoding="utf-8")
    result = audit.audit_report(REPO_ROOT, report)
    findings = result.findings.set_index("id")["outcome"]
    assert (result.family, result.year) == ("gov_calendar", "2023")
    assert (findings["T02"], findings["E02"], findings["E01"]) == ("passed", "passed", e01)


# --- the report's places, never the temporary workspace's (issue 23) ------------------------------


def _seed_reading(seed):
    return read_report(REPO_ROOT, seed)


def test_an_engine_message_about_a_checklist_line_names_the_reports_place(seed):
    reading = _seed_reading(seed)
    place = next(i.place for i in reading.items if i.item == 10)
    text = "第 10 项含非网址内容:QQ(第 11 行)；第 99 项无(第 100 行)"
    assert audit.in_report(text, reading) == (
        f"第 10 项含非网址内容:QQ({seed.name} {place})；第 99 项无({seed.name})"
    )
    assert audit.in_report("178 == 174", reading) == "178 == 174"


def test_a_problem_of_a_temporary_file_names_the_reports_table_and_row(seed):
    reading = _seed_reading(seed)
    item = reading.items[3]
    said = audit.in_report("重复", reading, "data/raw/2023-2024/checklist.csv", 5)
    assert said == f"{seed.name} 清单第 {item.item} 项({item.place}):重复"
    line = reading.lines[1]
    said = audit.in_report("空", reading, "data/raw/2023-2024/reported_statistics.csv", 3)
    assert said == f"{seed.name} 统计表第 2 行({line.place}):空"
    assert audit.in_report("坏", reading, "data/raw/2023-2024/profile.yaml") == f"{seed.name}:坏"
    beyond = audit.in_report("x", reading, "data/raw/2023-2024/checklist.csv", 999)
    assert beyond == f"{seed.name}:x"


def test_a_year_the_engine_refuses_skips_the_catalogue_naming_the_report(seed, monkeypatch):
    from disclosure import pipeline
    from disclosure.errors import Problem

    def refuse(root, year):  # noqa: ANN001, ANN202
        raise InputError([Problem("data/raw/2023-2024/checklist.csv", "item 重复", row=2)])

    monkeypatch.setattr(pipeline, "check_year", refuse)
    reading = _seed_reading(seed)
    spec = detect.load_audit_form(REPO_ROOT)
    rows, checklist = audit.catalogue_findings(REPO_ROOT, reading, spec)
    assert checklist is None and rows and {r["outcome"] for r in rows} == {"skipped"}
    first = reading.items[0]
    assert rows[0]["detail"] == (
        f"{seed.name}:导入后的数据无法校验:{seed.name} 清单第 1 项({first.place}):item 重复"
    )
    assert all("data/raw" not in r["detail"] for r in rows)


def test_a_finding_is_placed_in_the_report_or_in_its_rule_file():
    assert audit.place("第 3 页第 12 行") == "位置:第 3 页第 12 行"
    assert audit.place("forms/rules.yaml") == "规则来源:forms/rules.yaml"
