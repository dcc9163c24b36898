"""Safe YAML reading with errors that name the file and line, and bounded work: a size limit,
no anchors or aliases (an alias bomb expands a few hundred bytes into gigabytes), a nesting limit
and no duplicate keys (the last one would silently win)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from disclosure.errors import InputError, Problem

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_YAML_BYTES = 1024 * 1024  # forms and a year's files are tens of kilobytes
MAX_YAML_DEPTH = 32  # the deepest file (forms/statistics.yaml) nests 6 levels
SHOWN = 20  # characters of a value quoted in a message


def short(value: object, limit: int = SHOWN) -> str:
    """A value as quoted in a message: at most `limit` characters, then an ellipsis."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def read_yaml(path: Path, shown: str | None = None) -> Any:
    shown = shown or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_YAML_BYTES:
            raise InputError.one(
                shown,
                f"YAML 文件过大({size / 1048576:.1f} MB),超过 {MAX_YAML_BYTES // 1048576} MB 上限;"
                "请确认选对了文件",
            )
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([_not_utf8(path.read_bytes(), shown, exc)]) from None
    except OSError as exc:
        raise InputError.one(shown, f"无法读取:{exc.strerror}") from None
    try:
        _scan(text, shown)
        # A safe loader: a data file must never construct Python objects. libyaml's is ~10x faster.
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        hint = ";YAML 不允许用 Tab 缩进,请改用空格" if "\t" in text else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError.one(shown, f"YAML 格式错误({short(problem, 80)}){hint}", row=row) from None


def _not_utf8(data: bytes, shown: str, exc: UnicodeDecodeError) -> Problem:
    """What a YAML file that is not UTF-8 is instead: UTF-16, GBK, or UTF-8 with a stray byte
    (its line)."""
    from disclosure.inputs.read import _reads_as_chinese

    save = "请用文本编辑器(如记事本“另存为”时选编码 UTF-8)另存为 UTF-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Problem(shown, f"不是 UTF-8 编码的 YAML 文件,而是 UTF-16 编码;{save}")
    try:
        chinese = _reads_as_chinese(data.decode("gb18030"))
    except UnicodeDecodeError:
        chinese = False
    if chinese:
        return Problem(shown, f"不是 UTF-8 编码的 YAML 文件,看起来是 GBK(GB18030)编码;{save}")
    line = data[: exc.start].count(b"\n") + 1
    return Problem(
        shown,
        f"不是 UTF-8 编码的 YAML 文件:本行有不是 UTF-8 的字节(0x{data[exc.start]:02X});"
        f"请改正该行的文字,{save}",
        row=line,
    )


class _Node:
    __slots__ = ("mapping", "children", "keys")

    def __init__(self, mapping: bool) -> None:
        self.mapping, self.children, self.keys = mapping, 0, set()


def _scan(text: str, shown: str) -> None:
    """Walk the parser's events once (nothing is constructed) and refuse anchors, aliases, nesting
    deeper than MAX_YAML_DEPTH and a key repeated in one mapping."""
    stack: list[_Node] = []
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        row = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise InputError.one(
                shown,
                "不允许使用 YAML 锚点(&)和别名(*);请把内容直接写出"
                "(别名可把几百字节展开成几 GB,耗尽内存)",
                row=row,
            )
        if isinstance(event, yaml.ScalarEvent):
            if not event.style and _odd_integer(event.value):  # plain: None or "" (libyaml)
                raise InputError.one(
                    shown,
                    f"数字“{short(event.value)}”的写法会被 YAML 读成另一个数"
                    "(下划线、正号、前导 0 的八进制、0x、冒号的六十进制);请只用 0-9 写十进制整数",
                    row=row,
                )
            parent = stack[-1] if stack else None
            if parent is not None and parent.mapping and parent.children % 2 == 0:
                if event.value in parent.keys:
                    raise InputError.one(
                        shown,
                        f"键“{short(event.value)}”在同一层重复出现;"
                        "YAML 会只保留最后一个,请删去多余的",
                        row=row,
                    )
                parent.keys.add(event.value)
            if parent is not None:
                parent.children += 1
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append(_Node(isinstance(event, yaml.MappingStartEvent)))
            if len(stack) > MAX_YAML_DEPTH:
                raise InputError.one(
                    shown, f"嵌套超过 {MAX_YAML_DEPTH} 层上限;数据文件不需要这么深的结构", row=row
                )
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            stack.pop()
            if stack:
                stack[-1].children += 1


_RESOLVER = yaml.resolver.Resolver()
_PLAIN_INT = re.compile(r"-?(0|[1-9][0-9]*)")


def _odd_integer(value: str) -> bool:
    """A plain scalar YAML 1.1 reads as an integer although it is not written as one in decimal:
    1_98 -> 198, +174 -> 174, 017 -> 15, 0x1F -> 31, 1:30 -> 90."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
    return tag == "tag:yaml.org,2002:int" and not _PLAIN_INT.fullmatch(value)
