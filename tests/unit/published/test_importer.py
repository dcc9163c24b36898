"""`disclosure import`: the seed report gives back the bundled transcription; what cannot be
imported writes nothing."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
import yaml
from workspaces import REPO_ROOT, build_workspace

from disclosure.errors import InputError
from disclosure.pipeline import check_year
from disclosure.published import importer
from disclosure.published.parse import Line

RAW = REPO_ROOT / "data" / "raw" / "2023-2024"
YEAR = "2023-2024"
CHECKLIST_COMPARED = [
    "category", "item", "count", "count_alt", "count_printed", "links", "on_platform", "remark",
]  # fmt: skip


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def empty_ws(tmp_path: Path) -> Path:
    return build_workspace(tmp_path / "ws")


@pytest.fixture(scope="module")
def imported(tmp_path_factory, seed) -> tuple[Path, importer.Reading, list[Path]]:
    root = build_workspace(tmp_path_factory.mktemp("import") / "ws")
    reading, written = importer.import_report(root, seed)
    return root, reading, written


def test_the_seed_is_the_file_the_transcription_names(seed):
    source = yaml.safe_load((RAW / "SOURCE.yaml").read_text(encoding="utf-8"))["source"]
    assert hashlib.sha256(seed.read_bytes()).hexdigest() == source["sha256"]


def test_the_seed_imports_to_the_bundled_published_table_byte_for_byte(imported):
    root, reading, _ = imported
    assert (reading.year, reading.institution, reading.family.id) == (
        YEAR,
        "重庆机电职业技术大学",
        "chongqing",
    )
    folder = root / "data" / "raw" / YEAR
    assert (folder / "reported_statistics.csv").read_bytes() == (
        RAW / "reported_statistics.csv"
    ).read_bytes()


def test_the_seed_imports_to_the_checklist_as_transcribed(imported):
    root, _, _ = imported
    got = rows(root / "data" / "raw" / YEAR / "checklist.csv")
    expected = rows(RAW / "checklist.csv")
    assert [{k: r[k] for k in CHECKLIST_COMPARED} for r in got] == [
        {k: r[k] for k in CHECKLIST_COMPARED} for r in expected
    ]
    notes = {r["item"]: r["transcription_note"] for r in got if r["transcription_note"]}
    assert sorted(notes, key=int) == ["7", "27", "30", "41"]  # the rows read by a rule, said so


def test_the_seed_profile_header_and_source_record(imported):
    root, _, written = imported
    folder = root / "data" / "raw" / YEAR
    profile = yaml.safe_load((folder / "profile.yaml").read_text(encoding="utf-8"))
    bundled = yaml.safe_load((RAW / "profile.yaml").read_text(encoding="utf-8"))
    same = [
        "institution", "document_number", "signer", "addressee", "portal", "disclosure_platform",
        "leader", "office", "reception", "special_funding_project", "special_funding_amount",
        "staff_full_time", "staff_part_time", "fee_policy", "portal_url", "columns_opened",
        "report_date",
    ]  # fmt: skip
    assert {k: profile[k] for k in same} == {k: bundled[k] for k in same}
    source = yaml.safe_load((folder / "SOURCE.yaml").read_text(encoding="utf-8"))
    assert source["source"]["file"] == "cqvtu_2023-2024_report.md"
    assert (
        source["source"]["sha256"]
        == hashlib.sha256(
            (
                Path(__file__).parents[2] / "fixtures/published/cqvtu_2023-2024_report.md"
            ).read_bytes()
        ).hexdigest()
    )
    for name, digest in source["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert root / "params" / f"{YEAR}.yaml" in written


def test_the_imported_year_loads_and_its_narrative_keeps_every_number(imported):
    root, _, _ = imported
    result = check_year(root, YEAR)  # loads and validates: no InputError
    findings = result.findings.set_index("id")
    assert findings.loc["D01", "passed"] is True  # SOURCE.yaml's hashes are the files'
    narrative = yaml.safe_load((root / "data/raw" / YEAR / "narrative.yaml").read_text("utf-8"))
    part_two = narrative["sections"][1]["paragraphs"][1]
    assert part_two["numbers"] == ["335 条", "387 条", "15 个", "50 条", "174 条", "56 条"]
    assert part_two["template"] == part_two["printed"]


def test_an_existing_year_is_not_overwritten(imported, seed):
    root, _, _ = imported
    before = (root / "data/raw" / YEAR / "checklist.csv").read_bytes()
    with pytest.raises(InputError, match="已存在"):
        importer.import_report(root, seed)
    assert (root / "data/raw" / YEAR / "checklist.csv").read_bytes() == before


def test_year_and_institution_overrides(empty_ws, seed):
    reading, _ = importer.import_report(empty_ws, seed, year="2030-2031", institution="某学院")
    params = yaml.safe_load((empty_ws / "params/2030-2031.yaml").read_text(encoding="utf-8"))
    assert (params["academic_year"], params["institution"]) == ("2030-2031", "某学院")
    assert reading.institution == "某学院"


def test_an_invalid_year_override_writes_nothing(empty_ws, seed):
    with pytest.raises(InputError, match="不是有效学年"):
        importer.import_report(empty_ws, seed, year="2023-2025")
    assert not list((empty_ws / "params").iterdir())
    assert not (empty_ws / "data" / "raw").exists()


OTHER_PROVINCE = """某省某大学
某大〔2024〕3号
某大学关于2023-2024学年信息公开工作年度报告
省教育厅：
本报告由概述等六个部分组成。
一、概述
学校重视信息公开。
附件1
序号\t指标\t数量\t单位
1\t网站发布信息\t100\t条
2\t依申请公开\t0\t件
"""


def test_another_provinces_form_is_refused_with_how_to_plug_it_in(empty_ws, tmp_path):
    report = tmp_path / "other.txt"
    report.write_text(OTHER_PROVINCE, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        importer.import_report(empty_ws, report)
    message = str(caught.value)
    assert "未能识别其模板" in message and "印出 2 行,0% 的行与模板一致" in message
    assert "forms/audit.yaml 的 families" in message
    assert not list((empty_ws / "params").iterdir())


def reading_with(lines: list[Line], **header) -> importer.Reading:
    from disclosure.published.parse import Header, Narrative

    return importer.Reading(
        Path("r.txt"), "", None, Header(**header), Narrative([], [], []), lines, [], None,
        "2023-2024", "某大学",
    )  # fmt: skip


def lines_with(values: dict[int, tuple[str, str]]) -> list[Line]:
    return [Line(str(r), f"第{r}行", *values.get(r, ("0", "")), "") for r in range(1, 56)]


def test_profile_numbers_that_are_not_counts_are_zero_with_a_note():
    profile, notes = importer.profile_of(reading_with(lines_with({7: ("8千", "元"), 6: ("", "")})))
    assert profile["special_funding_amount"] == 0
    assert profile["special_funding_project"] == importer.MISSING
    assert notes == [
        "统计表第 6 行未印出数值;profile.special_funding_project 记“未印出”",
        "统计表第 7 行印为“8千”,不是非负整数;profile.special_funding_amount 记 0",
    ]


def test_fee_policy_keeps_value_and_unit_as_printed():
    profile, _ = importer.profile_of(reading_with(lines_with({54: ("0", "元")})))
    assert profile["fee_policy"] == "0 元"


@pytest.mark.parametrize("value, count", [("10000000", 10_000_000), ("10000001", 0), ("三", 0)])
def test_publications_take_printed_counts_up_to_the_ceiling(value, count):
    rows_ = importer.publications(reading_with(lines_with({10: (value, "条")})))
    assert rows_[0]["channel"] == "门户网站" and rows_[0]["count"] == count
    assert ("记 0" in rows_[0]["note"]) == (count == 0)


def test_a_short_table_leaves_missing_rows_unprinted():
    assert importer.printed(reading_with(lines_with({})[:3]), 4) is None


# --- office files (issue 23) ----------------------------------------------------------------------


def test_the_form_shape_comes_from_the_workspaces_forms():
    shape = importer.form_shape(REPO_ROOT)
    assert len(shape.labels) == len(shape.units) > 0
    assert shape.items == tuple(range(1, len(shape.items) + 1))
    assert shape.units[6] == "元"  # row 7, the special funding


@pytest.mark.parametrize(
    ("value", "unit", "form_unit", "read", "noted"),
    [
        ("198条", "条", "条", "198", True),
        ("198条", "", "条", "198", True),  # the form's unit
        ("198 条", "条", "", "198", True),
        ("8000元", "条", "条", "8000元", False),  # not the row's unit: left as printed
        ("198", "条", "条", "198", False),
        ("有", "", "", "有", False),
    ],
)
def test_a_unit_typed_beside_a_count(value, unit, form_unit, read, noted):
    line = Line("13", "办公内网", value, unit, "第 5 页")
    notes = importer.strip_units([line], (form_unit,))
    assert line.value == read and bool(notes) is noted
    if noted:
        assert line.unit == (unit or form_unit) and "第 5 页" in notes[0]


def _reading(lines: int, items: list[int]) -> importer.Reading:
    from disclosure.published.parse import Item

    shape = importer.form_shape(REPO_ROOT)
    printed = [Line(str(i), shape.labels[i % len(shape.labels)], "0", "", f"第 {i} 行")
               for i in range(lines)]  # fmt: skip
    checklist = [Item(1, n, 0, None, "", [], "", "", [], f"第 {k + 100} 行") for k, n in
                 enumerate(items)]  # fmt: skip
    return importer.Reading(Path("r.txt"), "", None, None, None, printed, checklist, None, "", "")


def test_a_whole_table_and_checklist_have_no_shape_problem():
    shape = importer.form_shape(REPO_ROOT)
    reading = _reading(len(shape.labels), list(shape.items))
    assert importer.shape_problems(reading, shape) == []


@pytest.mark.parametrize("delta", [-1, 1])
def test_one_statistics_line_too_few_or_too_many_is_refused(delta):
    shape = importer.form_shape(REPO_ROOT)
    reading = _reading(len(shape.labels) + delta, list(shape.items))
    problems = [str(p) for p in importer.shape_problems(reading, shape)]
    assert any(f"读出 {len(shape.labels) + delta} 行(自第 0 行至" in p for p in problems)


def test_a_checklist_item_missing_twice_or_unknown_is_refused_with_its_places():
    shape = importer.form_shape(REPO_ROOT)
    items = [n for n in shape.items if n != 7] + [3, len(shape.items) + 1]
    reading = _reading(len(shape.labels), items)
    (problem,) = importer.shape_problems(reading, shape)
    assert "缺少第 7 项" in str(problem)
    assert "第 3 项出现 2 次(第 102 行、第 149 行)" in str(problem)
    assert f"多出第 {len(shape.items) + 1} 项" in str(problem)
