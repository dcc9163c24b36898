"""The fixture years of tests/fixtures/, checked against values derived here, independently of the
engine.

`derive_statistics` reads a year's raw CSV files with the csv module and computes each of the 55
rows with its own explicit per-row logic (it does not import disclosure.compute.statistics or read
forms/statistics.yaml). The engine's rebuilt table must equal it, row for row.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SYNTHETIC = FIXTURES / "synthetic_2030-2031"
BROKEN = FIXTURES / "broken_2031-2032"

CHANNELS = ("当面", "传真", "电子邮件", "信函或其他")
APPLICANTS = ("公民", "法人", "其他组织")
TOPICS = (
    "本校领导",
    "人事招聘",
    "教职工晋职晋级",
    "招标投标",
    "财务",
    "招生",
    "学生管理",
    "教职工申诉",
    "学生申诉",
    "教育对外交流",
    "教育救助与资助",
    "突发事件",
    "其他",
)
OUTCOMES = ("同意公开", "不同意公开", "信息不存在", "申请人主动放弃")


# --------------------------------------------------------------------------------------------------
# The independent derivation
# --------------------------------------------------------------------------------------------------


def read_csv(raw_dir: Path, name: str) -> list[dict[str, str]]:
    """Rows of <name>.csv as dicts of stripped text (a UTF-8 BOM is allowed)."""
    with (raw_dir / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def whole(cell: str, default: int) -> int:
    """An integer cell; a blank cell takes the column's default (count 1, checklist count 0,
    fee 0)."""
    return default if cell == "" else int(cell)


def derive_statistics(raw_dir: Path) -> dict[int, object]:
    """The 55 values of the statistics table, computed from the raw files of one year folder."""
    profile = yaml.safe_load((raw_dir / "profile.yaml").read_text(encoding="utf-8"))
    publications = read_csv(raw_dir, "publications")
    media = read_csv(raw_dir, "media_reports")
    applications = read_csv(raw_dir, "applications")
    appeals = read_csv(raw_dir, "appeals")
    mailbox = read_csv(raw_dir, "mailbox")
    withheld = read_csv(raw_dir, "withheld")
    checklist = read_csv(raw_dir, "checklist")

    def published_on(channel: str) -> int:
        total = 0
        for row in publications:
            if row["channel"] == channel:
                total += whole(row["count"], 1)
        return total

    def applications_where(test) -> int:  # type: ignore[no-untyped-def]
        total = 0
        for row in applications:
            if test(row):
                total += whole(row["count"], 1)
        return total

    def appeals_where(kind: str, result: str | None = None) -> int:
        total = 0
        for row in appeals:
            if row["kind"] == kind and (result is None or row["result"] == result):
                total += whole(row["count"], 1)
        return total

    v: dict[int, object] = {}
    # 1-9: facts of the year from profile.yaml (text as written; amounts and head-counts as
    # integers)
    v[1] = str(profile["portal"])
    v[2] = str(profile["disclosure_platform"])
    v[3] = str(profile["leader"])
    v[4] = str(profile["office"])
    v[5] = str(profile["reception"])
    v[6] = str(profile["special_funding_project"])
    v[7] = int(profile["special_funding_amount"])
    v[8] = int(profile["staff_full_time"])
    v[9] = int(profile["staff_part_time"])
    # 10-15: proactive disclosure by channel; 11 is the checklist total (blank checklist count = 0)
    v[10] = published_on("门户网站")
    v[11] = sum(whole(row["count"], 0) for row in checklist)
    v[12] = published_on("信息公开平台")
    v[13] = published_on("办公内网")
    v[14] = published_on("新闻发布会")
    v[15] = published_on("官方微博微信")
    # 16-18: media reports, front page, front-page headline (a headline on an inner page is
    # not row 18)
    v[16] = sum(whole(row["count"], 1) for row in media)
    v[17] = sum(whole(row["count"], 1) for row in media if row["front_page"] == "是")
    v[18] = sum(
        whole(row["count"], 1)
        for row in media
        if row["front_page"] == "是" and row["headline"] == "是"
    )
    # 19-20: applications received / concluded
    v[19] = applications_where(lambda r: True)
    v[20] = applications_where(lambda r: r["concluded"] == "是")
    # 21-26: administrative reconsideration and litigation; 未决 counts in the total only
    v[21] = appeals_where("行政复议")
    v[22] = appeals_where("行政复议", "赢")
    v[23] = appeals_where("行政复议", "输")
    v[24] = appeals_where("行政诉讼")
    v[25] = appeals_where("行政诉讼", "赢")
    v[26] = appeals_where("行政诉讼", "输")
    # 27-30 by channel, 31-33 by applicant, 34-46 by topic (in the printed order of the form)
    for number, channel in zip(range(27, 31), CHANNELS, strict=True):
        v[number] = applications_where(lambda r, c=channel: r["channel"] == c)
    for number, applicant in zip(range(31, 34), APPLICANTS, strict=True):
        v[number] = applications_where(lambda r, a=applicant: r["applicant"] == a)
    for number, topic in zip(range(34, 47), TOPICS, strict=True):
        v[number] = applications_where(lambda r, t=topic: r["topic"] == t)
    # 47-50: outcomes of concluded applications only
    for number, outcome in zip(range(47, 51), OUTCOMES, strict=True):
        v[number] = applications_where(
            lambda r, o=outcome: r["concluded"] == "是" and r["outcome"] == o
        )
    # 51 withheld, 52-53 mailbox letters received / handled
    v[51] = sum(whole(row["count"], 1) for row in withheld)
    v[52] = sum(whole(row["count"], 1) for row in mailbox)
    v[53] = sum(whole(row["count"], 1) for row in mailbox if row["handled"] == "是")
    # 54 fee policy as written, 55 the fees charged (blank fee = 0)
    v[54] = str(profile["fee_policy"])
    v[55] = sum(whole(row["fee"], 0) for row in applications)
    assert sorted(v) == list(range(1, 56))
    return v


def load_builder():
    """tests/fixtures/build_fixtures.py as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("build_fixtures", FIXTURES / "build_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def engine_statistics(root: Path, year: str):  # type: ignore[no-untyped-def]
    from disclosure.compute.statistics import statistics
    from disclosure.inputs.dataset import load_year

    return statistics(load_year(root, year))


def engine_findings(root: Path, year: str):  # type: ignore[no-untyped-def]
    from disclosure.pipeline import check_year

    return check_year(root, year).findings


def failed_ids(findings) -> set[str]:  # type: ignore[no-untyped-def]
    return set(findings.loc[findings["passed"] == False, "id"])  # noqa: E712


# --------------------------------------------------------------------------------------------------
# The fixture files themselves
# --------------------------------------------------------------------------------------------------


def test_fixture_files_are_what_the_builder_writes(tmp_path: Path) -> None:
    """The kept files equal build_fixtures.py's output, so the documented breaks are the only
    differences."""
    load_builder().build(tmp_path)
    for name in ("synthetic_2030-2031", "broken_2031-2032"):
        kept = sorted(
            p.relative_to(FIXTURES / name) for p in (FIXTURES / name).rglob("*") if p.is_file()
        )
        fresh = sorted(
            p.relative_to(tmp_path / name) for p in (tmp_path / name).rglob("*") if p.is_file()
        )
        assert kept == fresh, name
        for rel in kept:
            assert (FIXTURES / name / rel).read_bytes() == (tmp_path / name / rel).read_bytes(), (
                f"{name}/{rel} differs; rerun build_fixtures.py"
            )


def test_synthetic_applications_are_individual_events_spread_over_every_category() -> None:
    rows = read_csv(SYNTHETIC / "raw", "applications")
    assert len(rows) >= 30
    assert len({r["id"] for r in rows}) == len(rows)
    assert all(r["count"] == "1" for r in rows)
    days = [date.fromisoformat(r["received"]) for r in rows]
    assert all(date(2030, 9, 1) <= d <= date(2031, 8, 31) for d in days)
    assert min(days) == date(2030, 9, 1) and max(days) == date(
        2031, 8, 31
    )  # both ends of the year are used
    assert {r["channel"] for r in rows} == set(CHANNELS)
    assert {r["applicant"] for r in rows} == set(APPLICANTS)
    assert len({r["topic"] for r in rows}) >= 8 and {r["topic"] for r in rows} <= set(TOPICS)
    assert {r["concluded"] for r in rows} == {"是", "否"}
    assert {r["outcome"] for r in rows if r["concluded"] == "是"} == set(OUTCOMES)
    assert all(r["outcome"] == "" for r in rows if r["concluded"] == "否")
    fees = [whole(r["fee"], 0) for r in rows]
    assert any(f > 0 for f in fees) and any(r["fee"] == "" for r in rows)
    profile = yaml.safe_load((SYNTHETIC / "raw" / "profile.yaml").read_text(encoding="utf-8"))
    assert profile["fee_policy"] == "收费"  # fees > 0 only because the school charges


def test_synthetic_other_registers_hold_individual_events() -> None:
    raw = SYNTHETIC / "raw"
    appeals = read_csv(raw, "appeals")
    assert len({r["id"] for r in appeals}) == len(appeals)
    for kind in ("行政复议", "行政诉讼"):
        assert {r["result"] for r in appeals if r["kind"] == kind} == {"赢", "输", "未决"}
    media = read_csv(raw, "media_reports")
    assert len(media) > 20 and all(r["count"] == "1" for r in media)
    assert any(r["front_page"] == "是" and r["headline"] == "是" for r in media)
    assert any(r["front_page"] == "是" and r["headline"] == "否" for r in media)
    assert any(
        r["front_page"] == "否" and r["headline"] == "是" for r in media
    )  # inner-page headline: not row 18
    mailbox = read_csv(raw, "mailbox")
    assert {r["handled"] for r in mailbox} == {"是", "否"}
    assert any(r["count"] == "" for r in mailbox)  # blank count means 1
    assert (
        (raw / "mailbox.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    )  # saved with a BOM, as Excel does
    withheld = read_csv(raw, "withheld")
    assert 1 <= len(withheld) <= 5


def test_synthetic_checklist_is_complete_and_consistent(repo_root: Path) -> None:
    rows = read_csv(SYNTHETIC / "raw", "checklist")
    reference = {
        int(r["item"]): r
        for r in csv.DictReader(
            (repo_root / "data/reference/checklist_items.csv").open(encoding="utf-8")
        )
    }
    assert [int(r["item"]) for r in rows] == list(range(1, 51))
    for r in rows:
        ref = reference[int(r["item"])]
        assert r["category"] == ref["category_no"], r["item"]
        count, links = whole(r["count"], 0), r["links"].split()
        assert all(re.fullmatch(r"https?://\S+", x) for x in links), r["item"]
        assert len(set(links)) == len(links) >= count, r["item"]
        if count > 0:
            assert r["on_platform"] in ("是", "否"), r["item"]
        if ref["mandatory"] == "是":
            assert count > 0, r["item"]
    platform = next(
        int(r["count"])
        for r in read_csv(SYNTHETIC / "raw", "publications")
        if r["channel"] == "信息公开平台"
    )
    assert sum(whole(r["count"], 0) for r in rows) <= platform


def test_synthetic_profile_and_narrative_have_what_the_loader_and_report_need() -> None:
    from disclosure.inputs.forms import load_profile_schema

    schema = load_profile_schema(FIXTURES.parents[1])
    required = {name for name, f in schema.items() if f.required}
    profile = yaml.safe_load((SYNTHETIC / "raw" / "profile.yaml").read_text(encoding="utf-8"))
    assert required <= set(profile) <= set(schema)
    narrative = yaml.safe_load((SYNTHETIC / "raw" / "narrative.yaml").read_text(encoding="utf-8"))
    assert [s["part"] for s in narrative["sections"]] == list("一二三四五六七")
    assert narrative["opening"] and all("printed" in p for p in narrative["opening"])


def test_synthetic_published_table_transcribes_the_derived_values() -> None:
    expected = derive_statistics(SYNTHETIC / "raw")
    printed = read_csv(SYNTHETIC / "raw", "reported_statistics")
    assert [r["printed_no"] for r in printed] == [str(n) for n in range(1, 56)]
    assert {n: r["value"] for n, r in enumerate(printed, 1)} == {
        n: str(v) for n, v in expected.items()
    }


# --------------------------------------------------------------------------------------------------
# Engine against the independent derivation
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["synthetic_2030-2031", "broken_2031-2032"])
def test_engine_statistics_equal_independent_derivation(workspace, name: str) -> None:  # type: ignore[no-untyped-def]
    year = name.split("_")[1]
    root = workspace(name)
    stats = engine_statistics(root, year)
    expected = derive_statistics(FIXTURES / name / "raw")
    assert stats["row"].tolist() == list(range(1, 56))
    rebuilt = dict(zip(stats["row"], stats["value"], strict=True))
    mismatches = {
        n: (rebuilt[n], v)
        for n, v in expected.items()
        if rebuilt[n] != v or type(rebuilt[n]) is not type(v)
    }
    assert mismatches == {}, "row: (engine, expected)"


def test_synthetic_derived_values_are_the_designed_ones() -> None:
    """A few anchors, so a fixture change that keeps engine and derivation equal still gets
    noticed."""
    v = derive_statistics(SYNTHETIC / "raw")
    assert (v[19], v[20], v[47], v[48], v[49], v[50]) == (36, 33, 19, 6, 5, 3)
    assert (v[27], v[28], v[29], v[30]) == (5, 3, 17, 11)
    assert (v[31], v[32], v[33]) == (22, 9, 5)
    assert (v[21], v[22], v[23], v[24], v[25], v[26]) == (4, 2, 1, 3, 1, 1)
    assert (v[16], v[17], v[18]) == (31, 7, 3)
    assert (v[51], v[52], v[53], v[55]) == (4, 17, 15, 200)
    assert (v[11], v[12]) == (85, 160)


def test_synthetic_check_passes_with_no_failed_finding(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    root = workspace("synthetic_2030-2031")
    code, out = cli("--root", root, "check", "2030-2031")
    assert code == 0, out
    assert "0 项错误、0 项提示未通过" in out
    findings = engine_findings(root, "2030-2031")
    not_applicable = set(findings.loc[findings["passed"].isna(), "id"])
    assert not_applicable == {
        "D01",
        "Y01",
    }  # no SOURCE.yaml hashes, no previous year: said, not hidden
    assert findings.loc[findings["passed"].notna(), "passed"].tolist() == [True] * (
        len(findings) - 2
    )
    assert {"A06", "A07", "K01", "N01", "P01", "S01", "S03"} <= set(
        findings["id"]
    )  # the published table is checked


# --------------------------------------------------------------------------------------------------
# The broken year: exactly one rule of each breakable family fails
# --------------------------------------------------------------------------------------------------

# id -> (severity, text the filled-in finding must contain), and why it fails:
EXPECTED_BROKEN = {
    # applications: p27 printed 2 while p19 and p28-30 print 0. A01-A05 compare nested subsets of
    # one validated register (every row has exactly one allowed channel/applicant/topic), so they
    # cannot fail on rebuilt values; the published-table variant A06 is broken instead.
    "A06": ("error", "0 == 2 + 0 + 0 + 0"),
    # appeals: no applications this year, yet 4 reconsiderations and 3 lawsuits (B01/B02 cannot
    # fail: won and lost appeals are subsets of all appeals of the same register).
    "B03": ("warning", "0 > 0 or 4 + 3 == 0"),
    # fees_funding: special_funding_project 无 with 20000 yuan; F03 and F04 state the same fact
    # both ways.
    "F03": ("error", "'无' != '无' or 20000 == 0"),
    "F04": ("error", "20000 == 0 or '无' == '有'"),
    # channels: 60 items on the disclosure platform, 85 checklist items.
    "C01": ("error", "60 >= 85"),
    # checklist: item 15 counts 1 and has no link; item 28 has a javascript: token.
    "K04": ("error", "第 15 项数量 1,无 http(s) 链接(第 16 行)"),
    "K07": ("warning", "第 28 项含非网址内容:javascript:alert(document.cookie)(第 29 行)"),
    # form: the 51st line of the published table is numbered 50.
    "S01": ("error", "第 51 行印为“50”"),
    # narrative: section 二 prints 13 media reports, the register has 31.
    "N01": ("error", "第二部分第 1 段印为“13”,r16 为 31"),
    # published: row 13 printed 203 (register 230); row 27 (the A06 break) is necessarily listed
    # too.
    "P01": ("error", "第 13 行 重算 230 ≠ 公布 203；第 27 行 重算 0 ≠ 公布 2"),
    # the published-table twins see the same contradictions in the published table alone
    "B03p": ("warning", "0 > 0 or 4 + 3 == 0"),
    "C01p": ("error", "60 >= 85"),
    "F03p": ("error", "'无' != '无' or 20000 == 0"),
    "F04p": ("error", "20000 == 0 or '无' == '有'"),
}


def test_broken_year_fails_exactly_the_expected_findings(workspace) -> None:  # type: ignore[no-untyped-def]
    findings = engine_findings(workspace("broken_2031-2032"), "2031-2032")
    assert failed_ids(findings) == set(EXPECTED_BROKEN)
    failed = findings[findings["passed"] == False].set_index("id")  # noqa: E712
    for rid, (severity, text) in EXPECTED_BROKEN.items():
        assert failed.loc[rid, "severity"] == severity, rid
        assert failed.loc[rid, "filled"] == text, rid
    # M01/M02 (media) compare nested subsets of one register: no valid data can break them.
    assert set(findings.loc[findings["family"] == "media", "passed"]) == {True}
    assert set(findings.loc[findings["passed"].isna(), "id"]) == {
        "D01",
        "Y01",
    }  # no hashes, no previous year


def test_broken_year_source_lists_the_expected_ids() -> None:
    source = yaml.safe_load((BROKEN / "raw" / "SOURCE.yaml").read_text(encoding="utf-8"))
    assert sorted(source["expect_failed"]) == sorted(EXPECTED_BROKEN)


def test_broken_year_check_exits_1_and_prints_each_failing_id(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    from disclosure.pipeline import check_year

    root = workspace("broken_2031-2032")
    code, out = cli("--root", root, "check", "2031-2032")
    assert code == 1, out
    findings = check_year(root, "2031-2032").findings.set_index("id")
    for rid, (severity, text) in EXPECTED_BROKEN.items():
        level = "错误" if severity == "error" else "提示"
        assert f"[{level}] {rid} " in out, rid
        # the terminal says it in words; the values filled in stay in the findings
        assert text in findings.loc[rid, "filled"], rid
        assert findings.loc[rid, "message"] in out, rid
    errors = sum(1 for s, _ in EXPECTED_BROKEN.values() if s == "error")
    assert f"{errors} 项错误、{len(EXPECTED_BROKEN) - errors} 项提示未通过" in out


def test_broken_year_javascript_link_is_shown_as_text_not_a_link(workspace) -> None:  # type: ignore[no-untyped-def]
    from disclosure.compute.checklist import checklist_items
    from disclosure.inputs.dataset import load_year
    from disclosure.present import document, report

    data = load_year(workspace("broken_2031-2032"), "2031-2032")
    rows = document.checklist_rows(checklist_items(data))
    html = report.checklist_table({"issuer": data.profile["institution"], "checklist": rows})
    assert "javascript:alert(document.cookie)" in html
    assert 'href="javascript:' not in html.lower()
    assert 'href="https://www.xugou-shifan.edu.cn/xxgk/28/1.html"' in html


def test_a04_breaks_through_the_register_when_a_concluded_application_has_no_outcome(
    workspace,
) -> None:  # type: ignore[no-untyped-def]
    """Unlike A01-A03, A04 can fail on rebuilt values: outcome is optional, so a concluded row may
    lack one."""
    root = workspace("synthetic_2030-2031")
    path = root / "data/raw/2030-2031/applications.csv"
    text = path.read_text(encoding="utf-8")
    line = "YSQ-2030-002,2030-09-11,传真,公民,招标投标,是,同意公开,,1,"
    assert line in text
    path.write_text(text.replace(line, line.replace("同意公开", "")), encoding="utf-8")
    findings = engine_findings(root, "2030-2031")
    # r20 33 != r47..r50 18+6+5+3; the published row 47 (19) and the prose ("同意公开 19 件") now
    # disagree too.
    assert failed_ids(findings) == {"A04", "P01", "N01"}
    a04 = findings.set_index("id").loc["A04", "filled"]
    assert a04 == "33 == 18 + 6 + 5 + 3"


def test_n01_checks_every_occurrence_of_a_repeated_placeholder(workspace) -> None:  # type: ignore[no-untyped-def]
    """Regression: printed_values once kept only the first printed value of a repeated
    placeholder."""
    root = workspace("synthetic_2030-2031")
    path = root / "data/raw/2030-2031/narrative.yaml"
    narrative = yaml.safe_load(path.read_text(encoding="utf-8"))
    narrative["sections"][6]["paragraphs"].append(
        {
            "template": "媒体报道 {r16} 条。重申：媒体报道 {r16} 条。",
            "printed": "媒体报道 31 条。重申：媒体报道 99 条。",
        }
    )
    path.write_text(
        yaml.safe_dump(narrative, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    findings = engine_findings(root, "2030-2031").set_index("id")
    assert findings.loc["N01", "passed"] == False  # noqa: E712
    assert "印为“99”,r16 为 31" in findings.loc["N01", "filled"]
