"""What the import takes from each printed row (issue 25): every profile field comes from its own
row, a count printed with its unit is read without it and the note names the row."""

from __future__ import annotations

import yaml
from workspaces import REPO_ROOT

from disclosure.published.importer import read_report, year_files

ROWS = {
    4: ("本校信息公开工作具体承办处室是(注:在右边空格处填办公室等)", "office"),
    5: ("本校信息公开受理点设立(注:在右边空格处填办公室等)", "reception"),
}


def test_each_profile_field_comes_from_its_own_row(tmp_path, seed_text):
    # make rows 3, 4 and 5 print different words, so that reading a neighbour shows
    text = seed_text.replace(f"4\t{ROWS[4][0]}\t办公室", f"4\t{ROWS[4][0]}\t党政办公室")
    text = text.replace(f"5\t{ROWS[5][0]}\t办公室", f"5\t{ROWS[5][0]}\t档案馆")
    assert text.count("党政办公室") == seed_text.count("党政办公室") + 1
    path = tmp_path / "r.md"
    path.write_text(text, encoding="utf-8")
    profile = yaml.safe_load(year_files(REPO_ROOT, read_report(REPO_ROOT, path))["profile.yaml"])
    assert (profile["leader"], profile["office"], profile["reception"]) == (
        "校长",
        "党政办公室",
        "档案馆",
    )
    assert (profile["staff_full_time"], profile["staff_part_time"]) == (1, 10)
    assert profile["special_funding_amount"] == 8000


def test_a_count_printed_with_its_unit_is_read_without_it_naming_the_row(tmp_path, seed_text):
    old = "10\t本校本学年度在本校门户网站主动公开信息\t335\t条"
    assert old in seed_text
    path = tmp_path / "r.md"
    path.write_text(seed_text.replace(old, old.replace("\t335\t", "\t335条\t")), encoding="utf-8")
    reading = read_report(REPO_ROOT, path)
    assert reading.lines[9].value == "335"
    (note,) = [n for n in reading.notes if "335条" in n]
    assert note.endswith(":统计表第 10 行数量印为“335条”,去掉单位“条”读作 335")
