"""The report copies as PDF, laid out by Typst from the document model (present.document).

The template is `templates/report.typ`; this module writes the model (and, for the review copy,
the check summary, the failed checks and the figures) beside it as data.json and PNG files in a
temporary folder, and compiles it. One compiler is kept per process: it scans the installed fonts
once (about 0.15 s) and compiles a report in a few hundredths of a second after that.

Typst is told to use only the fonts the template names (no fallback), and any warning it gives (a
font family that is not installed, an image it cannot read) stops the layout. Typst draws a glyph
a font lacks as an empty box without a warning, so every character of the data is first looked up
in the character map of the font that prints it: a report is never printed with boxes.
"""

from __future__ import annotations

import json
import math
import tempfile
import threading
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from disclosure.errors import FontMissing

TEMPLATE = "report.typ"
FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL KaitiM GB")
# Where the bootstrap's Debian packages (fonts-noto-cjk, fonts-arphic-gkai00mp) put the fonts;
# Typst also searches the system's font folders.
FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/arphic-gkai00mp")

_COMPILING = threading.Lock()  # one compile at a time per compiler


@cache
def _compiler() -> Any:
    import typst

    fonts = [d for d in FONT_DIRS if Path(d).is_dir()]
    return typst.Compiler(font_paths=fonts)


def warm() -> None:
    """Start the compiler now (it scans the fonts) and read the fonts' character maps, e.g. while
    a kernel executes."""
    _compiler()
    for family in FONTS:
        _characters(family)


def typst_version() -> str:
    from importlib.metadata import version

    return version("typst")


def pdf_bytes(data: Mapping[str, Any], images: Mapping[str, bytes] | None = None) -> bytes:
    """`data` (see `publication` and `review`) laid out by the template; `images`: the files the
    data names (figures), by file name."""
    missing = missing_glyphs(data)
    if missing:
        raise FontMissing(
            "以下字符在排版字体中没有字形,PDF 会印成空框:"
            + "、".join(f"“{c}”(U+{ord(c):04X},{font})" for c, font in missing)
            + ";请改用常用字或安装含这些字的字体"
        )
    template = resources.files("disclosure.present") / "templates" / TEMPLATE
    with tempfile.TemporaryDirectory(prefix="disclosure-typst-") as folder:
        root = Path(folder)
        (root / TEMPLATE).write_bytes(template.read_bytes())
        (root / "data.json").write_text(json.dumps(_plain(data), ensure_ascii=False), "utf-8")
        for name, content in (images or {}).items():
            (root / name).write_bytes(content)
        with _COMPILING:
            result, warnings = _compiler().compile_with_warnings(
                input=str(root / TEMPLATE), root=str(root), format="pdf"
            )
    if warnings:
        raise _failure(warnings)
    return bytes(result)


SERIF, SANS, KAI = FONTS


def missing_glyphs(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(character, font) for every character of `data` the font that prints it has no glyph for:
    the signer's name and the (一) subheadings are set in 楷体, the section headings in 黑体, every
    other text in the serif body font."""
    doc = data.get("doc", {})
    kai = [str(doc.get("signer", ""))]
    sans = []
    for section in doc.get("sections", []):
        sans.append(f"{section.get('part', '')}{section.get('heading', '')}")
        kai += [str(p["subheading"]) for p in section.get("paragraphs", []) if "subheading" in p]
    found: list[tuple[str, str]] = []
    for font, texts in ((SERIF, _strings(data)), (SANS, sans), (KAI, kai)):
        have = _characters(font)
        for char in sorted({c for text in texts for c in text if not c.isspace()}):
            if ord(char) not in have:
                found.append((char, font))
    return found


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


@cache
def _installed() -> list[Any]:
    """The font faces Typst finds (the system's and the bootstrap's folders)."""
    import typst

    return list(typst.Fonts(font_paths=[d for d in FONT_DIRS if Path(d).is_dir()]).fonts())


@cache
def _characters(family: str) -> frozenset[int]:
    """The code points the regular face of `family` has glyphs for, as Typst finds it."""
    from fontTools.ttLib import TTFont

    faces = [f for f in _installed() if f.family == family and f.style == "normal"]
    if not faces:
        raise FontMissing(
            f"排版 PDF 所需字体未安装:{family}"
            "(请运行 scripts/bootstrap.sh 安装 fonts-noto-cjk 与 fonts-arphic-gkai00mp)"
        )
    face = min(faces, key=lambda f: abs(int(f.weight) - 400))
    with TTFont(face.path, fontNumber=face.index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _failure(warnings: Iterable[Any]) -> Exception:
    messages = [str(getattr(w, "message", w)) for w in warnings]
    missing = [f for f in FONTS if any(f.lower() in m.lower() for m in messages)]
    if missing:
        return FontMissing(
            f"排版 PDF 所需字体未安装:{'、'.join(missing)}"
            "(请运行 scripts/bootstrap.sh 安装 fonts-noto-cjk 与 fonts-arphic-gkai00mp)"
        )
    return RuntimeError("PDF 排版出现问题(Typst):" + ";".join(messages))


def _plain(value: Any) -> Any:
    """JSON without NaN (Typst's JSON reader refuses it): NaN becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def publication(
    doc: Mapping[str, Any], title: str, figures: Iterable[tuple[str, str]] = ()
) -> dict[str, Any]:
    """The publication copy's data: the document, the PDF's title, and the figures to append
    (file name, caption) when the year prints them."""
    return {
        "copy": "publication",
        "title": title,
        "doc": doc,
        "checklist_title": _checklist_title(doc),
        "figures": [{"file": f, "caption": c} for f, c in figures],
    }


def review(
    doc: Mapping[str, Any],
    title: str,
    summary_page: Mapping[str, Any],
    findings: Mapping[str, Any],
    figures: Iterable[tuple[str, str]] = (),
) -> dict[str, Any]:
    """The review copy's data: the publication copy's, with the summary page (present.report's
    review_summary values) and the findings appendix (findings_table's)."""
    data = publication(doc, title, figures)
    data["copy"] = "review"
    data["review"] = {**summary_page, **findings}
    return data


def _checklist_title(doc: Mapping[str, Any]) -> str:
    from disclosure.present.document import annex2_title

    return annex2_title(doc)
