"""HTML fragments of the publication report (displayed by report-tagged notebook cells).

Every string from the data is escaped; a link becomes a link only when it is an http(s) URL.
"""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

from disclosure.compute.checklist import URL, split_links
from disclosure.compute.narrative import fill

NUMERALS = "一二三四五六七八九十"


def _e(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else escape(str(value))


def link(token: str) -> str:
    if URL.match(token):
        return f'<a href="{escape(token, quote=True)}">{escape(token)}</a>'
    return f'<span class="not-link" title="不是 http(s) 网址,按文字显示">{escape(token)}</span>'


def banner(summary: dict[str, int]) -> str:
    if summary["errors"] == 0:
        return ""
    return (
        f'<div class="banner failed"><strong>未通过校验</strong>:{summary["errors"]} 项错误级校验未通过、'
        f"{summary['warnings']} 项提示,详见附件“校验结果”。本报告中的数字如实取自原始数据,矛盾之处未作修饰。</div>"
    )


def header(profile: dict[str, Any], title: str) -> str:
    return (
        f'<div class="doc-head"><div class="issuer">{_e(profile.get("institution"))}</div>'
        f'<div class="docno">{_e(profile.get("document_number"))}</div>'
        f'<div class="signer">签发人:{_e(profile.get("signer"))}</div></div>'
        f'<h1 class="doc-title">{_e(profile.get("institution"))}<br>{_e(title)}</h1>'
        f'<p class="addressee">{_e(profile.get("addressee"))}:</p>'
    )


def body(narrative: dict[str, Any], ctx: dict[str, Any]) -> str:
    parts = [f"<p>{_e(fill(p['template'], ctx))}</p>" for p in narrative.get("opening") or []]
    for section in narrative.get("sections") or []:
        parts.append(f"<h2>{_e(section.get('part'))}、{_e(section.get('heading'))}</h2>")
        for para in section.get("paragraphs") or []:
            if "subheading" in para:
                parts.append(f"<h3>{_e(para['subheading'])}</h3>")
            else:
                parts.append(f"<p>{_e(fill(para['template'], ctx))}</p>")
    attachments = [fill(a, ctx) for a in narrative.get("attachments") or []]
    if attachments:
        items = "".join(f"<li>{_e(a)}</li>" for a in attachments)
        parts.append(f'<div class="attachments">附件:<ol>{items}</ol></div>')
    return '<div class="doc-body">' + "".join(parts) + "</div>"


def signature(profile: dict[str, Any], date_text: str) -> str:
    return f'<div class="signature"><div>{_e(profile.get("institution"))}</div><div>{_e(date_text)}</div></div>'


def statistics_table(stats: pd.DataFrame, institution: str, year: str) -> str:
    rows = "".join(
        f'<tr><td class="no">{r.row}</td><td>{_e(r.label)}</td><td class="val">{_e(r.value)}</td><td class="unit">{_e(r.unit)}</td></tr>'
        for r in stats.itertuples()
    )
    return (
        f'<section class="annex"><div class="annex-no">附件 1</div><h2 class="annex-title">{_e(year)} 学年度信息公开工作统计表</h2>'
        f'<p class="annex-meta">学校名称:{_e(institution)}</p>'
        f'<table class="stat"><colgroup><col style="width:7%"><col style="width:73%"><col style="width:11%"><col style="width:9%"></colgroup><thead><tr><th>序号</th><th>内容</th><th>数量</th><th>单位</th></tr></thead><tbody>{rows}</tbody></table></section>'
    )


def checklist_table(items: pd.DataFrame, institution: str) -> str:
    body_rows = []
    for (no, name), group in items.groupby(["ref_category", "category_name"], sort=True):
        body_rows.append(f'<tr class="cat"><td colspan="6">第 {no} 大类 {_e(name)}</td></tr>')
        for r in group.itertuples():
            links = " ".join(link(t) for t in split_links(r.links))
            count = r.count if r.count > 0 else ""
            body_rows.append(
                f'<tr><td class="no">{r.item}</td><td>{_e(r.item_text)}</td><td class="val">{count}</td>'
                f'<td class="links">{links}</td><td class="flag">{_e(r.on_platform)}</td><td>{_e(r.remark)}</td></tr>'
            )
    return (
        f'<section class="annex"><div class="annex-no">附件 2</div><h2 class="annex-title">高等学校信息公开事项清单(50 条)对照检查表</h2>'
        f'<p class="annex-meta">学校名称:{_e(institution)}</p><table class="checklist">'
        f'<colgroup><col style="width:6%"><col style="width:30%"><col style="width:8%"><col style="width:32%"><col style="width:10%"><col style="width:14%"></colgroup>'
        f"<thead><tr><th>序号</th><th>事项</th><th>公开数量(条)</th><th>链接</th><th>是否在门户网站信息公开平台公布</th><th>其他需说明事项</th></tr></thead>"
        f"<tbody>{''.join(body_rows)}</tbody></table></section>"
    )


def findings_table(findings: pd.DataFrame, corrections: pd.DataFrame) -> str:
    failed = findings[findings["passed"] == False]  # noqa: E712
    rows = "".join(
        f'<tr class="{r.severity}"><td>{_e(r.id)}</td><td>{"错误" if r.severity == "error" else "提示"}</td>'
        f'<td>{_e(r.title)}</td><td class="filled">{_e(r.filled)}</td></tr>'
        for r in failed.itertuples()
    )
    table = (
        (
            f'<table class="findings"><colgroup><col style="width:8%"><col style="width:8%"><col style="width:30%"><col style="width:54%"></colgroup><thead><tr><th>编号</th><th>级别</th><th>校验项</th><th>代入数值 / 问题</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
        if rows
        else "<p>全部校验通过。</p>"
    )
    fixes = ""
    if not corrections.empty:
        fix_rows = "".join(
            "<tr>" + "".join(f"<td>{_e(v)}</td>" for v in r) + "</tr>" for r in corrections.itertuples(index=False)
        )
        heads = "".join(f"<th>{_e(c)}</th>" for c in corrections.columns)
        fixes = f'<h3>对原始数据的更正</h3><table class="corrections"><thead><tr>{heads}</tr></thead><tbody>{fix_rows}</tbody></table>'
    return (
        f'<section class="annex"><div class="annex-no">附件 3</div><h2 class="annex-title">校验结果(未通过的校验项)</h2>'
        f'<p class="annex-meta">共 {len(findings)} 项校验,未通过 {len(failed)} 项。编号可在计算底稿(audit.html)中查到每项的算式与数据来源。</p>'
        f"{table}{fixes}</section>"
    )


def figure_block(png_b64: str, caption: str) -> str:
    return f'<figure class="chart"><img alt="{escape(caption, quote=True)}" src="data:image/png;base64,{png_b64}"><figcaption>{escape(caption)}</figcaption></figure>'


def fill_title(narrative: dict[str, Any] | None, ctx: dict[str, Any]) -> str:
    return fill((narrative or {}).get("title", "关于报送{year}学年度信息公开工作的报告"), ctx)


def date_text(profile: dict[str, Any]) -> str:
    from datetime import date

    from disclosure.compute.narrative import cn_date

    value = profile.get("report_date")
    return cn_date(date.fromisoformat(str(value))) if value else ""


def figures_section(year: str, figures: list[tuple[bytes | None, str]]) -> str:
    import base64

    figures = [(png, caption) for png, caption in figures if png]  # figures a year does not have are skipped
    blocks = "".join(
        figure_block(base64.b64encode(png).decode("ascii"), f"图 {i}:{year} 学年{caption}")
        for i, (png, caption) in enumerate(figures, 1)
    )
    return f'<section class="annex figures"><div class="annex-no">附图</div><h2 class="annex-title">图表</h2>{blocks}</section>'
