"""The checklist (清单对照检查表): each of the 50 items beside the school's entry, and a summary by category."""

from __future__ import annotations

import re

import pandas as pd

from disclosure.inputs.dataset import YearData
from disclosure.inputs.validate import LINE

URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)


def split_links(text: object) -> list[str]:
    return [] if text is None or pd.isna(text) else str(text).split()


def checklist_items(data: YearData) -> pd.DataFrame:
    """One row per checklist item (1-50): reference text and category beside the school's entry."""
    ref = data.reference.rename(columns={"category_no": "ref_category"})
    raw = data.tables["checklist"].rename(columns={LINE: "line"})
    raw["links_list"] = raw["links"].map(split_links)
    raw["n_links"] = raw["links_list"].map(len)
    raw["n_distinct_links"] = raw["links_list"].map(lambda xs: len(set(xs)))
    raw["n_web_links"] = raw["links_list"].map(lambda xs: sum(bool(URL.match(x)) for x in xs))
    merged = ref.merge(raw, on="item", how="left")
    merged["count"] = pd.to_numeric(merged["count"], errors="coerce").fillna(0).astype(int)
    merged["published"] = merged["count"] > 0
    return merged


def checklist_categories(items: pd.DataFrame) -> pd.DataFrame:
    """Per category: how many items, how many published (count > 0) and the total count."""
    grouped = items.groupby(["ref_category", "category_name"], sort=True)
    out = grouped.agg(items=("item", "size"), published=("published", "sum"), count=("count", "sum")).reset_index()
    out["coverage"] = (out["published"] / out["items"]).round(3)
    return out.rename(columns={"ref_category": "category_no"})
