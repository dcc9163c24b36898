"""nbconvert exporters of the project: the audit HTML, the report HTML and the report PDF (WeasyPrint)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from nbconvert.exporters import HTMLExporter
from traitlets import Unicode

TEMPLATES = Path(str(resources.files("disclosure.present") / "templates"))


def _css(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def banner_html(summary: dict[str, int] | None) -> str:
    if not summary:
        return ""
    if summary["errors"]:
        return (
            f'<div class="banner failed"><strong>未通过校验</strong>:{summary["errors"]} 项错误、{summary["warnings"]} 项提示'
            "(见第 6 节“校验结果”)</div>"
        )
    return f'<div class="banner passed">全部错误级校验通过({summary["warnings"]} 项提示,见第 6 节)</div>'


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
        resources.setdefault("disclosure_banner", banner_html(nb.metadata.get("disclosure", {}).get("summary")))
        return super().from_notebook_node(nb, resources, **kw)


class ReportHTMLExporter(HTMLExporter):
    """Only the report-tagged cells' HTML outputs, in the official layout."""

    export_from_notebook = "disclosure report HTML"

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("extra_template_basedirs", [str(TEMPLATES)])
        kw.setdefault("template_name", "report")
        super().__init__(**kw)

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
        resources = dict(resources or {})
        resources["disclosure_css"] = _css("report.css")
        resources["disclosure_title"] = nb.metadata.get("disclosure", {}).get("title", "信息公开工作年度报告")
        return super().from_notebook_node(nb, resources, **kw)


class ReportPDFExporter(ReportHTMLExporter):
    """The report HTML laid out by WeasyPrint (A4, CSS paged media); `jupyter nbconvert --to disclosure_pdf`."""

    export_from_notebook = "disclosure report PDF"
    output_mimetype = "application/pdf"
    file_extension = Unicode(".pdf").tag(config=True)

    def __init__(self, **kw: Any) -> None:
        kw.setdefault("template_file", "index.html.j2")  # the HTML template; WeasyPrint makes the PDF
        super().__init__(**kw)

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
        html, resources = super().from_notebook_node(nb, resources, **kw)
        return html_to_pdf(html), resources


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    # No base_url: every image is embedded, so nothing is fetched.
    return HTML(string=html).write_pdf() or b""


def weasyprint_version() -> str:
    import weasyprint

    return weasyprint.__version__
