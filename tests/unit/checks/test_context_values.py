"""The values and sources a rule names, as checks.catalogue.context builds them from a year
(issue 25): a published cell left blank is absent (None, never NaN), and the published table's
line count names its file, or says there is none."""

from __future__ import annotations

import math

import pytest

from disclosure import pipeline
from disclosure.checks.catalogue import context

YEAR = "2030-2031"
REPORTED = f"data/raw/{YEAR}/reported_statistics.csv"


def year_context(root):
    data = pipeline.load(root, YEAR)
    stats = pipeline.rebuild(data, pipeline.previous(data))
    return context(data, stats, pipeline.checklist(data), None)


@pytest.fixture
def root(workspace):
    return workspace("synthetic_2030-2031")


def test_published_values_and_the_line_count_name_the_reported_file(root):
    ctx = year_context(root)
    assert ctx.values["p7"] == 20000 and ctx.values["p8"] == 2
    assert ctx.sources["p7"] == f"{REPORTED} 第 7 行"
    assert (ctx.values["published_lines"], ctx.sources["published_lines"]) == (
        55,
        f"{REPORTED} 的行数",
    )
    assert "reported_statistics" in ctx.available


def test_a_blank_published_cell_is_absent_not_nan(root):
    path = root / REPORTED
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.split(",")[0] == "8")
    cells = lines[at].split(",")
    cells[2] = ""
    lines[at] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    value = year_context(root).values["p8"]
    assert value is None, value
    assert not (isinstance(value, float) and math.isnan(value))


def test_without_a_published_table_the_line_count_is_absent_and_says_so(root):
    (root / REPORTED).unlink()
    source = root / f"data/raw/{YEAR}/SOURCE.yaml"
    if source.exists():
        text = source.read_text(encoding="utf-8")
        source.write_text(
            "\n".join(line for line in text.splitlines() if "reported_statistics" not in line),
            encoding="utf-8",
        )
    ctx = year_context(root)
    assert (ctx.values["published_lines"], ctx.sources["published_lines"]) == (
        None,
        "已公布统计表 的行数",
    )
    assert ctx.values["p7"] is None and ctx.sources["p7"] == "已公布统计表 第 7 行"
    assert "reported_statistics" not in ctx.available
