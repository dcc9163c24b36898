"""The checklist (disclosure.compute.checklist): the 50 reference items beside the school's entry,
on the real 2023-2024 year and on hand-made tables, and the summary by category."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from disclosure.compute.checklist import checklist_categories, checklist_items, split_links
from disclosure.compute.statistics import statistics
from disclosure.inputs.dataset import load_year

ROOT = Path(__file__).resolve().parents[3]
YEAR = "2023-2024"
ID34 = "https://www.cqvtu.edu.cn/index.php?c=category&id=34"


@pytest.fixture(scope="module")
def data():
    return load_year(ROOT, YEAR)


@pytest.fixture(scope="module")
def items(data):
    return checklist_items(data)


def hand_made(entries: list[dict], statuses: list[str] | None = None) -> pd.DataFrame:
    """checklist_items on a 3-item reference and the given entries (item, count, links each)."""
    statuses = statuses or ["verified", "verified", "verified"]
    reference = pd.DataFrame(
        {
            "item": [1, 2, 3],
            "category_no": [1, 1, 2],
            "category_name": ["基本信息", "基本信息", "招生考试信息"],
            "item_text": ["甲", "乙", "丙"],
            "mandatory": ["是", "否", "是"],
            "status": statuses,
        }
    )
    raw = pd.DataFrame(entries, dtype=object)
    raw["_line"] = range(2, 2 + len(raw))
    return checklist_items(SimpleNamespace(reference=reference, tables={"checklist": raw}))


# --- the real year ---------------------------------------------------------------------------


def test_checklist_items_has_50_rows(items):
    assert len(items) == 50
    assert items["item"].tolist() == list(range(1, 51))
    assert items["line"].tolist() == list(range(2, 52))


def test_checklist_counts_sum_to_row_11(items, data):
    stats = statistics(data)
    assert items["count"].sum() == 178 == stats.loc[stats["row"] == 11, "value"].item()


def test_checklist_item_7_has_the_other_reading(items):
    item7 = items.set_index("item").loc[7]
    assert item7["count"] == 7
    assert int(item7["count_alt"]) == 3
    assert item7["count_printed"] == "3 / 4"
    assert items["count"].sum() - 7 + 3 == 174


def test_checklist_link_counts(items):
    by_item = items.set_index("item")
    assert by_item.loc[1, ["n_links", "n_distinct_links", "n_web_links"]].tolist() == [10, 9, 10]
    assert by_item.loc[10, "links_list"] == ["QQ：2852377027"]
    assert by_item.loc[10, ["n_links", "n_web_links"]].tolist() == [1, 0]
    assert by_item.loc[3, "links_list"] == []


def test_checklist_published_means_count_above_zero(items):
    assert (items["published"] == (items["count"] > 0)).all()
    assert items.set_index("item").loc[3, "published"] == False  # noqa: E712
    assert items["published"].sum() == 25


def test_checklist_reference_columns_are_merged(items):
    merged = {"ref_category", "category_name", "item_text", "mandatory", "category"}
    assert merged <= set(items.columns)
    assert items.set_index("item").loc[1, "category_name"] == "基本信息"


def test_checklist_verified_is_true_only_for_items_whose_reference_status_starts_verified(items):
    verified = items.set_index("item")["verified"]
    assert verified.loc[1:17].all()
    assert not verified.loc[18:].any()  # "text verified, number inferred ..." is not verified
    assert items.set_index("item").loc[18, "status"].startswith("text verified")


def test_checklist_duplicate_links_name_the_repeated_link_once(items):
    duplicates = items.set_index("item")["duplicate_links"]
    assert duplicates.loc[1] == ID34  # printed twice among item 1's ten links
    assert (duplicates.drop(index=1) == "").all()


def test_checklist_non_web_links_name_the_tokens_that_are_not_http(items):
    non_web = items.set_index("item")["non_web_links"]
    assert non_web.loc[10] == "QQ：2852377027"
    assert (non_web.drop(index=10) == "").all()


def test_checklist_line_is_a_python_int(items):
    assert all(type(line) is int for line in items["line"])


# --- hand-made tables ------------------------------------------------------------------------


def test_an_item_missing_from_the_school_table_has_no_line_and_count_0():
    items = hand_made([{"item": 1, "count": 2, "links": "https://a.cn/1 https://a.cn/2"}])
    by_item = items.set_index("item")
    assert by_item.loc[1, "line"] == 2 and type(by_item.loc[1, "line"]) is int
    assert by_item.loc[2, "line"] is None and by_item.loc[3, "line"] is None
    assert by_item["count"].tolist() == [2, 0, 0]
    assert by_item["published"].tolist() == [True, False, False]


def test_duplicate_links_are_listed_in_order_of_first_repetition():
    links = "https://b.cn https://a.cn https://a.cn https://b.cn https://a.cn https://c.cn"
    items = hand_made([{"item": 1, "count": 3, "links": links}])
    first = items.set_index("item").loc[1]
    assert first["duplicate_links"] == "https://a.cn、https://b.cn"
    assert (first["n_links"], first["n_distinct_links"]) == (6, 3)


def test_non_web_links_keep_every_token_that_is_not_an_http_url_in_order():
    links = "https://a.cn/x QQ:1 ftp://f.cn/y javascript:alert(1) HTTP://B.CN/z"
    items = hand_made([{"item": 1, "count": 1, "links": links}])
    first = items.set_index("item").loc[1]
    assert first["non_web_links"] == "QQ:1、ftp://f.cn/y、javascript:alert(1)"
    assert first["n_web_links"] == 2  # https and upper-case HTTP


def test_a_text_or_blank_count_is_read_as_0_and_not_published():
    blank = {"item": 1, "count": None, "links": None}
    items = hand_made([blank, {"item": 2, "count": "3", "links": ""}])
    by_item = items.set_index("item")
    assert by_item["count"].tolist() == [0, 3, 0]
    assert by_item["published"].tolist() == [False, True, False]
    assert by_item.loc[1, "links_list"] == [] and by_item.loc[1, "n_links"] == 0


def test_verified_reads_the_start_of_the_status():
    statuses = ["verified", "verified (second source)", "reconstructed, verified later"]
    items = hand_made([{"item": 1, "count": 1, "links": "https://a.cn"}], statuses)
    assert items["verified"].tolist() == [True, True, False]


# --- the summary by category -----------------------------------------------------------------


def test_checklist_categories_sums(items):
    categories = checklist_categories(items)
    assert categories["category_no"].tolist() == list(range(1, 11))
    assert categories["items"].sum() == 50
    assert categories["count"].sum() == 178
    assert categories["published"].sum() == items["published"].sum()
    first = categories.iloc[0]
    assert (first["category_name"], first["items"], first["published"], first["count"]) == (
        "基本信息",
        6,
        4,
        20,
    )
    assert first["coverage"] == round(4 / 6, 3)
    share = (categories["published"] / categories["items"]).round(3)
    assert (categories["coverage"] == share).all()


def test_checklist_categories_of_hand_made_items():
    first = {"item": 1, "count": 2, "links": "https://a.cn"}
    items = hand_made([first, {"item": 3, "count": 5, "links": ""}])
    categories = checklist_categories(items)
    assert categories.to_dict("records") == [
        {
            "category_no": 1,
            "category_name": "基本信息",
            "items": 2,
            "published": 1,
            "count": 2,
            "coverage": 0.5,
        },
        {
            "category_no": 2,
            "category_name": "招生考试信息",
            "items": 1,
            "published": 1,
            "count": 5,
            "coverage": 1.0,
        },
    ]


# --- helpers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, links",
    [
        ("https://a.cn/x  https://b.cn/y\nQQ：1", ["https://a.cn/x", "https://b.cn/y", "QQ：1"]),
        (None, []),
        (float("nan"), []),
        ("", []),
    ],
)
def test_split_links(value, links):
    assert split_links(value) == links


# --- exact counts: no 64-bit wraparound -----------------------------------------------------------


def test_checklist_counts_of_2_62_are_kept_and_summed_exactly():
    huge = [
        {"item": 1, "count": 2**62, "links": "https://a.cn"},
        {"item": 2, "count": 2**62, "links": "https://b.cn"},
        {"item": 3, "count": 10**20, "links": "https://c.cn"},
    ]
    items = hand_made(huge)
    assert items["count"].tolist() == [2**62, 2**62, 10**20]
    assert items["published"].tolist() == [True, True, True]
    categories = checklist_categories(items)
    assert categories["count"].tolist() == [2**63, 10**20]  # int64 would wrap to -2**63
    assert all(type(c) is int for c in categories["count"])


def test_checklist_counts_that_fit_stay_int64_as_before(items):
    assert items["count"].dtype == "int64"
    assert checklist_categories(items)["count"].dtype == "int64"
