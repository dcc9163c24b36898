"""`disclosure check` from the command line (in-process): exit codes and what it prints."""

from __future__ import annotations

from pathlib import Path

import pytest

SYNTHETIC = "synthetic_2030-2031"


def test_check_real_year_exits_1_and_prints_the_contradictions_with_values(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    root = workspace(repo_years=True)
    code, out = cli("--root", root, "check", "2023-2024")
    assert code == 1, out
    lines = out.splitlines()

    def line_of(rid: str) -> str:
        found = [x for x in lines if f"[错误] {rid} " in x]
        assert len(found) == 1, (rid, out)
        return found[0]

    assert "'无' != '无' or 8000 == 0" in line_of("F03")
    assert "8000 == 0 or '无' == '有'" in line_of("F04")
    assert "第 51 行印为“50”；序号“50”重复" in line_of("S01")
    assert "清单各事项数量合计 178 ≠ 第 11 行公布值 174" in line_of("K01")
    assert "若第 7 项按另一读法 3(印为“3 / 4”)计,合计 174,与第 11 行一致" in line_of("K01")
    assert "第 11 行 重算 178 ≠ 公布 174" in line_of("P01")
    assert lines[-1].startswith("2023-2024:共 ") and "项错误" in lines[-1]
    assert not (root / "outputs").exists()  # check never writes outputs


def test_check_synthetic_year_exits_0(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    code, out = cli("--root", workspace(SYNTHETIC), "check", "2030-2031")
    assert code == 0, out
    assert "[错误]" not in out and "[提示]" not in out


def test_check_text_in_a_checklist_count_exits_2_naming_file_row_and_column(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    root = workspace(SYNTHETIC)
    path = root / "data/raw/2030-2031/checklist.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[7].startswith("2,7,3,")  # spreadsheet line 8 is item 7
    lines[7] = lines[7].replace("2,7,3,", "2,7,三,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    code, out = cli("--root", root, "check", "2030-2031")
    assert code == 2, out
    assert "输入有误" in out
    assert "data/raw/2030-2031/checklist.csv 第 8 行 列“count”:应为非负整数,实际为文本“三”" in out
    assert "[错误]" not in out  # no check ran on bad input
    assert not (root / "outputs").exists()


def test_check_unknown_year_exits_2(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    code, out = cli("--root", workspace(SYNTHETIC), "check", "2040-2041")
    assert code == 2
    assert "没有学年 2040-2041 的参数文件" in out and "2030-2031" in out  # names the years that exist


CORRECTION = (
    "  - {{table: {table}, match: {match}, field: {field}, value: {value}, reason: 核对原件, by: 测试, {on}: 2031-10-01}}\n"
)


def _with_corrections(root: Path, *lines: str) -> None:
    path = root / "params/2030-2031.yaml"
    text = path.read_text(encoding="utf-8").replace("corrections: []\n", "corrections:\n" + "".join(lines))
    path.write_text(text, encoding="utf-8")


def test_a_correction_with_a_quoted_on_key_is_applied(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    root = workspace(SYNTHETIC)
    _with_corrections(root, CORRECTION.format(table="profile", match="{}", field="staff_part_time", value=15, on='"on"'))
    code, out = cli("--root", root, "check", "2030-2031")
    # the correction takes effect: row 9 no longer equals the published 14, nor the prose
    assert code == 1, out
    assert "第 9 行 重算 15 ≠ 公布 14" in out


def test_a_correction_written_as_documented_is_applied(workspace, cli) -> None:  # type: ignore[no-untyped-def]
    root = workspace(SYNTHETIC)
    _with_corrections(root, CORRECTION.format(table="profile", match="{}", field="leader", value="校长", on="on"))
    code, out = cli("--root", root, "check", "2030-2031")
    assert code == 0, out


@pytest.mark.parametrize(
    "table, match, field, value",
    [
        ("media_reports", "{title: 虚构示范大学新闻报道第 1 篇}", "count", "-3"),
        ("applications", "{id: YSQ-2030-002}", "channel", "网上"),
        ("mailbox", '{received: "2030-09-03"}', "count", "abc"),
    ],
)
def test_a_correction_to_an_invalid_value_is_refused(workspace, cli, table, match, field, value) -> None:  # type: ignore[no-untyped-def]
    root = workspace(SYNTHETIC)
    _with_corrections(root, CORRECTION.format(table=table, match=match, field=field, value=value, on='"on"'))
    code, out = cli("--root", root, "check", "2030-2031")
    assert code == 2, out
    assert "params/2030-2031.yaml" in out and field in out
