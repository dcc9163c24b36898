"""The checks that need code (disclosure.checks.builtin): N01, N02 and D01, and their registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from disclosure import pipeline
from disclosure.checks import builtin
from disclosure.checks.builtin import CODE_CHECKS, register
from disclosure.checks.rules import Context

VALUES = {"r10": 335, "r15": 387, "profile.institution": "某某大学"}
TEMPLATE = "{profile.institution}官网发布信息 {r10} 条,新媒体发布信息 {r15} 条。"
HASH_A, HASH_B = "a1" * 32, "b2" * 32


def context(extras: dict[str, Any], table_sources: dict[str, str] | None = None) -> Context:
    sources = {"narrative": "n.yaml", "source_record": "raw/SOURCE.yaml"}
    return Context(
        values={},
        tables={"statistics": pd.DataFrame(), "checklist": pd.DataFrame()},
        sources={},
        table_sources=sources if table_sources is None else table_sources,
        extras=extras,
    )


def narrative_of(printed: str) -> dict[str, Any]:
    return {
        "narrative": {
            "opening": [{"template": TEMPLATE, "printed": printed}],
            "sections": [
                {
                    "part": "二",
                    "paragraphs": [{"subheading": "(一)"}, {"template": "无印刷文字 {r10}"}],
                }
            ],
        },
        "narrative_values": VALUES,
    }


def n01(extras: dict[str, Any]) -> tuple[list[str], str]:
    return CODE_CHECKS["N01"](context(extras))


def n02(extras: dict[str, Any]) -> tuple[list[str], str]:
    return CODE_CHECKS["N02"](context(extras))


def d01(recorded: Any, actual: Any) -> tuple[list[str], str]:
    return CODE_CHECKS["D01"](context({"source_hashes": recorded, "raw_hashes": actual}))


# --- N01: numbers in the prose equal their data -------------------------------


def test_n01_passes_when_every_printed_number_is_its_value():
    printed = "某某大学官网发布信息335条, 新媒体发布信息 387 条。"  # spaces differ, numbers agree
    assert n01(narrative_of(printed)) == ([], "n.yaml")


def test_n01_fails_on_a_number_one_more():
    printed = "某某大学官网发布信息 336 条,新媒体发布信息 387 条。"
    assert n01(narrative_of(printed)) == (["开头第 1 段印为“336”,r10 为 335"], "n.yaml")


def test_n01_checks_every_occurrence_of_a_placeholder():
    extras = {
        "narrative": {
            "opening": [
                {
                    "template": "官网 {r10} 条,其中新闻 {r10} 条。",
                    "printed": "官网 335 条,其中新闻 336 条。",
                },
            ],
        },
        "narrative_values": VALUES,
    }
    assert n01(extras)[0] == ["开头第 1 段印为“336”,r10 为 335"]


def test_n01_names_the_section_paragraph():
    extras = {
        "narrative": {
            "sections": [
                {
                    "part": "二",
                    "paragraphs": [
                        {"subheading": "(一)"},
                        {"template": "共 {r15} 条", "printed": "共 386 条"},
                    ],
                },
            ]
        },
        "narrative_values": VALUES,
    }
    assert n01(extras)[0] == ["第二部分第 2 段印为“386”,r15 为 387"]


def test_n01_ignores_text_values():
    assert n01(narrative_of("别的大学官网发布信息 335 条,新媒体发布信息 387 条。"))[0] == []


def test_n01_leaves_unaligned_text_to_n02():
    assert n01(narrative_of("完全不同的一段话。"))[0] == []


def test_n01_and_n02_pass_without_a_narrative():
    assert n01({}) == ([], "n.yaml")
    assert n02({"narrative": None}) == ([], "n.yaml")


def test_n01_sources_default_to_the_narrative_file_name():
    assert CODE_CHECKS["N01"](context({}, table_sources={}))[1] == "narrative.yaml"
    assert CODE_CHECKS["N02"](context({}, table_sources={}))[1] == "narrative.yaml"


# --- N02: the printed prose follows the template ------------------------------


def test_n02_passes_when_text_follows_the_template_whatever_the_numbers():
    assert n02(narrative_of("某某大学官网发布信息 999 条,新媒体发布信息 387 条。")) == (
        [],
        "n.yaml",
    )


def test_n02_fails_on_text_not_following_the_template():
    found = n02(narrative_of("完全不同的一段话。"))
    assert found == (["开头第 1 段印刷文字与模板不对应"], "n.yaml")


def test_n02_fails_on_one_changed_character():
    found = n02(narrative_of("某某大学官网发布消息 335 条,新媒体发布信息 387 条。"))
    assert found[0] == ["开头第 1 段印刷文字与模板不对应"]


# --- D01: raw files hash as recorded ------------------------------------------


def test_d01_passes_when_every_recorded_hash_matches():
    recorded = {"a.csv": HASH_A, "b.csv": HASH_B}
    assert d01(recorded, dict(recorded)) == ([], "raw/SOURCE.yaml")


def test_d01_only_checks_recorded_files():
    assert d01({"a.csv": HASH_A}, {"a.csv": HASH_A, "extra.csv": HASH_B})[0] == []


def test_d01_fails_on_a_recorded_hash_that_differs():
    problems, _ = d01({"a.csv": HASH_A, "b.csv": HASH_B}, {"a.csv": HASH_B, "b.csv": HASH_B})
    assert problems == ["a.csv 的 SHA-256 与记录不符(现为 b2b2b2b2b2b2…,记录为 a1a1a1a1a1a1…)"]


def test_d01_fails_on_a_recorded_file_that_is_missing():
    problems, _ = d01({"a.csv": HASH_A, "b.csv": HASH_B}, {"a.csv": HASH_A})
    assert problems == ["b.csv 已不存在"]


def test_d01_reports_every_file_sorted_by_name():
    problems, _ = d01({"z.csv": HASH_A, "b.csv": HASH_B, "a.csv": HASH_A}, {"b.csv": HASH_A})
    assert problems[0] == "a.csv 已不存在"
    assert problems[1].startswith("b.csv 的 SHA-256 与记录不符")
    assert problems[2] == "z.csv 已不存在"


def test_d01_passes_with_nothing_recorded():
    assert d01(None, {"a.csv": HASH_A})[0] == []


def test_d01_sources_default_to_source_yaml():
    assert CODE_CHECKS["D01"](context({}, table_sources={}))[1] == "SOURCE.yaml"


def test_real_year_passes_d01_and_n02_and_fails_n01(real_year):
    findings = real_year.findings.set_index("id")
    assert findings.loc["D01", "passed"] is True
    assert findings.loc["D01", "filled"] == "无问题"
    assert findings.loc["N02", "passed"] is True
    assert findings.loc["N01", "passed"] is False
    assert findings.loc["N01", "filled"] == "第二部分第 2 段印为“174”,r11 为 178"


def d01_of(root: Path) -> dict[str, Any]:
    findings = pipeline.check_year(root, "2023-2024").findings.set_index("id")
    return findings.loc["D01"].to_dict()


def edit_source(root: Path, change: Any) -> None:
    path = root / "data" / "raw" / "2023-2024" / "SOURCE.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(record["files"])
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")


def test_d01_on_a_copy_whose_recorded_hash_differs(copy_workspace):
    root = copy_workspace()
    edit_source(root, lambda files: files.update({"withheld.csv": "0" * 64}))
    d01_finding = d01_of(root)
    assert d01_finding["passed"] is False
    assert d01_finding["filled"].startswith("withheld.csv 的 SHA-256 与记录不符(现为 4e9c6d13a463…")
    assert d01_finding["filled"].endswith(",记录为 000000000000…)")


def test_d01_on_a_copy_recording_a_file_that_is_gone(copy_workspace):
    root = copy_workspace()
    edit_source(root, lambda files: files.update({"gone.csv": "0" * 64}))
    assert d01_of(root)["filled"] == "gone.csv 已不存在"


def test_d01_is_not_applicable_without_source_yaml(copy_workspace):
    root = copy_workspace()
    (root / "data" / "raw" / "2023-2024" / "SOURCE.yaml").unlink()
    d01_finding = d01_of(root)
    assert d01_finding["passed"] is None
    assert d01_finding["filled"] == "不适用:原始数据文件夹没有记录文件哈希的 SOURCE.yaml"


# --- the registry -------------------------------------------------------------


def test_registry_holds_exactly_the_code_checks():
    assert set(CODE_CHECKS) == {"N01", "N02", "N05", "N06", "N07", "N08", "D01"}


def test_register_refuses_a_duplicate_id():
    with pytest.raises(ValueError, match="code check N01 registered twice"):
        register("N01")(lambda context: ([], ""))
    assert CODE_CHECKS["N01"] is builtin.narrative_numbers


def test_register_adds_a_new_id(monkeypatch):
    monkeypatch.setattr(builtin, "CODE_CHECKS", dict(CODE_CHECKS))

    def check(context: Context) -> tuple[list[str], str]:
        return [], "x"

    assert register("Z99")(check) is check
    assert builtin.CODE_CHECKS["Z99"] is check
    with pytest.raises(ValueError, match="Z99"):
        register("Z99")(check)
