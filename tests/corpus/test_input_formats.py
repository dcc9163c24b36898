"""The same year supplied as GBK CSV, or as one tables.xlsx workbook, gives the same results as
UTF-8 CSV."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from disclosure.pipeline import check_year

ROOT = Path(__file__).resolve().parents[2]
YEAR = "2023-2024"
COMPARED = [
    "id",
    "severity",
    "passed",
    "filled",
]  # `sources` names the file, which differs by design


def _workspace(tmp_path: Path) -> Path:
    for name in ("forms", "params", "data/reference"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "data/raw" / YEAR, tmp_path / "data/raw" / YEAR)
    return tmp_path


def _results(root: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = check_year(root, YEAR)
    # D01 compares the raw files with SOURCE.yaml's hashes: a re-encoded file fails it by design
    stats, findings = result.statistics, result.findings[result.findings["id"] != "D01"]
    return stats[["row", "value", "reported", "agrees"]], findings[COMPARED].sort_values(
        "id"
    ).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference() -> tuple[pd.DataFrame, pd.DataFrame]:
    return _results(ROOT)


def test_gbk_csv_gives_identical_results(tmp_path: Path, reference) -> None:
    root = _workspace(tmp_path)
    folder = root / "data/raw" / YEAR
    for path in folder.glob("*.csv"):
        path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    stats, findings = _results(root)
    pd.testing.assert_frame_equal(stats, reference[0])
    pd.testing.assert_frame_equal(findings, reference[1])
    result = check_year(root, YEAR)
    data = result.data
    d01 = result.findings.set_index("id").loc["D01"]
    assert d01["passed"] == False and "checklist.csv 的 SHA-256 与记录不符" in d01["filled"]  # noqa: E712
    assert any("GB18030" in note for notes in data.read_notes.values() for note in notes)


def test_xlsx_workbook_gives_identical_results(tmp_path: Path, reference) -> None:
    root = _workspace(tmp_path)
    folder = root / "data/raw" / YEAR
    book = openpyxl.Workbook()
    book.remove(book.active)
    for path in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        frame = pd.read_csv(path, encoding="utf-8", dtype=str, keep_default_na=False)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            # numbers as numbers, as Excel stores them
            sheet.append([int(v) if v.isdigit() else (v or None) for v in row])
        path.unlink()
    book.save(folder / "tables.xlsx")
    stats, findings = _results(root)
    pd.testing.assert_frame_equal(stats, reference[0])
    pd.testing.assert_frame_equal(findings, reference[1])


def test_table_in_both_csv_and_workbook_is_refused(tmp_path: Path) -> None:
    from disclosure.errors import InputError

    root = _workspace(tmp_path)
    folder = root / "data/raw" / YEAR
    book = openpyxl.Workbook()
    book.active.title = "publications"
    book.active.append(["channel", "count"])
    book.save(folder / "tables.xlsx")
    with pytest.raises(InputError) as caught:
        check_year(root, YEAR)
    assert "publications" in str(caught.value) and "只保留一个" in str(caught.value)
