"""The publication report as published: the PDF (text, fonts, page size, page breaks), the static
report HTML, the audit HTML, the figures' fonts, and safe rendering of hostile data.

Each module run works in a temporary copy of the workspace (forms/, notebooks/, params/, data/ of
the repository). Two full runs are shared by the tests through module-scoped fixtures: the bundled
year as is, and a copy with hostile checklist/profile values.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import warnings
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml
from workspaces import build_workspace, run_cli_subprocess

REPO = Path(__file__).resolve().parents[2]
YEAR = "2023-2024"
RAW = f"data/raw/{YEAR}"
TITLE = f"关于报送{YEAR}学年度信息公开工作的报告"
SECTIONS = (
    "一、信息公开情况概述",
    "二、主动公开信息情况",
    "三、清单事项公开情况",
    "四、依申请公开情况",
    "五、因学校信息公开工作受到举报、复议、诉讼的情况",
    "六、存在的问题及改进措施",
    "七、其他需要报告的事项",
)
URL = re.compile(r"^https?://", re.IGNORECASE)
FORMULA_START = ("=", "+", "-", "@")


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def make_workspace(dest: Path) -> Path:
    """A copy of the repository's forms/, notebooks/, params/ and data/ in `dest` (no outputs)."""
    return build_workspace(dest, repo_years=True)


def disclosure(
    root: Path, *args: str | Path, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`disclosure --root <root> <args>` in a child process, as a user runs it."""
    return run_cli_subprocess("--root", root, *args, timeout=timeout)


def poppler(tool: str, *args: str) -> str:
    assert shutil.which(tool), (
        f"{tool} not found: install the Debian package poppler-utils (scripts/bootstrap.sh does)"
    )
    done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def form_labels() -> list[str]:
    rows = yaml.safe_load((REPO / "forms" / "statistics.yaml").read_text(encoding="utf-8"))["rows"]
    assert [r["row"] for r in rows] == list(range(1, 56))
    return [r["label"] for r in rows]


def in_order(text: str, needles: list[str] | tuple[str, ...]) -> list[str]:
    """The needles not found one after another in `text` (an empty list when all are there, in
    order)."""
    missing, position = [], 0
    for needle in needles:
        found = text.find(needle, position)
        if found < 0:
            missing.append(needle)
        else:
            position = found + len(needle)
    return missing


class Page(HTMLParser):
    """Tags with their attributes, the text, the anchors, and the rows of each table (by class)."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.anchors: list[tuple[str, str]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._in_body = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._anchor: list[str] | None = None
        self._href = ""
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("class", "")
            self.tables.setdefault(self._table, [])
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._table is not None and self._in_body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a":
            self._anchor, self._href = [], attributes.get("href", "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None
        elif tag == "a" and self._anchor is not None:
            self.anchors.append((self._href, "".join(self._anchor)))
            self._anchor = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._anchor is not None:
            self._anchor.append(data)

    @property
    def plain(self) -> str:
        return "".join(self.text)

    def classes(self) -> set[str]:
        return {c for _, a in self.tags for c in a.get("class", "").split()}


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_results(out: Path) -> dict:
    """The results bundle of the executed notebook (what the exporters read)."""
    from disclosure.present.bundle import results_of

    return results_of(nbformat.read(out / "workbook.ipynb", as_version=4))


# --------------------------------------------------------------------------------------------------
# module-scoped runs
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = make_workspace(tmp_path_factory.mktemp("report"))
    done = disclosure(root, "run", YEAR)
    # every output written: exit 0, though the seed report contradicts itself (by design)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "请先打开" in done.stdout and "review.pdf" in done.stdout
    return {"root": root, "out": root / "outputs" / YEAR}


@pytest.fixture(scope="module")
def pages(clean) -> list[str]:  # type: ignore[no-untyped-def]
    """The text of each PDF page (pdftotext -layout, page by page)."""
    pdf = str(clean["out"] / "report.pdf")
    count = int(re.search(r"^Pages:\s+(\d+)", poppler("pdfinfo", pdf), re.M).group(1))
    return [
        poppler("pdftotext", "-layout", "-f", str(n), "-l", str(n), pdf, "-")
        for n in range(1, count + 1)
    ]


HOSTILE_REMARKS = {
    "1": "<script>alert(1)</script>",
    "2": '=cmd|" /C calc"!A0',
    "3": "-2+3",
    "4": "+cmd",
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A copy whose checklist and profile carry a javascript: link, markup and spreadsheet
    formulas."""
    root = make_workspace(tmp_path_factory.mktemp("hostile"))
    path = root / RAW / "checklist.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    fields = list(rows[0])
    for row in rows:
        if row["item"] == "10":
            row["links"] = "javascript:alert(1)"
        if row["item"] in HOSTILE_REMARKS:
            row["remark"] = HOSTILE_REMARKS[row["item"]]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    profile = root / RAW / "profile.yaml"
    text = profile.read_text(encoding="utf-8")
    assert text.count("reception: 办公室") == 1
    profile.write_text(
        text.replace("reception: 办公室", 'reception: "@SUM(A1:A9)"'), encoding="utf-8"
    )
    done = disclosure(root, "run", YEAR)
    assert done.returncode == 0, done.stdout + done.stderr
    return {"root": root, "out": root / "outputs" / YEAR, "done": done}


# --------------------------------------------------------------------------------------------------
# report.pdf
# --------------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_pdf_has_the_title_sections_and_annexes_and_no_review_material(clean) -> None:  # type: ignore[no-untyped-def]
    text = squeeze(poppler("pdftotext", "-layout", str(clean["out"] / "report.pdf"), "-"))
    assert TITLE in text
    assert in_order(text, SECTIONS) == []
    assert in_order(text, [TITLE, SECTIONS[0], "附件1", "附件2"]) == []
    for review in ("未通过校验", "校验结果", "校验摘要", "审阅", "修改建议", "图表"):
        assert review not in text, review


@pytest.mark.e2e
def test_review_pdf_opens_with_the_summary_then_the_document_and_the_appendix(clean) -> None:  # type: ignore[no-untyped-def]
    review = str(clean["out"] / "review.pdf")
    first = squeeze(poppler("pdftotext", "-layout", "-f", "1", "-l", "1", review, "-"))
    assert "校验摘要" in first and "修改建议" in first and "F03" in first and "K01" in first
    text = squeeze(poppler("pdftotext", "-layout", review, "-"))
    assert in_order(text, ["校验摘要", TITLE, "附件1", "附件2", "审阅附录", "附图"]) == []
    assert "公布：174" in text  # row 11: rebuilt 178, published 174, marked


@pytest.mark.e2e
def test_publication_copies_print_every_number_of_the_narrative(clean) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    results = load_results(clean["out"])
    doc = results["document"]
    paragraphs = [
        *doc["opening"],
        *(p["text"] for s in doc["sections"] for p in s["paragraphs"] if "text" in p),
    ]
    numbers = set(re.findall(r"\d+", " ".join(paragraphs)))
    assert {"335", "387", "178", "56", "2946"} <= numbers
    pdf = squeeze(poppler("pdftotext", str(clean["out"] / "report.pdf"), "-"))
    pdf = re.sub(r"—\d+—", "", pdf)  # the page numbers between the lines of a paragraph
    word = Document(str(clean["out"] / "report.docx"))
    docx = squeeze("".join(p.text for p in word.paragraphs))
    for copy in (pdf, docx):
        assert all(squeeze(text) in copy for text in paragraphs)  # every paragraph, whole
        assert "未通过校验" not in copy and "校验结果" not in copy


@pytest.mark.e2e
def test_pdf_lists_the_55_row_labels_in_order(clean) -> None:  # type: ignore[no-untyped-def]
    # Reading order (no -layout): with -layout a wrapped label (row 45) is interleaved with the
    # value column of its first line, which is an artefact of the layout extraction, not of the
    # PDF.
    text = squeeze(poppler("pdftotext", str(clean["out"] / "report.pdf"), "-"))
    annex = text[text.index("附件1") :]
    assert in_order(annex, [squeeze(label) for label in form_labels()]) == []


@pytest.mark.e2e
def test_pdf_embeds_a_cjk_font(clean) -> None:  # type: ignore[no-untyped-def]
    listing = poppler("pdffonts", str(clean["out"] / "report.pdf")).splitlines()[2:]
    embedded = []
    for line in listing:
        flags = re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line)
        if flags and flags.group(1) == "yes":
            embedded.append(line.split()[0])
    assert any("CJK" in name for name in embedded), listing
    assert not any(
        re.search(r"\sno\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line) for line in listing
    ), "a font is not embedded"


@pytest.mark.e2e
def test_pdf_is_a4_with_more_than_five_pages(clean) -> None:  # type: ignore[no-untyped-def]
    info = poppler("pdfinfo", str(clean["out"] / "report.pdf"))
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size, info
    assert (round(float(size.group(1))), round(float(size.group(2)))) == (595, 842)
    assert int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1)) > 5


@pytest.mark.e2e
def test_each_annex_starts_a_new_page(pages) -> None:  # type: ignore[no-untyped-def]
    for number in (1, 2):
        label = re.compile(rf"^\s*附件\s*{number}\s*$", re.M)
        where = [i for i, page in enumerate(pages) if label.search(page)]
        assert len(where) == 1, f"附件 {number} found on pages {[i + 1 for i in where]}"
        lines = [line.strip() for line in pages[where[0]].splitlines() if line.strip()]
        assert squeeze(lines[0]) == f"附件{number}", f"page {where[0] + 1} begins with {lines[:2]}"
        assert where[0] > 0


# --------------------------------------------------------------------------------------------------
# report.html and audit.html
# --------------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_report_html_is_static_and_shows_no_code(clean) -> None:  # type: ignore[no-untyped-def]
    source = (clean["out"] / "report.html").read_text(encoding="utf-8")
    page = Page(source)
    assert [a for t, a in page.tags if t == "script"] == []
    assert 'src="http' not in source
    assert not {"jp-InputArea", "jp-InputPrompt", "jp-CodeCell"} & page.classes()
    assert "In [" not in source
    for code in (
        "show.html(",
        "report.statistics_table(",
        "from disclosure import",
        "academic_year =",
    ):
        assert code not in source, code
    assert TITLE in page.plain
    assert all(squeeze(s) in squeeze(page.plain) for s in SECTIONS)


@pytest.mark.e2e
def test_report_html_links_every_web_link_of_the_checklist(clean) -> None:  # type: ignore[no-untyped-def]
    page = Page((clean["out"] / "report.html").read_text(encoding="utf-8"))
    hrefs = {href for href, _ in page.anchors}
    with (clean["root"] / RAW / "checklist.csv").open(encoding="utf-8", newline="") as handle:
        tokens = [t for row in csv.DictReader(handle) for t in (row["links"] or "").split()]
    web = [t for t in tokens if URL.match(t)]
    other = [t for t in tokens if not URL.match(t)]
    assert web and other  # the bundled year has both (item 10 prints a QQ number)
    for token in web:
        assert token in hrefs, f"{token} is not an <a href>"
    for token in other:
        assert token not in hrefs
        assert token in page.plain
    assert all(URL.match(href) for href in hrefs)
    assert all(href == text for href, text in page.anchors)


@pytest.mark.e2e
def test_report_html_statistics_table_has_the_55_rows(clean) -> None:  # type: ignore[no-untyped-def]
    page = Page((clean["out"] / "report.html").read_text(encoding="utf-8"))
    rows = page.tables["stat"]
    assert len(rows) == 55
    assert [r[0].strip() for r in rows] == [str(n) for n in range(1, 56)]
    assert [r[1] for r in rows] == form_labels()
    stats = {
        r["row"]: r
        for r in csv.DictReader(
            io.StringIO((clean["out"] / "statistics.csv").read_text(encoding="utf-8-sig"))
        )
    }
    assert [r[2] for r in rows] == [stats[str(n)]["value"] for n in range(1, 56)]


@pytest.mark.e2e
def test_audit_html_has_every_code_cell_and_embedded_images(clean) -> None:  # type: ignore[no-untyped-def]
    source = (clean["out"] / "audit.html").read_text(encoding="utf-8")
    page = Page(source)
    nb = json.loads((clean["out"] / "workbook.ipynb").read_text(encoding="utf-8"))
    code = [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]
    assert len(code) > 30
    missing = [c[:60] for c in code if c.strip() and c not in page.plain]
    assert missing == []
    images = [a.get("src", "") for t, a in page.tags if t == "img"]
    figures = len(list((clean["out"] / "figures").glob("*.png")))
    assert sum(src.startswith("data:image/png;base64,") for src in images) >= figures >= 3
    assert all(src.startswith("data:") for src in images), [
        s[:40] for s in images if not s.startswith("data:")
    ]
    assert not re.search(r"<script[^>]*\ssrc\s*=", source, re.I)


# --------------------------------------------------------------------------------------------------
# figures and the CJK font
# --------------------------------------------------------------------------------------------------


def _glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_figures_draw_every_glyph_with_the_cjk_font(tmp_path: Path) -> None:
    import matplotlib

    from disclosure.compute.checklist import checklist_categories
    from disclosure.pipeline import check_year
    from disclosure.present import charts

    charts.cjk_font_file()  # the font must be installed (FontMissing otherwise)
    root = make_workspace(tmp_path / "ws")
    result = check_year(root, YEAR)
    data, stats, items = result.data, result.statistics, result.checklist
    categories = checklist_categories(items)
    source = f"{data.profile['institution']} {YEAR} 学年原始数据"
    with matplotlib.rc_context(), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts.setup()
        warnings.simplefilter(
            "always"
        )  # setup() turns glyph warnings into errors; record them here instead
        busy = [
            5 if r in (19, 27, 31, 39, 47) else v
            for r, v in zip(stats["row"], stats["value"], strict=True)
        ]
        with_applications = stats.assign(value=busy)  # so the applications panels are drawn too
        images = [
            charts.png(
                charts.draw(spec, with_applications, categories, stats, ("2022-2023", YEAR), source)
            )
            for spec in data.figures
        ]
    assert _glyph_warnings(caught) == []
    assert all(image.startswith(b"\x89PNG") for image in images)

    # the same check does see a missing glyph when the CJK font is not in the family list
    with (
        matplotlib.rc_context({"font.family": ["DejaVu Sans"]}),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        charts.png(
            charts.draw(data.figures[2], stats, categories, None, ("2022-2023", YEAR), source)
        )
    assert _glyph_warnings(caught)


def test_missing_cjk_font_raises_font_missing_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from disclosure.errors import FontMissing
    from disclosure.present import charts

    def not_found(*args: object, **kwargs: object) -> str:
        raise ValueError("Failed to find font Noto Sans CJK SC")

    monkeypatch.setattr(charts.font_manager, "findfont", not_found)
    with pytest.raises(FontMissing) as raised:
        charts.cjk_font_file()
    message = str(raised.value)
    assert re.search(r"[\u4e00-\u9fff]", message)
    assert "Noto Sans CJK SC" in message and "fonts-noto-cjk" in message
    with pytest.raises(FontMissing):
        charts.setup()


# --------------------------------------------------------------------------------------------------
# safe rendering of hostile data
# --------------------------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["report.html", "audit.html"])
def test_hostile_links_and_markup_render_as_text(hostile, name) -> None:  # type: ignore[no-untyped-def]
    page = Page((hostile["out"] / name).read_text(encoding="utf-8"))
    assert [a for t, a in page.tags if t == "script"] == []
    bad = [href for href, _ in page.anchors if href.strip().lower().startswith("javascript:")]
    assert bad == []
    assert not any(
        v.strip().lower().startswith("javascript:") for _, a in page.tags for v in a.values()
    )
    assert "javascript:alert(1)" in page.plain
    assert "<script>alert(1)</script>" in page.plain


@pytest.mark.e2e
def test_hostile_link_is_no_link_in_the_pdf(hostile) -> None:  # type: ignore[no-untyped-def]
    pdf = str(hostile["out"] / "report.pdf")
    assert re.search(r"^JavaScript:\s+no\s*$", poppler("pdfinfo", pdf), re.M)
    urls = [
        line.split()[-1]
        for line in poppler("pdfinfo", "-url", pdf).splitlines()[1:]
        if line.strip()
    ]
    assert urls, "the checklist's web links should be PDF links"
    assert all(URL.match(u) for u in urls), [u for u in urls if not URL.match(u)]
    assert "javascript:alert(1)" in squeeze(poppler("pdftotext", pdf, "-"))


@pytest.mark.e2e
def test_hostile_link_is_named_by_k07(hostile) -> None:  # type: ignore[no-untyped-def]
    findings = {
        f["id"]: f
        for f in json.loads((hostile["out"] / "findings.json").read_text(encoding="utf-8"))
    }
    k07 = findings["K07"]
    assert k07["passed"] is False
    assert "javascript:alert(1)" in k07["filled"] and "第 10 项" in k07["filled"]
    assert "K07" in hostile["done"].stdout


@pytest.mark.e2e
def test_csv_cells_cannot_start_a_formula(hostile) -> None:  # type: ignore[no-untyped-def]
    out = hostile["out"]
    checklist = {
        r["item"]: r
        for r in csv.DictReader(
            io.StringIO((out / "checklist.csv").read_text(encoding="utf-8-sig"))
        )
    }
    for item in ("2", "3", "4"):
        assert checklist[item]["remark"] == "'" + HOSTILE_REMARKS[item], checklist[item]["remark"]
    assert checklist["1"]["remark"] == HOSTILE_REMARKS["1"]
    stats = {
        r["row"]: r
        for r in csv.DictReader(
            io.StringIO((out / "statistics.csv").read_text(encoding="utf-8-sig"))
        )
    }
    assert stats["5"]["value"] == "'@SUM(A1:A9)"
    for name in ("statistics.csv", "checklist.csv", "checklist_categories.csv", "findings.csv"):
        for row in read_rows(out / name):
            for cell in row:
                assert not cell.startswith(FORMULA_START) or is_number(cell), (
                    f"{name}: {cell[:40]!r}"
                )
