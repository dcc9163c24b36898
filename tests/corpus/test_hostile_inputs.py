"""Hostile-input corpus: inputs built to escape the workspace, exhaust the machine or slip a wrong
number through, each on a fresh copy of the real 2023-2024 workspace.

Every case asserts its exit code, the Chinese message of the limit or rule meant for it (a
distinctive substring, so a case refused by another limit fails), and that nothing outside
outputs/<year> changed: the whole workspace tree (file bytes and link targets) is hashed before and
after. `disclosure check` (no kernel) proves the point wherever it can; the cases under `run` show
that `run` refuses the same input before any kernel starts and leaves earlier outputs as they were.
The bombs are refused by their limits, not timed: a case that reached the expensive work would
exhaust memory or time out instead of printing the expected message.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from disclosure.cli import main
from disclosure.inputs.read import MAX_ROWS, MAX_XLSX_UNPACKED
from disclosure.inputs.yamlio import MAX_YAML_BYTES, MAX_YAML_DEPTH

REPO = Path(__file__).resolve().parents[2]
YEAR = "2023-2024"
RAW = f"data/raw/{YEAR}"
PARAMS = f"params/{YEAR}.yaml"
PROFILE = f"{RAW}/profile.yaml"
NARRATIVE = f"{RAW}/narrative.yaml"
COPIED = ("forms", "notebooks", "params", "data")

Op = Callable[[Path], None]

# --- building blocks ------------------------------------------------------------------------------


def edit(file: str, old: str, new: str) -> Op:
    def apply(root: Path) -> None:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"corpus out of date: {old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8", newline="")

    return apply


def append(file: str, text: str) -> Op:
    def apply(root: Path) -> None:
        path = root / file
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8", newline="")

    return apply


def write(file: str, data: bytes | str) -> Op:
    def apply(root: Path) -> None:
        (root / file).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    return apply


def link_outside(file: str, content: bytes = b"secret: outside\n") -> Op:
    """Replace `file` by a symbolic link to a file outside the workspace."""

    def apply(root: Path) -> None:
        target = root.parent / f"outside-{Path(file).name}"
        target.write_bytes(content)
        (root / file).unlink(missing_ok=True)
        (root / file).symlink_to(target)

    return apply


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": each level nine aliases of the previous one, ~800 bytes in all."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        lines.append(f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def xlsx_bytes(
    rows: list[list[object]], title: str = "publications", hidden: bool = False
) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if hidden:
        visible = book.create_sheet("说明")
        visible.append(["见另一工作表"])
        sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def publications_rows(root: Path) -> list[list[object]]:
    frame = pd.read_csv(root / RAW / "publications.csv", dtype=str, keep_default_na=False)
    return [list(frame.columns)] + [
        [int(v) if v.isdigit() else v for v in r] for r in frame.itertuples(index=False)
    ]


def to_xlsx(change: Callable[[list[list[object]]], None] | None = None, **kw: object) -> Op:
    """publications.csv replaced by publications.xlsx, its rows changed by `change`."""

    def apply(root: Path) -> None:
        rows = publications_rows(root)
        if change:
            change(rows)
        (root / RAW / "publications.xlsx").write_bytes(xlsx_bytes(rows, **kw))
        (root / RAW / "publications.csv").unlink()

    return apply


def rezip(extra: dict[str, bytes] = {}, replace: dict[str, Callable[[bytes], bytes]] = {}) -> Op:  # noqa: B006
    """Rewrite publications.xlsx as a zip: parts replaced by `replace`, parts added from `extra`."""

    def apply(root: Path) -> None:
        path = root / RAW / "publications.xlsx"
        with zipfile.ZipFile(path) as zf:
            parts = {i.filename: zf.read(i) for i in zf.infolist()}
        for name, change in replace.items():
            parts[name] = change(parts[name])
        parts.update(extra)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
        path.write_bytes(buffer.getvalue())

    return apply


def blank_in_header(rows: list[list[object]]) -> None:
    """A column D with no header (note moves to E) and one value under it."""
    for n, row in enumerate(rows):
        row.insert(3, "多出的一列" if n == 1 else None)


def merged_header(root: Path) -> None:
    """publications.xlsx whose header merges C1:D1 ("unit" spans two columns), data under D."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "publications"
    rows = publications_rows(root)
    blank_in_header(rows)
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("C1:D1")
    book.save(root / RAW / "publications.xlsx")
    (root / RAW / "publications.csv").unlink()


def cell(file: str, old_row: str, new_row: str) -> Op:
    return edit(f"{RAW}/{file}", old_row, new_row)


def many_rows(root: Path) -> None:
    lines = ["received,handled,count,note"] + ["2023-10-09,是,1,"] * (MAX_ROWS + 1)
    (root / RAW / "mailbox.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def big_narrative(root: Path) -> None:
    path = root / NARRATIVE
    filler = "# " + "填充" * 200 + "\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(filler * (MAX_YAML_BYTES // len(filler.encode("utf-8")) + 1))


ADJACENT = "{r10}{r12}{r13}{r14}{r15}{r16}"


def adjacent_paragraph(printed_length: int) -> Op:
    """A paragraph of six adjacent placeholders (the input that made the printed-value regex
    backtrack for 44 s), with printed text of the given length that does not follow it."""
    printed = "1" * printed_length + "条"
    para = f'  - template: "共{ADJACENT}件"\n    printed: "共{printed}"\n'
    return edit(NARRATIVE, "opening:\n", "opening:\n" + para)


# --- the corpus -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    ops: tuple[Op, ...]
    expect: tuple[str, ...]
    code: int = 2
    args: tuple[str, ...] = ("check", YEAR)


def C(id: str, *ops: Op, expect: str | tuple[str, ...], **kw) -> Case:  # noqa: A002, N802
    return Case(id, ops, (expect,) if isinstance(expect, str) else expect, **kw)


ALIAS = "不允许使用 YAML 锚点(&)和别名(*)"
DUPLICATE = "在同一层重复出现"
ODD_INT = "的写法会被 YAML 读成另一个数"
OUTSIDE = "的符号链接,拒绝读取"
CONTROL = "含控制字符"
DIGITS = "应为只用数字 0-9 写的非负整数"
ENCODING = "无法识别文件编码"
BLANK_HEADER = "列为空(或是合并单元格的一部分)"

CASES: list[Case] = [
    # --- YAML: bombs, limits and silent rewrites ---
    C("yaml_alias_bomb_params", append(PARAMS, alias_bomb()), expect=(PARAMS, ALIAS)),
    C("yaml_alias_bomb_profile", append(PROFILE, alias_bomb()), expect=(PROFILE, ALIAS)),
    C("yaml_alias_bomb_narrative", append(NARRATIVE, alias_bomb()), expect=(NARRATIVE, ALIAS)),
    C(
        "yaml_merge_key_profile",
        append(PROFILE, "base: &base {x: 1}\nmore:\n  <<: *base\n"),
        expect=(PROFILE, ALIAS),
    ),
    C("yaml_anchor_without_alias", edit(PROFILE, "signer: ", "signer: &s "), expect=ALIAS),
    C(
        "yaml_alias_in_corrections",
        edit(
            PARAMS,
            "corrections: []",
            "corrections:\n  - &c {table: profile, match: {}, field: signer, value: 张三, "
            "reason: 笔误, by: 李四, on: 2024-11-20}\n  - *c",
        ),
        expect=(PARAMS, ALIAS),
    ),
    C("yaml_narrative_over_size_limit", big_narrative, expect=(NARRATIVE, "YAML 文件过大")),
    C(
        "yaml_nesting_beyond_depth_limit",
        append(
            NARRATIVE, "deep: " + "[" * (MAX_YAML_DEPTH + 5) + "]" * (MAX_YAML_DEPTH + 5) + "\n"
        ),
        expect=(NARRATIVE, f"嵌套超过 {MAX_YAML_DEPTH} 层上限"),
    ),
    C("yaml_duplicate_key_profile", append(PROFILE, "signer: 张三\n"), expect=(PROFILE, DUPLICATE)),
    C(
        "yaml_duplicate_key_params",
        append(PARAMS, "data_dir: data/raw/2022-2023\n"),
        expect=(PARAMS, "键“data_dir”" + DUPLICATE),
    ),
    C(
        "yaml_duplicate_key_in_a_correction",
        edit(
            PARAMS,
            "corrections: []",
            "corrections:\n  - {table: profile, match: {}, field: signer, value: 张三, "
            "value: 王五, reason: 笔误, by: 李四, on: 2024-11-20}",
        ),
        expect=(PARAMS, "键“value”" + DUPLICATE),
    ),
    C(
        "yaml_duplicate_key_narrative",
        append(NARRATIVE, 'title: "另一个标题"\n'),
        expect=(NARRATIVE, "键“title”" + DUPLICATE),
    ),
    C(
        "yaml_underscore_integer",
        edit(PROFILE, "staff_part_time: 10", "staff_part_time: 1_0"),
        expect=(PROFILE, "数字“1_0”" + ODD_INT),
    ),
    C(
        "yaml_plus_integer",
        edit(PROFILE, "staff_part_time: 10", "staff_part_time: +10"),
        expect=(PROFILE, ODD_INT),
    ),
    C(
        "yaml_octal_integer",
        edit(PROFILE, "staff_part_time: 10", "staff_part_time: 012"),
        expect=(PROFILE, ODD_INT),
    ),
    C(
        "yaml_sexagesimal_integer",
        edit(PROFILE, "staff_part_time: 10", "staff_part_time: 1:30"),
        expect=(PROFILE, ODD_INT),
    ),
    C(
        "yaml_nul_character",
        append(PROFILE, 'extra: "a\x00b"\n'),
        expect=(PROFILE, "YAML 格式错误"),
    ),
    # --- xlsx: the zip bomb, limits before parsing, hidden and merged ---
    C(
        "xlsx_zip_bomb",
        to_xlsx(),
        rezip(extra={"xl/media/padding.bin": bytes(MAX_XLSX_UNPACKED + 1)}),
        expect=(f"{RAW}/publications.xlsx", "超过 20 MB 上限(可能是“压缩炸弹”)"),
    ),
    C(
        "xlsx_dimension_beyond_row_limit",
        to_xlsx(),
        rezip(
            replace={
                "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                    b'<dimension ref="A1:D6"/>', f'<dimension ref="A1:D{MAX_ROWS + 2}"/>'.encode()
                )
            }
        ),
        expect=(f"{RAW}/publications.xlsx", f"数据行超过 {MAX_ROWS} 行上限"),
    ),
    C(
        "xlsx_named_sheet_hidden",
        to_xlsx(hidden=True),
        expect=(f"{RAW}/publications.xlsx", "工作表“publications”是隐藏的"),
    ),
    C(
        "xlsx_blank_header_cell_with_data",
        to_xlsx(blank_in_header),
        expect=(f"{RAW}/publications.xlsx 第 1 行", "表头第 D " + BLANK_HEADER),
    ),
    C("xlsx_merged_header_cell", merged_header, expect=("表头第 D " + BLANK_HEADER,)),
    C(
        "xlsx_not_a_zip",
        write(f"{RAW}/publications.xlsx", b"PK\x03\x04 not really a zip"),
        lambda root: (root / RAW / "publications.csv").unlink(),
        expect=(f"{RAW}/publications.xlsx", "zip 格式但不完整或已损坏"),
    ),
    # --- CSV: control characters, digits, encodings, headers, rows ---
    C(
        "csv_nul_in_a_cell",
        cell("publications.csv", "办公内网,198", "办公\x00内网,198"),
        expect=(f"{RAW}/publications.csv 第 4 行", CONTROL, "U+0000"),
    ),
    C(
        "csv_bell_in_a_cell",
        cell("internal.csv", "党委文件,33", "党委文件\x07,33"),
        expect=(CONTROL, "U+0007"),
    ),
    C(
        "csv_escape_in_a_note",
        cell("publications.csv", "统计表第13行", "统计表\x1b[2J第13行"),
        expect=(CONTROL, "U+001B"),
    ),
    C(
        "csv_arabic_indic_digits",
        cell("publications.csv", "门户网站,335", "门户网站,٣٣٥"),
        expect=(f"{RAW}/publications.csv 第 2 行 列“count”", DIGITS),
    ),
    C(
        "csv_devanagari_digits",
        cell("publications.csv", "门户网站,335", "门户网站,३३५"),
        expect=DIGITS,
    ),
    C(
        "csv_underscore_in_count",
        cell("publications.csv", "办公内网,198", "办公内网,1_98"),
        expect=(f"{RAW}/publications.csv 第 4 行 列“count”", DIGITS, "“1_98”"),
    ),
    C(
        "csv_plus_sign_in_count",
        cell("publications.csv", "信息公开平台,174", "信息公开平台,+174"),
        expect=(f"{RAW}/publications.csv 第 3 行 列“count”", DIGITS),
    ),
    C(
        "csv_full_width_plus_in_count",
        cell("publications.csv", "信息公开平台,174", "信息公开平台,＋174"),
        expect=("应为非负整数,实际为文本“＋174”",),
    ),
    C(
        "csv_big5_short_text",
        write(
            f"{RAW}/mailbox.csv",
            "received,handled,count,note\n2023-10-09,是,1,學生\n".encode("big5"),
        ),
        expect=(f"{RAW}/mailbox.csv", ENCODING),
    ),
    C(
        "csv_big5_names",
        write(f"{RAW}/internal.csv", "item,count,unit,note\n黨委文件,33,份,學校\n".encode("big5")),
        expect=(f"{RAW}/internal.csv", ENCODING),
    ),
    C(
        "csv_shift_jis_kana",
        write(f"{RAW}/internal.csv", "item,count,unit,note\nテスト,33,部,\n".encode("shift_jis")),
        expect=(f"{RAW}/internal.csv", ENCODING),
    ),
    C(
        "csv_blank_header_cell_with_data",
        edit(
            f"{RAW}/internal.csv",
            "item,count,unit,note\n党委文件,33,份,",
            "item,count,unit,note,\n党委文件,33,份,x,多余",
        ),
        expect=(f"{RAW}/internal.csv 第 1 行", "表头第 E " + BLANK_HEADER),
    ),
    C(
        "csv_rows_beyond_limit",
        many_rows,
        expect=(f"{RAW}/mailbox.csv", f"数据行超过 {MAX_ROWS} 行上限"),
    ),
    C(
        "csv_long_value_quoted_short",
        cell("publications.csv", "门户网站,335", "长" * 5000 + ",335"),
        expect=("“长长长长长长长长长长长长长长长长长长长长…”不是允许的值",),
    ),
    # --- nothing outside the workspace ---
    C(
        "symlink_raw_table_outside",
        link_outside(f"{RAW}/publications.csv", b"channel,count\n"),
        expect=(f"{RAW}/publications.csv", OUTSIDE),
    ),
    C("symlink_profile_outside", link_outside(PROFILE), expect=(PROFILE, OUTSIDE)),
    C("symlink_narrative_outside", link_outside(NARRATIVE), expect=(NARRATIVE, OUTSIDE)),
    C("symlink_params_outside", link_outside(PARAMS), expect=(PARAMS, OUTSIDE)),
    C(
        "symlink_form_outside",
        link_outside("forms/tables.yaml"),
        expect=("forms/tables.yaml", OUTSIDE),
    ),
    C(
        "symlink_extra_file_outside",
        lambda root: (root / RAW / "notes.txt").symlink_to("/etc/hostname"),
        expect=(f"{RAW}/notes.txt", OUTSIDE),
    ),
    C(
        "symlink_dangling_outside",
        lambda root: (root / RAW / "gone.csv").symlink_to(root.parent / "no-such-file"),
        expect=(f"{RAW}/gone.csv", OUTSIDE),
    ),
    C(
        "params_data_dir_absolute",
        edit(PARAMS, "data_dir: data/raw/2023-2024", "data_dir: /etc"),
        expect=("指向工作区之外",),
    ),
    # --- narrative: bounded alignment ---
    C(
        "narrative_backtracking_paragraph",
        adjacent_paragraph(6000),
        expect=(NARRATIVE, "的 printed 有 6002 个字符,超过每段 5000 字符上限"),
    ),
    C(
        "narrative_adjacent_placeholders_align_in_linear_time",
        adjacent_paragraph(4000),
        code=1,
        expect=("N01",),
    ),
    # --- years are matched whole ---
    C("init_year_with_newline", args=("init", "2024-2025\n"), expect="不是有效学年"),
    C("init_year_arabic_indic", args=("init", "٢٠٢٤-٢٠٢٥"), expect="不是有效学年"),
    C("check_year_with_path", args=("check", "../2023-2024"), expect="不是有效学年"),
    C("archive_year_with_path", args=("archive", "../../etc"), expect="不是有效学年"),
    # --- run refuses the same inputs before a kernel starts ---
    C("run_alias_bomb_profile", append(PROFILE, alias_bomb()), args=("run", YEAR), expect=ALIAS),
    C(
        "run_zip_bomb",
        to_xlsx(),
        rezip(extra={"xl/pad.bin": bytes(MAX_XLSX_UNPACKED + 1)}),
        args=("run", YEAR),
        expect="压缩炸弹",
    ),
    C("run_symlink_outside", link_outside(PROFILE), args=("run", YEAR), expect=OUTSIDE),
]
BY_ID = {c.id: c for c in CASES}


# --- machinery ------------------------------------------------------------------------------------


def copy_workspace(root: Path) -> Path:
    for part in COPIED:
        shutil.copytree(
            REPO / part,
            root / part,
            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"),
        )
    return root


def tree(root: Path, skip: str) -> dict[str, str]:
    """rel path -> sha256 of the bytes (or `link:<target>`), for everything under root except the
    folder `skip` (outputs/<year>)."""
    out: dict[str, str] = {}
    for top, dirs, files in os.walk(root):
        here = Path(top)
        rel_top = here.relative_to(root).as_posix()
        if rel_top == skip or rel_top.startswith(skip + "/"):
            dirs[:] = []
            continue
        for name in dirs + files:
            path = here / name
            rel = path.relative_to(root).as_posix()
            if rel == skip:
                continue
            if path.is_symlink():
                out[rel] = f"link:{os.readlink(path)}"
            elif path.is_file():
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                out[rel] = "dir"
    return out


def earlier_outputs(root: Path) -> None:
    """What a previous successful run left: it must survive a refused run byte for byte."""
    folder = root / "outputs" / YEAR
    folder.mkdir(parents=True)
    (folder / "report.html").write_text("<html>上一次的报告</html>", encoding="utf-8")
    (root / "outputs" / f"{YEAR}.sha256").write_text("0" * 64 + f"  {YEAR}/manifest.json\n")


# --- tests ----------------------------------------------------------------------------------------


def test_corpus_size_and_classes() -> None:
    assert len(CASES) >= 40
    prefixes = {c.id.split("_")[0] for c in CASES}
    assert {"yaml", "xlsx", "csv", "symlink", "narrative", "init", "run"} <= prefixes


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_workspace(tmp_path / "ws")
    for op in case.ops:
        op(root)
    if case.args[0] == "run":
        earlier_outputs(root)
    outside_before = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob("outside-*")
    }
    before = tree(root, f"outputs/{YEAR}")
    year_before = tree(root / "outputs" / YEAR, "\0") if (root / "outputs" / YEAR).exists() else {}
    capsys.readouterr()
    code = main(["--root", str(root), *case.args])
    out = capsys.readouterr().out
    assert code == case.code, out
    for text in case.expect:
        assert text in out, f"expected {text!r} in:\n{out}"
    assert "Traceback" not in out
    assert tree(root, f"outputs/{YEAR}") == before  # nothing outside outputs/<year> changed
    if case.code == 2:  # refused input: nothing written at all, earlier outputs untouched
        now = tree(root / "outputs" / YEAR, "\0") if (root / "outputs" / YEAR).exists() else {}
        assert now == year_before
        assert out.count("\n  - ") <= 3, out  # one problem for one hostile change (plus context)
    assert {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob("outside-*")
    } == outside_before


def test_a_hidden_first_sheet_is_ignored_with_a_note(tmp_path: Path) -> None:
    """The visible sheet is read, not a hidden one placed first; the note says which was ignored."""
    from disclosure.inputs.dataset import load_year

    root = copy_workspace(tmp_path / "ws")
    rows = publications_rows(root)
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "旧数据"
    hidden.append(rows[0])
    hidden.append(["门户网站", 999999, "条", "隐藏的旧数"])
    hidden.sheet_state = "hidden"
    visible = book.create_sheet("数据")
    for row in rows:
        visible.append(row)
    book.save(root / RAW / "publications.xlsx")
    (root / RAW / "publications.csv").unlink()
    data = load_year(root, YEAR)
    assert 999999 not in data.tables["publications"]["count"].tolist()
    assert data.tables["publications"]["count"].tolist()[0] == 335
    assert "忽略隐藏工作表:旧数据" in data.read_notes[f"{RAW}/publications.xlsx"]
