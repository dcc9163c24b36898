"""Fill the narrative's placeholders from data, and read the numbers out of the printed prose."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pandas as pd

from disclosure.inputs.dataset import YearData

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def cn_date(day: date) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def context(
    stats_values: Mapping[int, Any],
    profile: Mapping[str, Any],
    internal: Mapping[str, Any],
    year: str,
    start: date,
    end: date,
) -> dict[str, Any]:
    """Every name a placeholder may use, flattened: r10, profile.contact.phone,
    internal.党委文件 ..."""
    ctx: dict[str, Any] = {f"r{n}": v for n, v in stats_values.items()}
    for key, value in profile.items():
        if isinstance(value, dict):
            ctx.update({f"profile.{key}.{k}": v for k, v in value.items()})
        else:
            ctx[f"profile.{key}"] = value
    ctx.update({f"internal.{k}": v for k, v in internal.items()})
    ctx.update({"year": year, "period_start": cn_date(start), "period_end": cn_date(end)})
    return ctx


MISSING = "〔缺少数据:{name}〕"  # shown where a placeholder has no data; check N03 fails on it


def fill(template: str, ctx: Mapping[str, Any]) -> str:
    """The template with every placeholder replaced by its value. A placeholder with no data is
    printed as a visible marker, never guessed, and reported by check N03 (so a year that passes
    `check` renders, and a year with such a gap fails `check`)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(ctx[name]) if name in ctx else MISSING.format(name=name)

    return PLACEHOLDER.sub(one, template)


def missing_placeholders(narrative: Mapping[str, Any] | None, ctx: Mapping[str, Any]) -> list[str]:
    """A sentence for each placeholder of the title, prose and attachments that has no data."""
    narrative = narrative or {}
    texts = [("标题", narrative.get("title") or "")]
    texts += [(where, str(para.get("template", ""))) for where, para in paragraphs(narrative)]
    attachments = narrative.get("attachments") or []
    texts += [(f"第 {i} 个附件", str(a)) for i, a in enumerate(attachments, 1)]
    return [
        f"{where}的占位符“{{{name}}}”没有对应的数据"
        for where, text in texts
        for name in PLACEHOLDER.findall(text)
        if name not in ctx
    ]


def paragraphs(narrative: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, paragraph) for every prose paragraph, in reading order."""
    for i, para in enumerate(narrative.get("opening") or [], 1):
        yield f"开头第 {i} 段", para
    for section in narrative.get("sections") or []:
        for i, para in enumerate(section.get("paragraphs") or [], 1):
            if "template" in para:
                yield f"第{section.get('part', '?')}部分第 {i} 段", para


def printed_values(template: str, printed: str) -> list[tuple[str, str]] | None:
    """Align the printed text with the template; return (placeholder, printed text) at each
    placeholder.

    Whitespace is ignored on both sides (the PDF conversion adds and drops spaces). None means the
    printed text does not follow the template. Each placeholder takes the shortest text (at least
    one character) after which the template's next literal text follows, and the last literal ends
    the text: the answer a lazy regular expression `(.+?)` would give, found by one forward scan
    with str.find instead of backtracking (six adjacent placeholders made the regex run for 44 s).
    """
    squeeze = re.compile(r"\s+")
    text = squeeze.sub("", printed)
    names = PLACEHOLDER.findall(template)
    literals = [squeeze.sub("", part) for part in PLACEHOLDER.split(template)[::2]]
    if not text.startswith(literals[0]):
        return None
    if not names:
        return [] if text == literals[0] else None
    last = literals[-1]
    end = len(text) - len(last)  # where the last literal must start
    if end < 0 or not text.endswith(last):
        return None
    found: list[tuple[str, str]] = []
    at = len(literals[0])
    for name, after in zip(names[:-1], literals[1:-1], strict=True):
        # the value is at least one character; the next literal starts after it
        stop = text.find(after, at + 1, end) if after else at + 1
        if stop < 0 or stop + len(after) > end:
            return None
        found.append((name, text[at:stop]))
        at = stop + len(after)
    if at >= end:  # the last placeholder needs at least one character
        return None
    found.append((names[-1], text[at:end]))
    return found  # every occurrence, so a repeated placeholder is checked each time


def year_context(data: YearData, stats: pd.DataFrame) -> dict[str, Any]:
    """The placeholders of one year: the rebuilt rows, the profile, the internal counts, the
    period."""
    internal = data.tables.get("internal", pd.DataFrame(columns=["item", "count"]))
    return context(
        dict(zip(stats["row"], stats["value"], strict=True)),
        data.profile,
        dict(zip(internal["item"], internal["count"], strict=True)),
        data.year,
        data.params.start,
        data.params.end,
    )
