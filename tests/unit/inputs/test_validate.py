"""Checking a text table against its schema and typing it (validate.py).

Row numbers are spreadsheet rows: the header is line 1, the first data row is line 2.
"""

from datetime import date
from pathlib import Path

import pytest

from disclosure.inputs.forms import load_table_defs
from disclosure.inputs.read import TextTable, read_text_table
from disclosure.inputs.validate import validate

REPO = Path(__file__).resolve().parents[3]

DEFS = load_table_defs(REPO)
START, END = date(2023, 9, 1), date(2024, 8, 31)


def write(folder, name, data):
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def check(folder, table, text, name=None):
    """Read and validate `text` as table `table`; return (frame, problems, notes)."""
    path = write(folder, name or f"{table}.csv", text)
    loaded = read_text_table(path, path.name)
    frame, problems = validate(loaded, DEFS[table], path.name, START, END)
    return frame, problems, loaded.notes


def only(problems):
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- numbers ----------------------------------------------------------------------------------


def test_full_width_digits_and_thousands_separators_are_normalised_with_a_note(tmp_path):
    text = 'channel,count\n门户网站,"1,234"\n信息公开平台,１７４\n办公内网,198\n'
    frame, problems, notes = check(tmp_path, "publications", text)
    assert problems == []
    assert frame["count"].tolist() == [1234, 174, 198]
    assert "全角数字或千位分隔符已规范 2 处" in notes


@pytest.mark.parametrize(
    "value, expected",
    [
        ("abc", "应为非负整数,实际为文本“abc”"),
        ("-3", "应为非负整数,实际为负数 -3"),
        ("2.5", "应为非负整数,实际为小数“2.5”"),
        ("1,23", "应为非负整数,实际为文本“1,23”"),
    ],
)
def test_bad_count_names_row_and_column(tmp_path, value, expected):
    text = f'channel,count\n门户网站,3\n信息公开平台,"{value}"\n'
    _, problems, _ = check(tmp_path, "publications", text)
    problem = only(problems)
    assert problem.message == expected
    assert problem.row == 3
    assert problem.column == "count"
    assert str(problem) == f"publications.csv 第 3 行 列“count”:{expected}"


def test_whole_float_count_is_accepted(tmp_path):
    frame, problems, _ = check(tmp_path, "publications", "channel,count\n门户网站,3.0\n")
    assert problems == []
    assert frame["count"].tolist() == [3]


def test_count_outside_min_max(tmp_path):
    _, problems, _ = check(tmp_path, "checklist", "category,item,count\n1,1,3\n1,51,2\n")
    problem = only(problems)
    assert (problem.row, problem.column) == (3, "item")
    assert "应在 1 到 50 之间,实际为 51" in problem.message


# --- ceilings: every count has a declared range (forms/tables.yaml `max:`) ----------------------


def test_every_int_column_of_every_table_has_a_ceiling():
    unbounded = [
        f"{table.name}.{col.name}"
        for table in DEFS.values()
        for col in table.columns
        if col.type == "int" and not isinstance(col.max, int)
    ]
    assert unbounded == []


def test_every_int_field_of_the_profile_has_a_ceiling():
    from disclosure.inputs.dataset import profile_ceilings
    from disclosure.inputs.forms import load_profile_schema

    ints = [name for name, field in load_profile_schema(REPO).items() if field.type == "int"]
    ceilings = profile_ceilings(REPO)
    assert ints and sorted(ceilings) == sorted(ints)


@pytest.mark.parametrize(
    "table, text, line, column",
    [
        ("publications", "channel,count\n门户网站,10000001\n", 2, "count"),
        (
            "applications",
            "id,received,channel,applicant,topic,concluded,count\n"
            "a,2023-10-09,当面,公民,财务,否,1000001\n",
            2,
            "count",
        ),
        (
            "applications",
            "id,received,channel,applicant,topic,concluded,fee\n"
            "a,2023-10-09,当面,公民,财务,否,10000001\n",
            2,
            "fee",
        ),
        ("checklist", "category,item,count\n1,1,3\n1,2,10000001\n", 3, "count"),
        ("checklist", "category,item,count\n11,1,3\n", 2, "category"),
    ],
)
def test_a_count_above_its_ceiling_names_the_cell_and_the_ceiling(
    tmp_path, table, text, line, column
):
    _, problems, _ = check(tmp_path, table, text)
    problem = only(problems)
    ceiling = DEFS[table].column(column).max
    assert (problem.row, problem.column) == (line, column)
    assert problem.message.startswith(f"应为不超过 {ceiling} 的非负整数,实际为 {ceiling + 1}")
    assert "forms/tables.yaml" in problem.message and "上限" in problem.message


def test_a_count_at_its_ceiling_is_accepted(tmp_path):
    frame, problems, _ = check(tmp_path, "publications", "channel,count\n门户网站,10000000\n")
    assert problems == []
    assert frame["count"].tolist() == [10_000_000]


@pytest.mark.parametrize("digits", [str(10**20), str(2**62), str(2**64), "9" * 400])
def test_a_huge_count_is_refused_with_its_exact_digits_never_a_crash(tmp_path, digits):
    _, problems, _ = check(tmp_path, "internal", f"item,count\n党委文件,{digits}\n")
    problem = only(problems)
    assert (problem.row, problem.column) == (2, "count")
    assert f"实际为 {digits}(" in problem.message


def test_full_width_huge_count_is_refused_like_a_half_width_one(tmp_path):
    full_width = "１" + "０" * 20
    _, problems, _ = check(tmp_path, "internal", f"item,count\n党委文件,{full_width}\n")
    assert f"实际为 {10**20}(" in only(problems).message


def test_a_negative_count_is_reported_once_as_negative(tmp_path):
    _, problems, _ = check(tmp_path, "internal", "item,count\n党委文件,-5\n")
    assert only(problems).message == "应为非负整数,实际为负数 -5"


def test_blank_cell_takes_the_default(tmp_path):
    frame, problems, _ = check(tmp_path, "publications", "channel,count\n门户网站,\n")
    assert problems == []
    assert frame["count"].tolist() == [1]  # count defaults to 1: one row per event


# --- choices ----------------------------------------------------------------------------------


def test_unknown_choice_value(tmp_path):
    _, problems, _ = check(tmp_path, "publications", "channel,count\n门户网站,3\n网站,4\n")
    problem = only(problems)
    assert (problem.row, problem.column) == (3, "channel")
    assert "“网站”不是允许的值" in problem.message
    assert "门户网站、信息公开平台" in problem.message


def test_synonym_is_rewritten_with_a_note(tmp_path):
    frame, problems, notes = check(tmp_path, "mailbox", "received,handled\n2023-10-01,有\n")
    assert problems == []
    assert frame["handled"].tolist() == ["是"]
    assert "“有”按表单改写为“是” 1 处" in notes


def test_required_cell_empty(tmp_path):
    _, problems, _ = check(tmp_path, "withheld", "description,reason\n,涉密\n")
    problem = only(problems)
    assert (problem.row, problem.column, problem.message) == (2, "description", "不能为空")


def test_surrounding_spaces_are_trimmed_with_a_note(tmp_path):
    frame, problems, notes = check(tmp_path, "publications", "channel,count\n 门户网站 ,3\n")
    assert problems == []
    assert frame["channel"].tolist() == ["门户网站"]
    assert "去除首尾空格 1 处" in notes


# --- header -----------------------------------------------------------------------------------


def test_missing_required_column(tmp_path):
    _, problems, _ = check(tmp_path, "publications", "count,unit\n3,条\n")
    problem = only(problems)
    assert problem.row == 1
    assert problem.message == "缺少必需的列:channel"


def test_unknown_extra_column(tmp_path):
    _, problems, _ = check(tmp_path, "publications", "channel,count,colour\n门户网站,3,red\n")
    problem = only(problems)
    assert problem.row == 1
    assert "未知列“colour”" in problem.message
    assert "channel、count、unit、note" in problem.message


def test_repeated_column(tmp_path):
    _, problems, _ = check(tmp_path, "publications", "channel,count,count\n门户网站,3,4\n")
    assert "列“count”重复出现" in only(problems).message


def test_header_problems_are_all_reported(tmp_path):
    _, problems, _ = check(tmp_path, "publications", "count,colour,shape\n3,red,round\n")
    found = [p.message for p in problems]
    assert len(found) == 3
    assert any("未知列“colour”" in m for m in found)
    assert any("未知列“shape”" in m for m in found)
    assert "缺少必需的列:channel" in found


def test_header_only_where_rows_are_required(tmp_path):
    _, problems, _ = check(tmp_path, "publications", "channel,count\n")
    assert "只有表头没有数据行" in only(problems).message


def test_header_only_where_rows_are_optional(tmp_path):
    frame, problems, _ = check(tmp_path, "withheld", "description,reason,count\n")
    assert problems == []
    assert frame.empty


def test_more_cells_than_header(tmp_path):
    _, problems, _ = check(
        tmp_path, "publications", "channel,count\n门户网站,3\n信息公开平台,4,extra\n"
    )
    problem = only(problems)
    assert problem.row == 3
    assert "多于表头的 2 列" in problem.message


# --- keys and dates ---------------------------------------------------------------------------


def test_duplicate_key(tmp_path):
    text = "channel,count\n门户网站,3\n信息公开平台,4\n门户网站,5\n"
    _, problems, _ = check(tmp_path, "publications", text)
    problem = only(problems)
    assert problem.row == 4  # the second occurrence
    assert "channel“门户网站”重复出现(第 2、4 行)" in problem.message


APPLICATION = "id,received,channel,applicant,topic,concluded\n"


@pytest.mark.parametrize("day", ["2023-08-31", "2024-09-01"])
def test_date_outside_the_academic_year(tmp_path, day):
    text = APPLICATION + f"A1,2023-10-01,当面,公民,财务,是\nA2,{day},当面,公民,财务,是\n"
    _, problems, _ = check(tmp_path, "applications", text)
    problem = only(problems)
    assert (problem.row, problem.column) == (3, "received")
    assert problem.message == f"日期 {day} 不在本学年(2023-09-01 至 2024-08-31)内"


@pytest.mark.parametrize("day", ["2023-09-01", "2024-08-31", "2023/10/01"])
def test_dates_on_the_boundaries_and_with_slashes_are_accepted(tmp_path, day):
    frame, problems, _ = check(
        tmp_path, "applications", APPLICATION + f"A1,{day},当面,公民,财务,是\n"
    )
    assert problems == []
    assert frame["received"].tolist() == [day.replace("/", "-")]


def test_unreadable_date(tmp_path):
    _, problems, _ = check(
        tmp_path, "applications", APPLICATION + "A1,2023-13-01,当面,公民,财务,是\n"
    )
    problem = only(problems)
    assert (problem.row, problem.column) == (2, "received")
    assert "无法识别,应为 YYYY-MM-DD" in problem.message


def test_every_problem_in_a_table_is_collected(tmp_path):
    rows = [
        "A1,2024-09-01,当面,公民,财务,是",
        "A2,2023-10-01,飞鸽,公民,财务,是",
        "A1,2023-10-02,当面,外星人,财务,是",
    ]
    _, problems, _ = check(tmp_path, "applications", APPLICATION + "\n".join(rows) + "\n")
    where = [(p.row, p.column) for p in problems]
    assert where == [(2, "received"), (3, "channel"), (4, "applicant"), (4, None)]


def test_a_bom_left_on_the_first_header_cell_is_ignored():
    # read.py removes a file's BOM; validate also strips one left in a header cell (e.g. from .xlsx)
    table = TextTable(
        Path("p.xlsx"), ["\ufeffchannel", " count "], [["门户网站", "3"]], [2], "xlsx"
    )
    frame, problems = validate(table, DEFS["publications"], "p.xlsx", START, END)
    assert problems == []
    assert frame["channel"].tolist() == ["门户网站"]
    assert frame["count"].tolist() == [3]


# --- counts are written with the digits 0-9 only --------------------------------------------------


@pytest.mark.parametrize("text", ["٣٣٥", "३३५", "1_98", "+174", "३", "𝟑"])
def test_counts_in_other_digits_or_with_underscore_or_plus_are_refused(text):
    from disclosure.inputs.forms import ColumnDef
    from disclosure.inputs.validate import typed

    problems: list = []
    col = ColumnDef("count", "int", required=True)
    assert typed(text, col, "p.csv", date(2023, 9, 1), date(2024, 8, 31), problems) is None
    (problem,) = problems
    assert "应为只用数字 0-9 写的非负整数" in problem.message or "应为非负整数" in problem.message


@pytest.mark.parametrize("text, value", [("335", 335), ("３３５", 335), ("1,980", 1980), ("0", 0)])
def test_counts_in_ascii_or_full_width_digits_are_read(text, value):
    from disclosure.inputs.forms import ColumnDef
    from disclosure.inputs.validate import typed

    problems: list = []
    col = ColumnDef("count", "int", required=True)
    assert typed(text, col, "p.csv", date(2023, 9, 1), date(2024, 8, 31), problems) == value
    assert problems == []


def test_a_date_in_other_digits_is_refused():
    from disclosure.inputs.forms import ColumnDef
    from disclosure.inputs.validate import typed

    problems: list = []
    col = ColumnDef("received", "date", required=True)
    typed("٢٠٢٣-١٠-٠٩", col, "p.csv", date(2023, 9, 1), date(2024, 8, 31), problems)
    assert "无法识别" in problems[0].message


# --- invisible characters, Excel day numbers, date-formatted counts (issue 26) ----------------


def typed_problem(text: str, col) -> str:  # noqa: ANN001
    from disclosure.inputs.validate import typed

    problems: list = []
    typed(text, col, "p.csv", START, END, problems)
    (problem,) = problems
    return problem.message


def test_an_invisible_character_in_a_choice_is_named_with_where_it_sits():
    from disclosure.inputs.forms import ColumnDef

    col = ColumnDef("channel", "choice", allowed=("门户网站", "办公内网"))
    message = typed_problem("门户\u2060网站", col)
    assert message == (
        "“门户<U+2060>网站”不是允许的值:“门户”之后有看不见的字符 U+2060(零宽不换行),"
        "多半是从网页或聊天软件复制时带入的;删去后即为允许的值“门户网站”"
    )


def test_an_invisible_character_at_the_start_and_a_value_still_not_allowed():
    from disclosure.inputs.forms import ColumnDef

    col = ColumnDef("channel", "choice", allowed=("门户网站", "办公内网"))
    message = typed_problem("\u200e微博", col)  # U+200E: a format character without a name here
    assert "“<U+200E>微博”不是允许的值:开头有看不见的字符 U+200E(格式控制字符)" in message
    assert message.endswith("删去后为“微博”(允许:门户网站、办公内网)")


def test_a_value_without_invisible_characters_keeps_its_message():
    from disclosure.inputs.forms import ColumnDef

    col = ColumnDef("channel", "choice", allowed=("门户网站",))
    assert typed_problem("门户 网站", col) == "“门户 网站”不是允许的值;允许:门户网站"


@pytest.mark.parametrize(
    "text, shown, char",
    [
        ("1\u00a0234", "1<U+00A0>234", "U+00A0(不换行空格)"),
        ("33\u3000", None, None),  # trailing full-width space: trimmed like any space, accepted
        ("3\u00ad3", "3<U+00AD>3", "U+00AD(软连字符)"),
    ],
)
def test_invisible_characters_in_a_count(text, shown, char):
    from disclosure.inputs.forms import ColumnDef
    from disclosure.inputs.validate import typed

    col = ColumnDef("count", "int", required=True)
    problems: list = []
    value = typed(text, col, "p.csv", START, END, problems)
    if shown is None:
        assert (value, problems) == (33, [])
        return
    (problem,) = problems
    assert problem.message.startswith(f"应为非负整数,实际为文本“{shown}”:")
    assert char in problem.message


def test_an_invisible_character_in_a_date():
    from disclosure.inputs.forms import ColumnDef

    col = ColumnDef("received", "date", required=True)
    message = typed_problem("2023-10-09\ufeff", col)
    assert message.startswith("日期“2023-10-09<U+FEFF>”无法识别:“2023-10-09”之后")
    assert "U+FEFF(零宽不换行空格/BOM)" in message and message.endswith("删去后为“2023-10-09”")


@pytest.mark.parametrize(
    "text, hint",
    [
        ("19999", None),
        ("20000", "即 1954-10-03"),
        ("45208", "即 2023-10-09"),
        ("80000", "即 2119-01-11"),
        ("80001", None),
    ],
)
def test_an_excel_day_number_in_a_date_cell_is_named(text, hint):
    from disclosure.inputs.forms import ColumnDef

    message = typed_problem(text, ColumnDef("received", "date", required=True))
    assert message.startswith(f"日期“{text}”无法识别,应为 YYYY-MM-DD")
    if hint:
        assert f"像是 Excel 的日期序号,{hint}" in message
    else:
        assert "Excel" not in message


def dated_table(cells: list[str], dated: dict) -> TextTable:  # noqa: ANN001
    header = ["id", "received", "channel", "applicant", "topic", "concluded", "count", "note"]
    return TextTable(Path("a.xlsx"), header, [cells], [2], "xlsx", dated=dated)


def test_only_cells_formatted_as_dates_outside_date_columns_are_renamed():
    # count (G) and channel (C) hold date-formatted numbers; received (B) is a date column
    cells = ["1", "2023-10-09", "1900-01-05", "公民", "招生", "是", "1900-11-30", "1900-01-01"]
    dated = {(2, 1): "45208", (2, 2): "5", (2, 6): "335", (2, 7): "1"}
    frame, problems = validate(dated_table(cells, dated), DEFS["applications"], "a", START, END)
    assert [(p.column, p.message) for p in problems] == [
        (
            "channel",
            "单元格在 Excel 中设成了日期或时间格式,显示为“1900-01-05”,实际存的数是 5;"
            "请把该列单元格格式改为“常规”或“数值”后再保存",
        ),
        (
            "count",
            "单元格在 Excel 中设成了日期或时间格式,显示为“1900-11-30”,实际存的数是 335;"
            "请把该列单元格格式改为“常规”或“数值”后再保存",
        ),
    ]  # received is a date, as wanted; note is text (a date-formatted note is not refused)
    assert frame["received"].tolist() == ["2023-10-09"]


def test_a_problem_of_a_cell_not_formatted_as_a_date_keeps_its_message():
    cells = ["1", "2023-10-09", "微信", "公民", "招生", "是", "三", ""]
    frame, problems = validate(
        dated_table(cells, {(2, 1): "45208"}), DEFS["applications"], "a", START, END
    )
    assert [p.message for p in problems] == [
        "“微信”不是允许的值;允许:当面、传真、电子邮件、信函或其他",
        "应为非负整数,实际为文本“三”",
    ]


def test_an_invisible_character_in_a_column_name(tmp_path):
    _, problems, _ = check(tmp_path, "internal", "item,count\u200b\n党委文件,3\n")
    assert problems[0].message == (
        "列名“count<U+200B>”不是该表的列:“count”之后有看不见的字符 U+200B(零宽空格),"
        "多半是从网页或聊天软件复制时带入的;删去后即为允许的值“count”"
    )


@pytest.mark.parametrize("text", ["#N/A", "#DIV/0!", "#ref!", "#NAME?"])
def test_an_excel_error_value_is_named_in_counts_and_choices(text):
    from disclosure.inputs.forms import ColumnDef

    for col in (
        ColumnDef("count", "int"),
        ColumnDef("on_platform", "choice", allowed=("是", "否")),
    ):
        assert typed_problem(text, col).startswith(f"单元格是 Excel 的错误值“{text}”")


def test_a_text_like_an_error_value_is_not_one():
    from disclosure.inputs.forms import ColumnDef

    assert typed_problem("#N/A?", ColumnDef("count", "int")) == "应为非负整数,实际为文本“#N/A?”"


# --- Chinese headers --------------------------------------------------------------------------


def test_chinese_headers_read_as_the_keys(tmp_path):
    text = "渠道,数量,备注\n门户网站,335,\n信息公开平台,174,\n"
    frame, problems, _ = check(tmp_path, "publications", text)
    assert problems == []
    assert frame["channel"].tolist() == ["门户网站", "信息公开平台"]
    assert frame["count"].tolist() == [335, 174]


def test_a_header_mixing_chinese_titles_and_keys_is_refused(tmp_path):
    text = "渠道,count\n门户网站,335\n"
    _, problems, _ = check(tmp_path, "publications", text)
    problem = only(problems)
    assert (problem.file, problem.row) == ("publications.csv", 1)
    assert problem.message == (
        "表头混用了中文列名(渠道)和英文列名(count);请整行统一用中文列名或英文列名"
    )


def test_an_unknown_chinese_header_is_still_named(tmp_path):
    _, problems, _ = check(tmp_path, "publications", "渠道,件数\n门户网站,335\n")
    assert any("未知列“件数”" in p.message for p in problems)
