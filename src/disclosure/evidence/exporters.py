"""Every output file of a run, as a registry of (file name, exporter), and the project's nbconvert
exporters (audit HTML, report HTML); the PDF copies are laid out by Typst (present.typeset) from
the same document model.

A new format is one exporter and one entry in OUTPUTS; the runner, the manifest, `verify`,
`archive`, the README's outputs table and the tests all read this registry."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from traitlets import Unicode

from disclosure.evidence.outputs import RESULT_FILES, RESULT_TITLES
from disclosure.present.bundle import FIGURE_KEY, document_of, figures_of, results_of

TEMPLATES = Path(str(resources.files("disclosure.present") / "templates"))


def _css(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def banner_html(summary: dict[str, int] | None) -> str:
    if not summary:
        return ""
    if summary["errors"]:
        return (
            '<div class="banner failed"><strong>未通过校验</strong>:'
            f"{summary['errors']} 项错误、{summary['warnings']} 项提示"
            "(见第 6 节“校验结果”)</div>"
        )
    return (
        '<div class="banner passed">'
        f"全部错误级校验通过({summary['warnings']} 项提示,见第 6 节)</div>"
    )


HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)<a class="anchor-link"', re.DOTALL)
TRACE_LINK = re.compile(r'<a class="trace" href="[^"]*">(.*?)</a>', re.DOTALL)
CONTENTS_MARK = "<main>"


def with_contents(html: str) -> str:
    """The audit copy with a table of contents of its headings, placed before the first cell."""
    entries = [
        f'<li class="toc-{level}"><a href="#{anchor}">{_plain_text(text)}</a></li>'
        for level, anchor, text in HEADING.findall(html)
    ]
    if not entries or CONTENTS_MARK not in html:
        return html
    contents = f'<nav class="contents"><h2>目录</h2><ul>{"".join(entries)}</ul></nav>'
    return html.replace(CONTENTS_MARK, CONTENTS_MARK + contents, 1)


def _plain_text(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment).strip()


def without_trace_links(html: str) -> str:
    """The publication copy keeps the numbers, not the links into the audit copy."""
    return TRACE_LINK.sub(r"\1", html)


class AuditHTMLExporter(HTMLExporter):
    """Every cell, code visible, images embedded, no script from a CDN."""

    export_from_notebook = "disclosure audit HTML"

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("extra_template_basedirs", [str(TEMPLATES)])
        kw.setdefault("template_name", "audit")
        kw.setdefault("embed_images", True)
        super().__init__(**kw)

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
        resources = dict(resources or {})
        resources["disclosure_css"] = _css("audit.css")
        resources.setdefault(
            "disclosure_banner", banner_html(nb.metadata.get("disclosure", {}).get("summary"))
        )
        html, resources = super().from_notebook_node(nb, resources, **kw)
        return with_contents(html), resources


class ReportHTMLExporter(HTMLExporter):
    """One copy of the report in the official layout: the cells tagged `report` and those tagged
    with the copy's name, `publication` (the copy an office posts) or `review` (the same document
    with the check summary first, the rebuilt-vs-published marks, the findings and the figures)."""

    export_from_notebook = "disclosure report HTML"
    copy = Unicode("publication", help="publication or review").tag(config=True)

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("extra_template_basedirs", [str(TEMPLATES)])
        kw.setdefault("template_name", "report")
        super().__init__(**kw)

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
        resources = dict(resources or {})
        resources["disclosure_css"] = _css("report.css")
        resources["disclosure_copy"] = self.copy
        title = nb.metadata.get("disclosure", {}).get("title", "信息公开工作年度报告")
        resources["disclosure_title"] = title if self.copy == "publication" else f"{title}(审阅版)"
        html, resources = super().from_notebook_node(nb, resources, **kw)
        return without_trace_links(html), resources


class ReportPDFExporter(ReportHTMLExporter):
    """A report copy as PDF, laid out by Typst from the notebook's document model (the same
    bytes `disclosure run` writes); `jupyter nbconvert --to disclosure_pdf`."""

    export_from_notebook = "disclosure report PDF"
    output_mimetype = "application/pdf"
    file_extension = Unicode(".pdf").tag(config=True)

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
        resources = self._init_resources(resources)
        resources["output_extension"] = self.file_extension
        if self.copy == "review":
            return _review_pdf(nb, {})["review.pdf"], resources
        return _pdf(nb, {})["report.pdf"], resources


@dataclass(frozen=True)
class Output:
    """One output of a run: `name` is a file, or a folder ending in "/" holding several files."""

    name: str
    title: str  # what it is, in the users' words (the README's outputs table)
    render: Callable[[Any, dict[str, bytes]], dict[str, bytes]]  # (notebook, done so far) -> files
    # Started before the others (it sees only other `first` outputs as `done`).
    first: bool = False


def _notebook(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    import nbformat

    return {"workbook.ipynb": nbformat.writes(nb).encode("utf-8")}


def _result_file(name: str) -> Callable[[Any, dict[str, bytes]], dict[str, bytes]]:
    def render(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
        return {name: RESULT_FILES[name](results_of(nb))}

    return render


def lineage(nb: Any) -> list[dict[str, Any]]:
    """For every row of the statistics table: where the report prints it, how it is defined, which
    notebook cell shows it, and the raw file, spreadsheet rows and SHA-256 it comes from."""
    results = results_of(nb)
    hashes = {str(r["path"]): r["sha256"] for r in results.get("inputs", [])}
    cell = next((c for c in nb.cells if "show.sections(" in "".join(c.get("source", ""))), None)
    out = []
    for record in results["statistics"]:
        file = record.get("source_file") or ""
        out.append(
            {
                "row": record["row"],
                "label": record["label"],
                "value": record["value"],
                "reported": record.get("reported"),
                "report": f"report.html 附件1 第 {record['row']} 行",
                "audit": f"audit.html#r-{record['row']}",
                "definition": record["definition"],
                "notebook_cell": None if cell is None else cell.get("id"),
                "raw_file": file,
                "raw_rows": record.get("source_rows") or [],
                "raw_sha256": hashes.get(file),
                "raw_anchors": [
                    f"audit.html#raw-{record.get('source_table')}-{line}"
                    for line in record.get("source_rows") or []
                ],
            }
        )
    return out


def _lineage(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    text = json.dumps(lineage(nb), ensure_ascii=False, indent=2) + "\n"
    return {"lineage.json": text.encode("utf-8")}


def _figures(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    return {f"figures/{name}.png": png for name, png in figures_of(nb).items()}


def _audit(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    return {"audit.html": AuditHTMLExporter().from_notebook_node(nb)[0].encode("utf-8")}


def _report(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    return {"report.html": ReportHTMLExporter().from_notebook_node(nb)[0].encode("utf-8")}


def _pdf(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    from disclosure.present import typeset

    meta = nb.metadata.get("disclosure", {})
    shown = _figures_shown(nb) if meta.get("report_figures") else []
    data = typeset.publication(document_of(nb), _title(nb), [(f, c) for f, c, _ in shown])
    return {"report.pdf": typeset.pdf_bytes(data, {f: png for f, _, png in shown})}


def _title(nb: Any) -> str:
    return str(nb.metadata.get("disclosure", {}).get("title", "信息公开工作年度报告"))


def _figures_shown(nb: Any) -> list[tuple[str, str, bytes]]:
    """The figures the notebook drew: (file name, caption, PNG), in drawing order."""
    shown = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            metadata = output.get("metadata", {})
            name = metadata.get(FIGURE_KEY)
            if name and "image/png" in output.get("data", {}):
                png = base64.b64decode(output["data"]["image/png"])
                shown.append((f"{name}.png", str(metadata.get("caption", name)), png))
    return shown


def _docx(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    from disclosure.present.word import docx_bytes

    return {"report.docx": docx_bytes(document_of(nb))}


def _review(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    html = ReportHTMLExporter(copy="review").from_notebook_node(nb)[0]
    return {"review.html": html.encode("utf-8")}


def _review_pdf(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    import pandas as pd

    from disclosure.present import report, typeset

    document = document_of(nb)
    findings = pd.DataFrame(results_of(nb)["findings"])
    fixes = nb.metadata.get("disclosure", {}).get("corrections") or {}
    corrections = pd.DataFrame(fixes.get("rows", []), columns=fixes.get("columns", []))
    shown = _figures_shown(nb)
    data = typeset.review(
        document,
        f"{_title(nb)}(审阅版)",
        report.review_summary_values(findings, document["year"], document["issuer"]),
        report.findings_values(findings, corrections),
        [(f, c) for f, c, _ in shown],
    )
    return {"review.pdf": typeset.pdf_bytes(data, {f: png for f, _, png in shown})}


def _xlsx(nb: Any, done: dict[str, bytes]) -> dict[str, bytes]:
    from disclosure.present.excel import xlsx_bytes

    return {"statistics.xlsx": xlsx_bytes(document_of(nb))}


OUTPUTS: tuple[Output, ...] = (
    Output("workbook.ipynb", "执行后的计算底稿(证据,完整)", _notebook),
    *(Output(name, title, _result_file(name)) for name, title in RESULT_TITLES.items()),
    Output("lineage.json", "每个统计数从报告到原始文件行的来源链", _lineage),
    Output("figures/", "图表(PNG)", _figures),
    Output("audit.html", "审计版:每个单元格的代码与输出", _audit),
    Output("report.html", "发布版报告(HTML):公文正文、附件1 统计表、附件2 清单对照表", _report),
    Output("report.pdf", "发布版报告(PDF,A4,按 GB/T 9704 版式)", _pdf),
    Output("report.docx", "发布版报告(Word,可编辑,表格为真表格)", _docx),
    Output("review.html", "审阅版(HTML):校验摘要、标出与公布不同的值、校验结果、图表", _review),
    Output("review.pdf", "审阅版(PDF,A4):先看这一份", _review_pdf),
    Output("statistics.xlsx", "统计表(Excel,按印刷表格排版,重算值与公布值并列)", _xlsx),
)


def render_outputs(nb: Any, workers: int | None = None) -> dict[str, bytes]:
    """Every output file of an executed notebook, in registry order.

    The outputs marked `first` render first; then the others render concurrently (`workers`
    threads; default one per CPU). Each sees the earlier outputs' files as `done`, and reading one
    that is not finished yet waits for it, so a later exporter may reuse any earlier file (the
    registry order decides what it may see; a `first` output sees only other `first` outputs) and
    the files are the same as rendered one after another."""
    registry = tuple(OUTPUTS)
    if not registry:
        return {}
    order = [o for o in registry if o.first] + [o for o in registry if not o.first]
    futures: list[Future[dict[str, bytes]]] = []
    with ThreadPoolExecutor(
        max_workers=workers or min(len(registry), os.cpu_count() or 1),
        thread_name_prefix="render",
    ) as pool:
        # FIFO: an output starts only after every earlier one has started, so waiting on an
        # earlier output never waits on a task that has no thread.
        for index, output in enumerate(order):
            if index and order[index - 1].first and not output.first:
                wait(futures)
            earlier = EarlierOutputs(tuple(order[:index]), tuple(futures))
            futures.append(pool.submit(output.render, nb, earlier))
        files = dict(zip(order, futures, strict=True))
        done: dict[str, bytes] = {}
        for output in registry:
            done.update(files[output].result())
    return done


class EarlierOutputs(Mapping[str, bytes]):
    """The files of the outputs before one in the registry, each available once rendered."""

    def __init__(self, outputs: tuple[Output, ...], futures: tuple[Future, ...]) -> None:
        self._outputs, self._futures = outputs, futures

    def _all(self) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for future in self._futures:
            files.update(future.result())
        return files

    def __getitem__(self, name: str) -> bytes:
        for output, future in zip(self._outputs, self._futures, strict=True):
            if output.name == name or (output.name.endswith("/") and name.startswith(output.name)):
                files = future.result()
                if name in files:
                    return files[name]
        return self._all()[name]  # a file not named by its output: wait for every earlier one

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def prepare_render() -> None:
    """Import what rendering needs, so a runner can do it while it only waits for the kernel:
    Typst's compiler, which scans the installed fonts once, and the IPython lexer that highlights
    the audit copy's code (it imports IPython)."""
    from nbconvert.filters.highlight import Highlight2HTML

    from disclosure.present.typeset import warm

    warm()
    Highlight2HTML(pygments_lexer="ipython3")("x = 1")
