"""The checklist (清单对照检查表): each of the form's items beside the school's entry, and a summary
by category."""

from __future__ import annotations

import re

import pandas as pd

from disclosure.compute.statistics import exact_sum, int_column
from disclosure.inputs.dataset import YearData
from disclosure.inputs.validate import LINE

URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def split_links(text: object) -> list[str]:
    return [] if text is None or pd.isna(text) else str(text).split()


def checklist_items(data: YearData) -> pd.DataFrame:
    """One row per checklist item (data/reference/checklist_items.csv): reference text and
    category beside the school's entry."""
    ref = data.reference.rename(columns={"category_no": "ref_category"})
    raw = data.tables["checklist"].rename(columns={LINE: "line"})
    raw["links_list"] = raw["links"].map(split_links)
    raw["n_links"] = raw["links_list"].map(len)
    raw["n_distinct_links"] = raw["links_list"].map(lambda xs: len(set(xs)))
    raw["n_web_links"] = raw["links_list"].map(lambda xs: sum(bool(URL.match(x)) for x in xs))
    raw["duplicate_links"] = raw["links_list"].map(lambda xs: "、".join(_repeated(xs)))
    raw["non_web_links"] = raw["links_list"].map(
        lambda xs: "、".join(x for x in xs if not URL.match(x))
    )
    merged = ref.merge(raw, on="item", how="left")
    merged["count"] = int_column(merged["count"], merged.index)  # exact, never wrapped at 2^63
    merged["published"] = merged["count"] > 0
    merged["line"] = (
        merged["line"].astype("Int64").astype(object).where(merged["line"].notna(), None)
    )
    merged["verified"] = merged["status"].astype(str).str.startswith("verified")
    return merged


def _repeated(links: list[str]) -> list[str]:
    """Links that occur more than once, each named once, in order of first repetition."""
    seen: set[str] = set()
    out: list[str] = []
    for link in links:
        if link in seen and link not in out:
            out.append(link)
        seen.add(link)
    return out


def checklist_categories(items: pd.DataFrame) -> pd.DataFrame:
    """Per category: how many items, how many published (count > 0) and the total count."""
    grouped = items.groupby(["ref_category", "category_name"], sort=True)
    out = grouped.agg(
        items=("item", "size"), published=("published", "sum"), count=("count", exact_sum)
    ).reset_index()
    out["count"] = int_column(out["count"], out.index)
    out["coverage"] = (out["published"] / out["items"]).round(3)
    return out.rename(columns={"ref_category": "category_no"})
