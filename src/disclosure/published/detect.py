"""What a published report is, before any rule runs: its template family (forms/audit.yaml
`families`), its academic year and its institution, each from the document and each overridable.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from disclosure.errors import InputError
from disclosure.inputs.yamlio import read_yaml
from disclosure.published.parse import YEAR_SPAN, Header, Line, Narrative, squash
from disclosure.published.text import Document

AUDIT_FORM = "forms/audit.yaml"
PUNCTUATION = str.maketrans("，：；（）", ",:;()")


@dataclass(frozen=True)
class Family:
    id: str
    title: str
    when: dict[str, Any]
    parts: tuple[str, ...]
    period: str  # academic | calendar
    due: str  # MM-DD
    statistics: bool
    importable: bool


def load_audit_form(root: Path) -> dict[str, Any]:
    spec = read_yaml(root / AUDIT_FORM, AUDIT_FORM)
    if not isinstance(spec, dict) or not isinstance(spec.get("families"), list):
        raise InputError.one(AUDIT_FORM, "应含 families(模板类别列表)")
    return spec


def families(spec: dict[str, Any]) -> list[Family]:
    return [
        Family(
            str(f["id"]),
            str(f["title"]),
            dict(f.get("when") or {}),
            tuple(str(p) for p in f.get("parts") or ()),
            str(f.get("period", "academic")),
            str(f.get("due", "10-31")),
            bool(f.get("statistics")),
            bool(f.get("importable")),
        )
        for f in spec["families"]
    ]


def normal_label(label: str) -> str:
    return squash(label).translate(PUNCTUATION)


def form_share(lines: list[Line], form_labels: list[str]) -> float:
    """The share of the form's row labels that the printed table carries."""
    if not form_labels:
        return 0.0
    printed = {normal_label(line.label) for line in lines}
    return sum(normal_label(label) in printed for label in form_labels) / len(form_labels)


def family_of(
    doc_text: str, lines: list[Line], form_labels: list[str], spec: dict[str, Any]
) -> Family | None:
    """The first family of forms/audit.yaml whose `when` holds, or None (an unknown form)."""
    text = squash(doc_text)
    share = form_share(lines, form_labels)
    for family in families(spec):
        when = family.when
        if when.get("text_any") and not any(squash(w) in text for w in when["text_any"]):
            continue
        if any(squash(w) in text for w in when.get("text_none") or ()):
            continue
        if when.get("statistics_form") and share < float(spec.get("form_match", 0.8)):
            continue
        return family
    return None


def document_text(doc: Document) -> str:
    parts = [b.text for b in doc.blocks]
    parts += [c.text for t in doc.tables for row in t.rows[:2] for c in row]
    return "\n".join(parts)


def academic_year(head: Header, story: Narrative, doc: Document, override: str | None) -> str:
    """--year, else the title's "YYYY-YYYY 学年", else the statistics table's title, else the
    span the prose names most often."""
    if override:
        return override
    if head.year:
        return head.year
    for block in doc.blocks:
        if "统计表" in block.text and (m := YEAR_SPAN.search(block.text)):
            return f"{m.group(1)}-{m.group(2)}"
    spans = Counter(f"{a}-{b}" for a, b in YEAR_SPAN.findall(story.all_text()))
    spans = Counter({k: v for k, v in spans.items() if int(k[5:]) == int(k[:4]) + 1})
    return spans.most_common(1)[0][0] if spans else ""


def calendar_year(doc: Document) -> str:
    for block in doc.blocks[:12]:
        if m := re.search(r"(\d{4})\s*年\s*(?:度)?[^。]*年度报告", block.text):
            return m.group(1)
    return ""


def institution(head: Header, override: str | None) -> str:
    return override or head.institution
