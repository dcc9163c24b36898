"""Fill the narrative's placeholders from data, and read the numbers out of the printed prose."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pandas as pd

from disclosure.expr import evaluate, parsed
from disclosure.inputs.dataset import YearData
from disclosure.inputs.narrative import all_paragraphs, choices, tokens

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


MISSING = "〔缺少数据:{name}〕"  # never printed for a year that passed `check` (see fill)


def fill(template: str, ctx: Mapping[str, Any]) -> str:
    """The template with every placeholder replaced by its value and {{ }} by a brace.

    `check` refuses a narrative whose placeholders name no data (inputs.narrative), so the marker
    for a missing value only shows when fill is called outside a run, and it is never a guess."""
    out = []
    for kind, value in tokens(template):
        if kind == "name":
            out.append(str(ctx[value]) if value in ctx else MISSING.format(name=value))
        else:
            out.append(value or "")
    return "".join(out)


def chosen(para: Mapping[str, Any], ctx: Mapping[str, Any]) -> Mapping[str, Any]:
    """The wording printed for a paragraph: itself, or the first of its `choose` list whose `when`
    holds for this year's data (the last wording, without `when`, otherwise)."""
    wordings = choices(para)
    if "choose" not in para:
        return para
    for wording in wordings[:-1]:  # a condition names only identifiers and `a.b`: ctx as it is
        if evaluate(parsed(str(wording["when"])), ctx):
            return wording
    return wordings[-1]


SENTENCE_END = re.compile(r"(?<=[。；！？])")


def printed_sentences(
    narrative: Mapping[str, Any] | None, ctx: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(where, sentence) for every sentence the report prints from the narrative: the title, each
    paragraph in its chosen wording with the data filled in, and the attachment list."""
    narrative = narrative or {}
    texts: list[tuple[str, str]] = []
    if isinstance(narrative.get("title"), str):
        texts.append(("标题", fill(narrative["title"], ctx)))
    texts += [(where, fill(str(p["template"]), ctx)) for where, p in paragraphs(narrative, ctx)]
    attachments = narrative.get("attachments") or []
    texts += [(f"第 {i} 个附件", fill(str(a), ctx)) for i, a in enumerate(attachments, 1)]
    return [
        (where, sentence.strip())
        for where, text in texts
        for sentence in SENTENCE_END.split(text)
        if sentence.strip()
    ]


def paragraphs(
    narrative: Mapping[str, Any], ctx: Mapping[str, Any] | None = None
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, paragraph) for every prose paragraph, in reading order; with the year's values,
    a choice of wordings gives the one printed."""
    for where, para in all_paragraphs(narrative):
        if ctx is not None:
            yield where, chosen(para, ctx)
        elif "template" in para:
            yield where, para


SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1024)
def _template_parts(template: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the placeholders of a template, the literal texts around them, spaces removed)."""
    names = tuple(PLACEHOLDER.findall(template))
    return names, tuple(SPACES.sub("", part) for part in PLACEHOLDER.split(template)[::2])


def printed_values(template: str, printed: str) -> list[tuple[str, str]] | None:
    """Align the printed text with the template; return (placeholder, printed text) at each
    placeholder.

    Whitespace is ignored on both sides (the PDF conversion adds and drops spaces). None means the
    printed text does not follow the template. Each placeholder takes the shortest text (at least
    one character) after which the template's next literal text follows, and the last literal ends
    the text: the answer a lazy regular expression `(.+?)` would give, found by one forward scan
    with str.find instead of backtracking (six adjacent placeholders made the regex run for 44 s).
    """
    text = SPACES.sub("", printed)
    names, literals = _template_parts(template)
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
