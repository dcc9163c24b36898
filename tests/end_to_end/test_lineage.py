"""The auditor's path, followed by machine: from each number of 附件1 in audit.html to its audit
row, from there to the raw rows it sums, whose values add up to the printed number; and lineage.json
says the same for every row."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from workspaces import REPO_ROOT, build_workspace, run_cli_subprocess

YEARS = ("2023-2024", "2030-2031")  # the real year, and a synthetic one with 36 applications


class Page(HTMLParser):
    """Tables of an HTML page: every <tr id=...> with its cells (text and links), the header of the
    table it belongs to, and every <a class="trace"> with its text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[tuple[str, list[str]]]] = {}
        self.headers: dict[str, list[str]] = {}
        self.traces: list[tuple[str, str]] = []
        self._header: list[str] = []
        self._row: str | None = None
        self._cell: list[str] | None = None
        self._links: list[str] = []
        self._trace: str | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "thead":
            self._in_head, self._header = True, []
        elif tag == "tr" and not self._in_head:
            self._row = a.get("id")
            if self._row:
                self.rows[self._row] = []
                self.headers[self._row] = list(self._header)
        elif tag in ("td", "th"):
            self._cell, self._links = [], []
        elif tag == "a":
            if a.get("class") == "trace":
                self._trace = a.get("href")
            if self._cell is not None and a.get("href"):
                self._links.append(a["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            if self._in_head:
                self._header.append(text)
            elif self._row and tag == "td":
                self.rows[self._row].append((text, list(self._links)))
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._trace is not None:
            self.traces.append((self._trace, data.strip()))
            self._trace = None


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = build_workspace(tmp_path_factory.mktemp("lineage"), ("synthetic_2030-2031",), True)
    for year in YEARS:
        done = run_cli_subprocess("--root", root, "run", year)
        assert done.returncode in (0, 1), done.stdout + done.stderr
    return {year: root / "outputs" / year for year in YEARS}


def summed_column() -> dict[int, str]:
    form = yaml.safe_load((REPO_ROOT / "forms" / "statistics.yaml").read_text(encoding="utf-8"))
    return {r["row"]: r.get("sum", "count") for r in form["rows"]}


@pytest.mark.parametrize("year", YEARS)
def test_every_row_of_annex_1_leads_to_raw_rows_that_add_up_to_it(outputs, year):
    page = Page()
    page.feed((outputs[year] / "audit.html").read_text(encoding="utf-8"))
    traces = dict(page.traces)
    sums = summed_column()
    assert len(traces) == 55
    followed_raw = 0
    for row in range(1, 56):
        href = f"#r-{row}"
        assert href in traces, row
        printed = traces[href]
        audit_row = page.rows[href[1:]]  # the anchor exists
        assert audit_row[1][0] == printed  # the audit row's 重算值 is the number 附件1 prints
        source_links = [h for _, links in audit_row for h in links if h.startswith("#raw-")]
        if row in (1, 2, 3, 4, 5, 6, 7, 8, 9, 54):  # from profile.yaml: the key's value
            (target,) = source_links
            assert target.startswith("#raw-profile-")
            assert page.rows[target[1:]][0][0] == printed, row
            continue
        values = []
        for target in source_links:
            raw = page.rows[target[1:]]  # each link lands on an existing raw row
            header = page.headers[target[1:]][1:]  # first header cell is the 行 index
            column = next(i for i, h in enumerate(header) if h.endswith(f"({sums[row]})"))
            values.append(int(raw[column][0] or 0))
            followed_raw += 1
        assert sum(values) == int(printed), (year, row, values)
    assert followed_raw > 0


@pytest.mark.parametrize("year", YEARS)
def test_lineage_json_chains_every_row_to_a_hashed_raw_file(outputs, year):
    lineage = json.loads((outputs[year] / "lineage.json").read_text(encoding="utf-8"))
    manifest = json.loads((outputs[year] / "manifest.json").read_text(encoding="utf-8"))
    hashes = {r["path"]: r["sha256"] for r in manifest["inputs"]}
    nb = json.loads((outputs[year] / "workbook.ipynb").read_text(encoding="utf-8"))
    cells = {c["id"]: "".join(c["source"]) for c in nb["cells"]}
    assert [r["row"] for r in lineage] == list(range(1, 56))
    for record in lineage:
        assert record["raw_sha256"] == hashes[record["raw_file"]]
        assert "show.sections(" in cells[record["notebook_cell"]]
        assert record["audit"] == f"audit.html#r-{record['row']}"
        assert len(record["raw_anchors"]) == len(record["raw_rows"])


def test_the_publication_copy_carries_no_links_into_the_audit_copy(outputs):
    report = (outputs["2023-2024"] / "report.html").read_text(encoding="utf-8")
    assert 'class="trace"' not in report and 'href="#r-' not in report
