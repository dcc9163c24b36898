"""Template family, year and institution of a report, detected before any rule runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from disclosure.errors import InputError
from disclosure.published import detect
from disclosure.published.parse import Header, Line, Narrative, Paragraph, Part
from disclosure.published.text import Block, Document

REPO = Path(__file__).resolve().parents[3]
SPEC = detect.load_audit_form(REPO)
LABELS = [r["label"] for r in yaml.safe_load((REPO / "forms/statistics.yaml").read_text())["rows"]]


def lines_of(labels: list[str]) -> list[Line]:
    return [Line(str(i), label, "0", "", "") for i, label in enumerate(labels, 1)]


def family_id(text: str, labels: list[str] = ()) -> str | None:
    found = detect.family_of(text, lines_of(list(labels)), LABELS, SPEC)
    return found.id if found else None


def test_every_family_of_the_form_is_loaded_with_its_parts():
    ids = [f.id for f in detect.families(SPEC)]
    assert ids == ["gov_calendar", "eight_part", "chongqing", "moe2018", "moe2013"]
    chongqing = next(f for f in detect.families(SPEC) if f.id == "chongqing")
    assert len(chongqing.parts) == 7 and chongqing.statistics and chongqing.importable


@pytest.mark.parametrize(
    "text, labels, expected",
    [
        ("某市政府信息公开工作年度报告 2023 年", (), "gov_calendar"),
        ("某大学 2023-2024 学年政府信息公开工作年度报告", (), None),  # a 学年 is not calendar
        ("八、清单事项公开情况表", LABELS, "eight_part"),
        ("重庆某大学报告", LABELS, "chongqing"),
        ("按教办厅函〔2018〕80号提纲", (), "moe2018"),
        ("按教办厅函〔2013〕48号提纲", (), "moe2013"),
        ("四、对信息公开的评议情况", (), "moe2013"),
        ("某省高校信息公开年度报告", LABELS[:20], None),
    ],
    ids=[
        "calendar",
        "academic-not-calendar",
        "eight",
        "chongqing",
        "2018",
        "2013",
        "评议",
        "other",
    ],
)
def test_the_first_family_whose_markers_hold(text, labels, expected):
    assert family_id(text, labels) == expected


def test_the_form_match_threshold_on_both_sides():
    needed = int(len(LABELS) * SPEC["form_match"] + 0.999)  # 44 of 55 rows at 0.8
    assert family_id("报告", LABELS[:needed]) == "chongqing"
    assert family_id("报告", LABELS[: needed - 1]) is None


def test_labels_match_ignoring_spaces_and_full_width_punctuation():
    printed = [label.replace(",", "，").replace("(", "（") + " " for label in LABELS]
    assert detect.form_share(lines_of(printed), LABELS) == 1.0
    assert detect.form_share([], LABELS) == 0.0
    assert detect.form_share(lines_of(LABELS), []) == 0.0


def test_a_form_without_families_is_refused(tmp_path):
    (tmp_path / "forms").mkdir()
    (tmp_path / "forms" / "audit.yaml").write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="families"):
        detect.load_audit_form(tmp_path)


def doc(blocks: list[str]) -> Document:
    return Document(Path("r"), "text", [Block(b, "") for b in blocks], [])


def story(*texts: str) -> Narrative:
    return Narrative([Paragraph(t, "") for t in texts], [Part("一", "概述", "")], [])


def test_the_year_from_override_title_table_title_or_prose():
    head = Header(year="2023-2024")
    assert detect.academic_year(head, story(), doc([]), "2030-2031") == "2030-2031"
    assert detect.academic_year(head, story(), doc([]), None) == "2023-2024"
    table_title = doc(["附件1", "2022-2023 学年度信息公开工作统计表"])
    assert detect.academic_year(Header(), story(), table_title, None) == "2022-2023"
    prose = story("2021-2022 学年…", "2021—2022 学年…", "2020-2021 学年…", "2019-2025 学年")
    assert detect.academic_year(Header(), prose, doc([]), None) == "2021-2022"
    assert detect.academic_year(Header(), story("无年份"), doc([]), None) == ""


def test_the_calendar_year_of_a_government_report():
    assert detect.calendar_year(doc(["某市 2023 年政府信息公开工作年度报告"])) == "2023"
    assert detect.calendar_year(doc(["没有年份"])) == ""


def test_the_institution_from_override_or_header():
    assert detect.institution(Header(institution="甲大学"), None) == "甲大学"
    assert detect.institution(Header(institution="甲大学"), "乙学院") == "乙学院"
