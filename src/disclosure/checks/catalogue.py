"""Run the whole catalogue of forms/rules.yaml on one year: build what the rules may name, evaluate
every rule (expressions and registered code checks alike) and return the findings, errors first."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from disclosure.checks.builtin import CODE_CHECKS
from disclosure.checks.many import check_many
from disclosure.checks.rules import Context, Rule, catalogue
from disclosure.compute.narrative import printed_sentences, year_context
from disclosure.inputs.dataset import YearData
from disclosure.inputs.formset import FormSet, load_formset
from disclosure.inputs.yamlio import read_yaml
from disclosure.workspace import NARRATIVE_FILE, PROFILE_FILE, SOURCE_FILE, STATISTICS_FORM


def context(
    data: YearData, stats: pd.DataFrame, items: pd.DataFrame, previous_year: str | None
) -> Context:
    """What a rule may name. `stats` carries the previous year's values in its `previous` column;
    `published_lines` and `form_rows` count the lines of the published table and of the form."""
    reported_file = data.table_files.get("reported_statistics")
    values: dict[str, object] = {"yoy_threshold": data.params.yoy_threshold}
    sources: dict[str, str] = {}
    for row, value, source, published in zip(
        stats["row"], stats["value"], stats["source"], stats["published"], strict=True
    ):
        values[f"r{row}"], sources[f"r{row}"] = value, source
        values[f"p{row}"] = None if published is None or published != published else published
        sources[f"p{row}"] = f"{reported_file or '已公布统计表'} 第 {row} 行"
    # The published table's length as transcribed (the rebuilt table keeps only the form's rows, so
    # a line beyond them is seen only here) and the form's.
    reported = data.tables.get("reported_statistics")
    values["published_lines"] = None if not reported_file or reported is None else len(reported)
    sources["published_lines"] = f"{reported_file or '已公布统计表'} 的行数"
    values["form_rows"] = len(data.rows)
    sources["form_rows"] = f"{STATISTICS_FORM} 的行数"
    header = header_values(data)
    values.update(header)
    profile_file = f"{data.params.data_dir}/{PROFILE_FILE}"
    sources.update({name: profile_file for name in header if name.startswith("profile.")})
    sources.update(
        {
            "document_number_year": f"{profile_file} document_number 中〔〕内的年份(无则为 0)",
            "report_year": "学年结束的年份(params academic_year)",
            "period_end": "学年的最后一天(8 月 31 日)",
            "report_deadline": "报告的报送期限(学年结束当年 10 月 31 日)",
        }
    )
    available = set()
    if reported_file:
        available.add("reported_statistics")
    if "previous" in stats and stats["previous"].notna().any():
        available.add("previous_year")
    folder = f"{data.params.data_dir}"
    source_record = _source_hashes(data)
    if source_record is not None:
        available.add("source_record")
    narrative_values = year_context(data, stats)
    return Context(
        values=values,
        tables={"statistics": stats, "checklist": items},
        sources=sources,
        table_sources={
            "statistics": f"重算统计表(来源见各行)；{reported_file or '无已公布统计表'}"
            + (f"；{previous_year} 学年重算统计表" if "previous_year" in available else ""),
            "checklist": data.table_files.get("checklist", "checklist"),
            "narrative": f"{folder}/{NARRATIVE_FILE}",
            "source_record": f"{folder}/{SOURCE_FILE}",
        },
        available=available,
        extras={
            "narrative": data.narrative,
            "narrative_values": narrative_values,
            "narrative_sentences": printed_sentences(data.narrative, narrative_values),
            "claims": list(forms_of(data).claims),
            "citations": list(forms_of(data).citations),
            "source_hashes": source_record,
            "raw_hashes": {
                str(r["path"]).rsplit("/", 1)[-1]: str(r["sha256"])
                for r in data.inputs
                if str(r["path"]).startswith(folder + "/")
            },
        },
    )


DOCUMENT_YEAR = re.compile(r"[〔\[［(（](\d{4})[〕\]］)）]")
HEADER_FIELDS = ("document_number", "signer", "report_date")


def header_values(data: YearData) -> dict[str, object]:
    """What the header rules (family H) name: the document number, signer and date as written in
    profile.yaml, the years in them, and the reporting window of the academic year. An empty field
    is "" (blank) and a document number without a year gives year 0, so the rules can say so
    instead of not applying."""
    profile = data.profile
    out: dict[str, object] = {f"profile.{name}": _text(profile.get(name)) for name in HEADER_FIELDS}
    number = DOCUMENT_YEAR.search(str(out["profile.document_number"]))
    out["document_number_year"] = int(number.group(1)) if number else 0  # 0: no year in it
    end = data.params.end
    out["report_year"] = end.year
    out["period_end"] = end.isoformat()
    out["report_deadline"] = date(end.year, 10, 31).isoformat()
    return out


def _text(value: object) -> str:
    """A profile field as text (a date as YYYY-MM-DD), "" when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return value.isoformat() if isinstance(value, date) else str(value).strip()


def _source_hashes(data: YearData) -> dict[str, str] | None:
    """The `files:` hashes of SOURCE.yaml, when the raw-data folder records them."""
    path = data.data_dir / SOURCE_FILE
    if not path.is_file():
        return None
    record = read_yaml(path, f"{data.params.data_dir}/{SOURCE_FILE}") or {}
    files = record.get("files") if isinstance(record, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else None


def forms_of(data: YearData) -> FormSet:
    """The FormSet the year was read with (loaded from its workspace if it carries none)."""
    return data.forms or load_formset(data.root)


def rules_for(forms: FormSet, ctx: Context) -> list[Rule]:
    """The form's rule catalogue for the tables a context holds (parsed once per FormSet)."""
    return catalogue(forms, {name: tuple(frame.columns) for name, frame in ctx.tables.items()})


def check_all(
    data: YearData, stats: pd.DataFrame, items: pd.DataFrame, previous_year: str | None
) -> pd.DataFrame:
    """Every check of the catalogue, failed errors first (the engine with N = 1)."""
    ctx = context(data, stats, items, previous_year)
    return check_many([ctx], rules_for(forms_of(data), ctx), CODE_CHECKS, "all")[0]
