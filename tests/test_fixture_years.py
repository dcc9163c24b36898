"""The fixture years of tests/fixtures/, checked against values derived here, independently of the engine.

`derive_statistics` reads a year's raw CSV files with the csv module and computes each of the 55 rows
with its own explicit per-row logic (it does not import disclosure.tables or read forms/statistics.yaml).
The engine's rebuilt table must equal it, row for row.
"""

from __future__ import annotations

import csv
import importlib.util
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SYNTHETIC = FIXTURES / "synthetic_2030-2031"
BROKEN = FIXTURES / "broken_2031-2032"

CHANNELS = ("当面", "传真", "电子邮件", "信函或其他")
APPLICANTS = ("公民", "法人", "其他组织")
TOPICS = ("本校领导", "人事招聘", "教职工晋职晋级", "招标投标", "财务", "招生", "学生管理", "教职工申诉",
          "学生申诉", "教育对外交流", "教育救助与资助", "突发事件", "其他")
OUTCOMES = ("同意公开", "不同意公开", "信息不存在", "申请人主动放弃")


# --------------------------------------------------------------------------------------------------
# The independent derivation
# --------------------------------------------------------------------------------------------------

def read_csv(raw_dir: Path, name: str) -> list[dict[str, str]]:
    """Rows of <name>.csv as dicts of stripped text (a UTF-8 BOM is allowed)."""
    with (raw_dir / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def whole(cell: str, default: int) -> int:
    """An integer cell; a blank cell takes the column's default (count 1, checklist count 0, fee 0)."""
    return default if cell == "" else int(cell)


def derive_statistics(raw_dir: Path) -> dict[int, object]:
    """The 55 values of the statistics table, computed from the raw files of one year folder."""
    profile = yaml.safe_load((raw_dir / "profile.yaml").read_text(encoding="utf-8"))
    publications = read_csv(raw_dir, "publications")
    media = read_csv(raw_dir, "media_reports")
    applications = read_csv(raw_dir, "applications")
    appeals = read_csv(raw_dir, "appeals")
    mailbox = read_csv(raw_dir, "mailbox")
    withheld = read_csv(raw_dir, "withheld")
    checklist = read_csv(raw_dir, "checklist")

    def published_on(channel: str) -> int:
        total = 0
        for row in publications:
            if row["channel"] == channel:
                total += whole(row["count"], 1)
        return total

    def applications_where(test) -> int:  # type: ignore[no-untyped-def]
        total = 0
        for row in applications:
            if test(row):
                total += whole(row["count"], 1)
        return total

    def appeals_where(kind: str, result: str | None = None) -> int:
        total = 0
        for row in appeals:
            if row["kind"] == kind and (result is None or row["result"] == result):
                total += whole(row["count"], 1)
        return total

    v: dict[int, object] = {}
    # 1-9: facts of the year from profile.yaml (text as written; amounts and head-counts as integers)
    v[1] = str(profile["portal"])
    v[2] = str(profile["disclosure_platform"])
    v[3] = str(profile["leader"])
    v[4] = str(profile["office"])
    v[5] = str(profile["reception"])
    v[6] = str(profile["special_funding_project"])
    v[7] = int(profile["special_funding_amount"])
    v[8] = int(profile["staff_full_time"])
    v[9] = int(profile["staff_part_time"])
    # 10-15: proactive disclosure by channel; 11 is the checklist total (blank checklist count = 0)
    v[10] = published_on("门户网站")
    v[11] = sum(whole(row["count"], 0) for row in checklist)
    v[12] = published_on("信息公开平台")
    v[13] = published_on("办公内网")
    v[14] = published_on("新闻发布会")
    v[15] = published_on("官方微博微信")
    # 16-18: media reports, front page, front-page headline (a headline on an inner page is not row 18)
    v[16] = sum(whole(row["count"], 1) for row in media)
    v[17] = sum(whole(row["count"], 1) for row in media if row["front_page"] == "是")
    v[18] = sum(whole(row["count"], 1) for row in media if row["front_page"] == "是" and row["headline"] == "是")
    # 19-20: applications received / concluded
    v[19] = applications_where(lambda r: True)
    v[20] = applications_where(lambda r: r["concluded"] == "是")
    # 21-26: administrative reconsideration and litigation; 未决 counts in the total only
    v[21] = appeals_where("行政复议")
    v[22] = appeals_where("行政复议", "赢")
    v[23] = appeals_where("行政复议", "输")
    v[24] = appeals_where("行政诉讼")
    v[25] = appeals_where("行政诉讼", "赢")
    v[26] = appeals_where("行政诉讼", "输")
    # 27-30 by channel, 31-33 by applicant, 34-46 by topic (in the printed order of the form)
    for number, channel in zip(range(27, 31), CHANNELS, strict=True):
        v[number] = applications_where(lambda r, c=channel: r["channel"] == c)
    for number, applicant in zip(range(31, 34), APPLICANTS, strict=True):
        v[number] = applications_where(lambda r, a=applicant: r["applicant"] == a)
    for number, topic in zip(range(34, 47), TOPICS, strict=True):
        v[number] = applications_where(lambda r, t=topic: r["topic"] == t)
    # 47-50: outcomes of concluded applications only
    for number, outcome in zip(range(47, 51), OUTCOMES, strict=True):
        v[number] = applications_where(lambda r, o=outcome: r["concluded"] == "是" and r["outcome"] == o)
    # 51 withheld, 52-53 mailbox letters received / handled
    v[51] = sum(whole(row["count"], 1) for row in withheld)
    v[52] = sum(whole(row["count"], 1) for row in mailbox)
    v[53] = sum(whole(row["count"], 1) for row in mailbox if row["handled"] == "是")
    # 54 fee policy as written, 55 the fees charged (blank fee = 0)
    v[54] = str(profile["fee_policy"])
    v[55] = sum(whole(row["fee"], 0) for row in applications)
    assert sorted(v) == list(range(1, 56))
    return v
