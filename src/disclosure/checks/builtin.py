"""Checks that are not arithmetic: numbering, value kinds, checklist links, narrative numbers,
published vs rebuilt, year over year. Each reports into the findings table with its own id."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from disclosure.checks.rules import COLUMNS
from disclosure.compute.checklist import URL
from disclosure.compute.narrative import paragraphs, printed_values


def finding(
    id: str,
    severity: str,
    family: str,
    title: str,
    check: str,
    problems: list[str],
    sources: str,
    basis: str = "",
    passed_text: str = "无问题",
) -> dict[str, Any]:
    return {
        "id": id,
        "severity": severity,
        "family": family,
        "title": title,
        "check": check,
        "filled": "；".join(problems) if problems else passed_text,
        "passed": not problems,
        "sources": sources,
        "basis": basis,
    }


def form_checks(stats: pd.DataFrame, allowed: dict[int, tuple[str, ...]], reported_file: str | None) -> list[dict[str, Any]]:
    out = []
    if reported_file and stats["printed_no"].notna().any():
        bad = [f"第 {i} 行印为“{p}”" for i, p in zip(stats["row"], stats["printed_no"], strict=True) if str(p).strip() != str(i)]
        dupes = stats["printed_no"][stats["printed_no"].duplicated()].tolist()
        extra = [f"序号“{d}”重复" for d in dupes]
        out.append(
            finding(
                "S01",
                "error",
                "form",
                "已公布统计表的序号唯一且按 1 至 55 排列",
                "printed_no == 1..55",
                bad + extra,
                reported_file,
                "统计表模板的行号",
            )
        )
    for name, column, where in (("S02", "value", "重算值"), ("S03", "reported", "公布值")):
        if column == "reported" and not reported_file:
            continue
        problems = []
        for row, kind, value in zip(stats["row"], stats["kind"], stats[column], strict=True):
            problems += _kind_problem(row, kind, value, allowed.get(row, ()))
        out.append(
            finding(
                name,
                "error",
                "form",
                f"各行{where}符合该行类型(有/无、收费/不收费、非负整数、文字)",
                "kind(rN) 合规",
                problems,
                reported_file if column == "reported" else "各行来源见统计表",
                "统计表各行“注”所要求的填写方式",
            )
        )
    return out


def _kind_problem(row: int, kind: str, value: Any, allowed: tuple[str, ...]) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return [f"第 {row} 行为空"]
    text = str(value).strip()
    if kind == "flag" and text not in allowed:
        return [f"第 {row} 行应填 {'或'.join(allowed)},实际为“{text}”"]
    if kind in ("count", "amount") and not re.fullmatch(r"\d+", text):
        return [f"第 {row} 行应为非负整数,实际为“{text}”"]
    if kind == "text" and (not text or re.fullmatch(r"[\d.]+", text)):
        return [f"第 {row} 行应填文字,实际为“{text}”"]
    return []


def published_checks(stats: pd.DataFrame, reported_file: str | None) -> list[dict[str, Any]]:
    if not reported_file:
        return []
    rows = stats[stats["agrees"] == False]  # noqa: E712 (None means not published)
    problems = [f"第 {r.row} 行 重算 {r.value} ≠ 公布 {r.reported}" for r in rows.itertuples()]
    return [
        finding(
            "P01",
            "error",
            "published",
            "重算值与已公布的统计表一致",
            "rN == pN(每一行)",
            problems,
            f"{reported_file}；重算来源见统计表",
            "统计表应由原始数据得出",
        )
    ]


def checklist_checks(items: pd.DataFrame, p11: Any, checklist_file: str) -> list[dict[str, Any]]:
    out = []
    total = int(items["count"].sum())
    alt = items.dropna(subset=["count_alt"]) if "count_alt" in items else items.iloc[0:0]
    if p11 is not None and str(p11).strip().isdigit():
        problems = []
        if total != int(p11):
            problems.append(f"清单各事项数量合计 {total} ≠ 第 11 行公布值 {p11}")
            for r in alt.itertuples():
                other = total - int(r.count) + int(r.count_alt)
                verdict = "一致" if other == int(p11) else "仍不一致"
                problems.append(
                    f"若第 {r.item} 项按另一读法 {int(r.count_alt)}(印为“{r.count_printed}”)计,合计 {other},与第 11 行{verdict}"
                )
        out.append(
            finding(
                "K01",
                "error",
                "checklist",
                "清单各事项公开数量之和等于统计表第 11 行",
                "Σ count == p11",
                problems,
                f"{checklist_file}；已公布统计表第 11 行",
                "统计表第 11 行即清单事项公开信息数",
            )
        )
    present = items.dropna(subset=["line"])
    missing = items.loc[items["line"].isna(), "item"].tolist()
    out.append(
        finding(
            "K02",
            "error",
            "checklist",
            "清单第 1 至 50 项各出现一次",
            "item ∈ 1..50",
            [f"缺少第 {', '.join(map(str, missing))} 项"] if missing else [],
            checklist_file,
        )
    )
    wrong = present[present["category"].astype("Int64") != present["ref_category"]]
    verified = wrong["status"].astype(str).str.startswith("verified")
    for severity, part in (("error", wrong[verified]), ("warning", wrong[~verified])):
        problems = [
            f"第 {r.item} 项列在第 {int(r.category)} 大类(第 {_line(r)} 行),清单规定为第 {r.ref_category} 大类"
            for r in part.itertuples()
        ]
        out.append(
            finding(
                "K03" if severity == "error" else "K03w",
                severity,
                "checklist",
                "清单事项列在其所属类别下" + ("" if severity == "error" else "(参考编号未经原文核实)"),
                "category == 清单类别",
                problems,
                checklist_file,
                "data/reference/checklist_items.csv",
            )
        )
    rows = list(present.itertuples())
    rules = [
        (
            "K04",
            "error",
            "公开数量大于零的事项至少有一个网址链接",
            lambda r: r.count > 0 and r.n_web_links == 0,
            lambda r: f"第 {r.item} 项数量 {r.count},无 http(s) 链接",
        ),
        (
            "K05",
            "warning",
            "不同链接数不少于公开数量",
            lambda r: 0 < r.n_distinct_links < r.count,
            lambda r: f"第 {r.item} 项数量 {r.count},不同链接 {r.n_distinct_links} 个",
        ),
        (
            "K06",
            "warning",
            "同一事项内链接不重复",
            lambda r: r.n_distinct_links < r.n_links,
            lambda r: f"第 {r.item} 项有重复链接:{'、'.join(_dupes(r.links_list))}",
        ),
        (
            "K07",
            "warning",
            "链接均为 http(s) 网址",
            lambda r: r.n_web_links < r.n_links,
            lambda r: f"第 {r.item} 项含非网址内容:{'、'.join(x for x in r.links_list if not URL.match(x))}",
        ),
        (
            "K08",
            "warning",
            "已公开事项注明是否在信息公开平台公布",
            lambda r: r.count > 0 and _blank(r.on_platform),
            lambda r: f"第 {r.item} 项未填“是否在门户网站信息公开平台公布”",
        ),
        (
            "K09",
            "warning",
            "必须公开的事项公开数量不为零",
            lambda r: r.mandatory == "是" and r.count == 0,
            lambda r: f"第 {r.item} 项({r.item_text[:18]}…)数量为 0",
        ),
    ]
    for rid, severity, title, broken, say in rules:
        problems = [f"{say(r)}(第 {_line(r)} 行)" for r in rows if broken(r)]
        out.append(finding(rid, severity, "checklist", title, title, problems, checklist_file, "高等学校信息公开事项清单"))
    return out


def narrative_checks(narrative: dict[str, Any] | None, ctx: dict[str, Any], narrative_file: str) -> list[dict[str, Any]]:
    if not narrative:
        return []
    wrong, unaligned = [], []
    for where, para in paragraphs(narrative):
        if not para.get("printed"):
            continue
        values = printed_values(para["template"], para["printed"])
        if values is None:
            unaligned.append(f"{where}印刷文字与模板不对应")
            continue
        for name, printed in values:
            if name in ctx and re.fullmatch(r"\d+", str(ctx[name])) and printed != str(ctx[name]):
                wrong.append(f"{where}印为“{printed}”,{name} 为 {ctx[name]}")
    return [
        finding(
            "N01",
            "error",
            "narrative",
            "叙述文字中的数字等于其数据来源",
            "printed == {placeholder}",
            wrong,
            narrative_file,
            "报告正文与统计表应一致",
        ),
        finding("N02", "warning", "narrative", "印刷的叙述文字与模板逐字对应", "printed ≈ template", unaligned, narrative_file),
    ]


def yoy_checks(
    stats: pd.DataFrame, previous: pd.DataFrame | None, threshold: float, previous_year: str | None
) -> list[dict[str, Any]]:
    if previous is None:
        return []
    before = dict(zip(previous["row"], previous["value"], strict=True))
    problems = []
    for row, kind, value in zip(stats["row"], stats["kind"], stats["value"], strict=True):
        old = before.get(row)
        if kind not in ("count", "amount") or not isinstance(value, int) or not isinstance(old, int):
            continue
        base = max(old, 1)
        if abs(value - old) / base > threshold and abs(value - old) >= 5:
            problems.append(f"第 {row} 行 {old} → {value}(变化 {(value - old) / base:+.0%})")
    return [
        finding(
            "Y01",
            "warning",
            "year_over_year",
            f"与上一学年相比变化不超过 {threshold:.0%}",
            f"|rN - 上年rN| / 上年rN <= {threshold}",
            problems,
            f"{previous_year} 学年重算统计表",
            "参数 yoy_threshold",
        )
    ]


def _line(r: Any) -> int:
    return int(r.line)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == ""


def _dupes(links: list[str]) -> list[str]:
    seen, out = set(), []
    for x in links:
        if x in seen and x not in out:
            out.append(x)
        seen.add(x)
    return out


def as_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(records, columns=COLUMNS)
