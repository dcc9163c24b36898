"""Safe YAML reading with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from disclosure.errors import InputError

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, shown: str | None = None) -> Any:
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError.one(shown, "不是 UTF-8 编码的 YAML 文件;请另存为 UTF-8") from None
    except OSError as exc:
        raise InputError.one(shown, f"无法读取:{exc.strerror}") from None
    try:
        # A safe loader: a data file must never construct Python objects. libyaml's is ~10x faster.
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        hint = ";YAML 不允许用 Tab 缩进,请改用空格" if "\t" in text else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError.one(shown, f"YAML 格式错误({problem}){hint}", row=row) from None
