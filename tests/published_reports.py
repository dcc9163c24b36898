"""Published reports made by the project's own renderer, for the import/audit round trip.

`render_year` lays a year out the way `disclosure run` does, without a kernel: the same
`present.document.build` document, the same HTML fragments and report.css, WeasyPrint for the PDF
and `present.word` for the .docx (the notebook only adds the evidence around them). `variant`
writes a copy of the synthetic fixture year with one contradiction injected into its raw data, so
that the rendered report carries it; INJECTIONS names, for each, the audit rules it must fail.
Shared by tests/end_to_end/test_published_roundtrip.py and bench/audit_reports.py.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import yaml
from workspaces import FIXTURES_DIR, REPO_ROOT

SYNTHETIC = "synthetic_2030-2031"
FORMATS = ("html", "pdf", "docx")


def render_year(root: Path, year: str, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """report.<format> of a year, as `disclosure run` lays it out (publication copy)."""
    from disclosure.compute.narrative import year_context
    from disclosure.pipeline import check_year
    from disclosure.present import document, report, typeset, word

    result = check_year(root, year)
    data = result.data
    ctx = year_context(data, result.statistics)
    doc = document.build(
        data.profile,
        data.narrative,
        ctx,
        result.statistics,
        result.checklist,
        year,
        report.date_text(data.profile),
    )
    css = (REPO_ROOT / "src/disclosure/present/templates/report.css").read_text(encoding="utf-8")
    body = (
        report.header(doc)
        + report.body(doc)
        + report.statistics_table(doc)
        + report.checklist_table(doc)
    )
    html = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{doc['title']}</title><style>{css}</style></head>"
        f'<body class="publication"><main class="report">{body}</main></body></html>'
    )
    out: dict[str, bytes] = {}
    if "html" in formats:
        out["html"] = html.encode("utf-8")
    if "pdf" in formats:
        out["pdf"] = typeset.pdf_bytes(typeset.publication(doc, doc["title"]))
    if "docx" in formats:
        out["docx"] = word.docx_bytes(doc)
    return out


# --- variants of the synthetic year ---------------------------------------------------------------


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _write_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _edit_csv(path: Path, edit: Callable[[list[dict[str, str]]], None]) -> None:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _funding_without_project(raw: Path, rng: random.Random) -> None:
    profile = _yaml(raw / "profile.yaml")
    profile["special_funding_project"] = "无"
    profile["special_funding_amount"] = rng.randint(1000, 90000)
    _write_yaml(raw / "profile.yaml", profile)


def _platform_below_checklist(raw: Path, rng: random.Random) -> None:
    def edit(rows: list[dict[str, str]]) -> None:
        for row in rows:
            if row["channel"] == "信息公开平台":
                row["count"] = str(rng.randint(1, 40))  # the checklist totals 85

    _edit_csv(raw / "publications.csv", edit)


def _item_without_link(raw: Path, rng: random.Random) -> None:
    def edit(rows: list[dict[str, str]]) -> None:
        published = [r for r in rows if r["count"] not in ("", "0")]
        rng.choice(published)["links"] = ""

    _edit_csv(raw / "checklist.csv", edit)


def _prose_number(raw: Path, rng: random.Random) -> None:
    narrative = _yaml(raw / "narrative.yaml")
    for section in narrative["sections"]:
        for para in section.get("paragraphs") or []:
            if "{r16}" in str(para.get("template", "")):
                para["template"] = para["template"].replace("{r16}", str(rng.randint(100, 999)))
    _write_yaml(raw / "narrative.yaml", narrative)


def _old_citation(raw: Path, rng: random.Random) -> None:
    narrative = _yaml(raw / "narrative.yaml")
    opening = narrative["opening"][0]
    opening["template"] = opening["template"].replace(
        "根据《高等学校信息公开办法》",
        "根据《政府信息公开条例》(国务院令第 492 号)、《高等学校信息公开办法》",
    )
    _write_yaml(raw / "narrative.yaml", narrative)


def _late_report(raw: Path, rng: random.Random) -> None:
    profile = _yaml(raw / "profile.yaml")
    profile["report_date"] = f"2031-{rng.choice([11, 12])}-{rng.randint(1, 28):02d}"
    _write_yaml(raw / "profile.yaml", profile)


def _wrong_part_count(raw: Path, rng: random.Random) -> None:
    narrative = _yaml(raw / "narrative.yaml")
    opening = narrative["opening"][0]
    opening["template"] = opening["template"].replace(
        "学年信息公开工作报告。",
        f"学年信息公开工作报告。本报告由{rng.choice('五六八')}个部分组成。",
    )
    _write_yaml(raw / "narrative.yaml", narrative)


# name -> (what it changes in the raw data, the audit rules it must fail)
INJECTIONS: dict[str, tuple[Callable[[Path, random.Random], None], set[str]]] = {
    "funding-without-project": (_funding_without_project, {"F03p", "F04p"}),
    "platform-below-checklist": (_platform_below_checklist, {"C01p"}),
    "item-without-link": (_item_without_link, {"K04"}),
    "prose-number": (_prose_number, {"W01"}),
    "old-citation": (_old_citation, {"L01"}),
    "late-report": (_late_report, {"E01"}),
    "wrong-part-count": (_wrong_part_count, {"T03"}),
}


def vary(raw: Path, rng: random.Random) -> None:
    """Random valid values that keep the year consistent: the publication channels (each at least
    the checklist's total where the rules need it) and the staff."""

    def channels(rows: list[dict[str, str]]) -> None:
        for row in rows:
            low = 85 if row["channel"] in ("门户网站", "信息公开平台") else 0
            row["count"] = str(rng.randint(low, 5000))
        portal = next(r for r in rows if r["channel"] == "门户网站")
        platform = next(r for r in rows if r["channel"] == "信息公开平台")
        portal["count"] = str(max(int(portal["count"]), int(platform["count"])))

    _edit_csv(raw / "publications.csv", channels)
    profile = _yaml(raw / "profile.yaml")
    profile["staff_full_time"] = rng.randint(1, 5)
    profile["staff_part_time"] = rng.randint(0, 40)
    profile["institution"] = f"虚构第{rng.randint(1, 999)}大学"
    _write_yaml(raw / "profile.yaml", profile)


def variant(root: Path, injection: str | None, seed: int) -> str:
    """Replace the synthetic year in workspace `root` by a varied copy, with `injection` applied;
    returns the year."""
    rng = random.Random(seed)
    source = FIXTURES_DIR / SYNTHETIC
    params = _yaml(source / "params.yaml")
    year = str(params["academic_year"])
    raw = root / params["data_dir"]
    shutil.rmtree(raw, ignore_errors=True)
    shutil.copytree(source / "raw", raw)
    (raw / "SOURCE.yaml").unlink()  # the hashes no longer hold; D01 is not part of the audit
    (root / "params").mkdir(exist_ok=True)
    shutil.copy2(source / "params.yaml", root / "params" / f"{year}.yaml")
    vary(raw, rng)
    if injection:
        INJECTIONS[injection][0](raw, rng)
    return year
