"""Reading the forms of a workspace (forms.py): raw-table schemas, the statistics table, its printed
blocks and figures, and the keys of profile.yaml."""

import pytest
import yaml
from workspaces import REPO_ROOT, build_workspace

from disclosure.errors import InputError, Problem
from disclosure.inputs.forms import (
    NOTICE_TO_FILL,
    Citation,
    ColumnDef,
    ProfileField,
    RowDef,
    Section,
    current_text,
    load_citations,
    load_layout,
    load_profile_schema,
    load_statistics_form,
    load_table_defs,
    superseded,
    without_last_years_notice,
)

FORM = "forms/statistics.yaml"
TABLE_NAMES = [
    "publications",
    "media_reports",
    "applications",
    "appeals",
    "mailbox",
    "withheld",
    "checklist",
    "internal",
    "reported_statistics",
]


@pytest.fixture
def ws(tmp_path):
    return build_workspace(tmp_path / "ws")


def edit(root, rel, change):
    """Load forms/<rel> as data, let `change` modify it, write it back."""
    path = root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def row_spec(data, number):
    return next(r for r in data["rows"] if r["row"] == number)


def set_row(number, **values):
    def change(data):
        row_spec(data, number).update(values)

    return change


def form_problems(root):
    with pytest.raises(InputError) as exc:
        load_statistics_form(root, load_table_defs(root))
    assert all(p.file == FORM for p in exc.value.problems)
    return [p.message for p in exc.value.problems]


def layout_problems(root):
    rows = load_statistics_form(root, load_table_defs(root))
    with pytest.raises(InputError) as exc:
        load_layout(root, rows)
    assert all(p.file == FORM for p in exc.value.problems)
    return [p.message for p in exc.value.problems]


def rows_of(root):
    return load_statistics_form(root, load_table_defs(root))


# --- load_table_defs ----------------------------------------------------------------------------


def test_table_defs_of_the_repository_in_file_order():
    assert list(load_table_defs(REPO_ROOT)) == TABLE_NAMES


def test_table_def_carries_title_key_and_row_requirement():
    publications = load_table_defs(REPO_ROOT)["publications"]
    assert publications.name == "publications"
    assert publications.title == "主动公开信息(按渠道)"
    assert publications.key == ("channel",)
    assert publications.required_rows is True
    assert publications.optional_file is False
    assert [c.name for c in publications.columns] == ["channel", "count", "unit", "note"]


def test_column_defs_carry_type_required_allowed_and_default():
    publications = load_table_defs(REPO_ROOT)["publications"]
    channel = publications.column("channel")
    assert channel == ColumnDef(
        name="channel",
        type="choice",
        required=True,
        allowed=("门户网站", "信息公开平台", "办公内网", "新闻发布会", "官方微博微信"),
    )
    assert publications.column("count") == ColumnDef(
        name="count", type="int", default=1, max=10_000_000
    )
    assert publications.column("note") == ColumnDef(name="note", type="str")


def test_column_min_and_max():
    item = load_table_defs(REPO_ROOT)["checklist"].column("item")
    assert (item.min, item.max, item.required) == (1, 50, True)
    count = load_table_defs(REPO_ROOT)["checklist"].column("count")
    assert (count.min, count.max, count.default) == (None, 10_000_000, 0)
    category = load_table_defs(REPO_ROOT)["checklist"].column("category")
    assert (category.min, category.max, category.required) == (None, 10, True)


def test_every_int_column_has_a_ceiling():
    defs = load_table_defs(REPO_ROOT)
    ceilings = {
        (table, column.name): column.max
        for table, spec in defs.items()
        for column in spec.columns
        if column.type == "int"
    }
    assert None not in ceilings.values(), [k for k, v in ceilings.items() if v is None]
    assert ceilings[("publications", "count")] == 10_000_000
    assert ceilings[("applications", "fee")] == 10_000_000
    assert ceilings[("applications", "count")] == 1_000_000


def test_optional_file_and_optional_rows():
    defs = load_table_defs(REPO_ROOT)
    assert defs["reported_statistics"].optional_file is True
    assert defs["reported_statistics"].required_rows is False
    assert defs["withheld"].key == ()


def test_table_def_defaults_when_the_form_says_little(ws):
    def change(data):
        data["tables"]["extra"] = {"columns": {"x": {"type": "str"}}}

    edit(ws, "forms/tables.yaml", change)
    extra = load_table_defs(ws)["extra"]
    assert extra.title == "extra"  # no title: the table's name
    assert (extra.key, extra.required_rows, extra.optional_file) == ((), False, False)
    assert extra.columns == (ColumnDef(name="x", type="str"),)


def test_column_lookup_of_an_unknown_column_fails():
    with pytest.raises(StopIteration):
        load_table_defs(REPO_ROOT)["publications"].column("colour")


# --- load_statistics_form: the repository's form ------------------------------------------------


def test_the_statistics_form_has_rows_1_to_55():
    rows = rows_of(REPO_ROOT)
    assert [r.row for r in rows] == list(range(1, 56))


def test_a_table_row_is_read_with_its_filter():
    row = rows_of(REPO_ROOT)[9]
    assert row == RowDef(
        row=10,
        label="本校本学年度在本校门户网站主动公开信息",
        unit="条",
        kind="count",
        source="publications",
        field=None,
        where="channel == '门户网站'",
        sum="count",
        allowed=(),
    )


def test_a_profile_row_is_read_with_its_field_and_default_flag_answers():
    row = rows_of(REPO_ROOT)[0]
    assert (row.source, row.field, row.kind, row.unit) == ("profile", "portal", "flag", "")
    assert row.allowed == ("有", "无")  # a flag without `allowed` is 有/无


def test_a_flag_row_with_its_own_answers_and_a_row_summing_another_column():
    rows = rows_of(REPO_ROOT)
    assert rows[53].allowed == ("收费", "不收费")
    assert (rows[54].source, rows[54].sum, rows[54].where) == ("applications", "fee", None)
    assert rows[2].allowed == ()  # a text row has no answers to choose from


# --- load_statistics_form: errors ---------------------------------------------------------------


def test_unknown_kind_is_refused(ws):
    edit(ws, FORM, set_row(10, kind="number"))
    assert form_problems(ws) == ["第 10 行的 kind“number”未知,应为 flag/text/count/amount"]


def test_unknown_from_table_is_refused(ws):
    edit(ws, FORM, set_row(10, **{"from": "publication"}))
    assert form_problems(ws) == ["第 10 行的 from“publication”不是已定义的原始表"]


def test_where_naming_an_unknown_column_is_refused(ws):
    edit(ws, FORM, set_row(18, where="front_page == '是' and colour == '红' and size == '大'"))
    assert form_problems(ws) == ["第 18 行的 where 用了 media_reports 没有的列:colour、size"]


def test_where_naming_a_column_of_another_table_is_refused(ws):
    edit(ws, FORM, set_row(10, where="topic == '财务'"))  # a column of applications
    assert form_problems(ws) == ["第 10 行的 where 用了 publications 没有的列:topic"]


def test_where_outside_the_expression_language_is_refused(ws):
    edit(ws, FORM, set_row(10, where="__import__('os').system('true')"))
    (message,) = form_problems(ws)
    assert message.startswith("第 10 行:表达式")
    assert "不允许" in message


def test_sum_of_an_unknown_column_is_refused(ws):
    edit(ws, FORM, set_row(55, sum="price"))
    assert form_problems(ws) == ["第 55 行的 sum“price”不是 applications 的列"]


def test_profile_row_without_field_is_refused(ws):
    def change(data):
        del row_spec(data, 4)["field"]

    edit(ws, FORM, change)
    assert form_problems(ws) == ["第 4 行取自 profile,须给出 field"]


@pytest.mark.parametrize("key", ["row", "label", "kind", "from"])
def test_row_definition_missing_a_required_key_is_refused(ws, key):
    def change(data):
        del data["rows"][2][key]

    edit(ws, FORM, change)
    found = form_problems(ws)
    assert found[0] == f"第 3 个行定义缺少或错写了键 '{key}'(需要 row、label、kind、from)"


def test_row_number_that_is_not_a_number_is_refused(ws):
    edit(ws, FORM, set_row(3, row="three"))
    found = form_problems(ws)
    assert found[0].startswith("第 3 个行定义缺少或错写了键")


def test_a_missing_row_number_is_refused(ws):
    def change(data):
        data["rows"] = [r for r in data["rows"] if r["row"] != 30]

    edit(ws, FORM, change)
    numbers = [n for n in range(1, 56) if n != 30]
    assert form_problems(ws) == [f"行号应从 1 起连续且不重复,实际为 {numbers}"]


def test_a_repeated_row_number_is_refused(ws):
    edit(ws, FORM, set_row(31, row=30))
    (message,) = form_problems(ws)
    assert message.startswith("行号应从 1 起连续且不重复")
    assert "29, 30, 30, 32" in message


def test_rows_must_start_at_one(ws):
    def change(data):
        data["rows"] = data["rows"][1:]

    edit(ws, FORM, change)
    (message,) = form_problems(ws)
    assert message == f"行号应从 1 起连续且不重复,实际为 {list(range(2, 56))}"


def test_rows_out_of_order_are_refused(ws):
    def change(data):
        data["rows"][0], data["rows"][1] = data["rows"][1], data["rows"][0]

    edit(ws, FORM, change)
    (message,) = form_problems(ws)
    assert message.startswith("行号应从 1 起连续且不重复,实际为 [2, 1, 3")


def test_every_problem_of_the_form_is_collected(ws):
    def change(data):
        row_spec(data, 10)["kind"] = "number"
        row_spec(data, 12)["from"] = "nowhere"
        row_spec(data, 17)["where"] = "colour == '红'"
        data["rows"] = [r for r in data["rows"] if r["row"] != 40]

    edit(ws, FORM, change)
    found = form_problems(ws)
    assert len(found) == 4
    assert found[0].startswith("第 10 行的 kind")
    assert found[1].startswith("第 12 行的 from")
    assert found[2].startswith("第 17 行的 where")
    assert found[3].startswith("行号应从 1 起连续")


# --- load_layout: sections ----------------------------------------------------------------------


def test_sections_of_the_repository():
    sections, _ = load_layout(REPO_ROOT, rows_of(REPO_ROOT))
    bounds = [(s.first, s.last) for s in sections]
    assert bounds == [(1, 9), (10, 18), (19, 33), (34, 46), (47, 55)]
    assert sections[0].title == "基本情况"


def in_sections(sections, number):
    return [s.title for s in sections if s.first <= number <= s.last]


def test_sections_partition_the_rows():
    rows = rows_of(REPO_ROOT)
    sections, _ = load_layout(REPO_ROOT, rows)
    assert all(len(in_sections(sections, r.row)) == 1 for r in rows)


def test_a_56th_row_falls_in_the_last_block(ws):
    def change(data):
        data["rows"].append(
            {"row": 56, "label": "新增一行", "kind": "count", "from": "mailbox"},
        )

    edit(ws, FORM, change)
    rows = rows_of(ws)
    sections, _ = load_layout(ws, rows)
    assert (sections[-1].first, sections[-1].last) == (47, 56)
    assert in_sections(sections, 56) == ["办理结果、不予公开、电子信箱、收费"]
    assert all(len(in_sections(sections, r.row)) == 1 for r in rows)


def test_without_sections_the_whole_form_is_one_block(ws):
    edit(ws, FORM, lambda data: data.pop("sections"))
    sections, _ = load_layout(ws, rows_of(ws))
    assert sections == (Section("统计表", 1, 55),)


@pytest.mark.parametrize(
    "firsts",
    [
        [1, 19, 10, 34, 47],  # out of order
        [2, 10, 19, 34, 47],  # does not start at row 1
        [1, 10, 10, 34, 47],  # repeated
        [1, 10, 19, 34, 56],  # beyond the last row
    ],
)
def test_a_bad_first_sequence_is_refused(ws, firsts):
    def change(data):
        for spec, first in zip(data["sections"], firsts, strict=True):
            spec["first"] = first

    edit(ws, FORM, change)
    expected = f"sections 的 first 应从 1 起递增且不超过最后一行 55,实际为 {firsts}"
    assert layout_problems(ws) == [expected]


def test_a_block_of_the_last_row_alone_is_accepted(ws):
    def change(data):
        data["sections"].append({"first": 55, "title": "收费"})

    edit(ws, FORM, change)
    sections, _ = load_layout(ws, rows_of(ws))
    assert [(s.first, s.last) for s in sections[-2:]] == [(47, 54), (55, 55)]


def test_a_block_without_first_is_an_input_error(ws):
    def change(data):
        del data["sections"][1]["first"]

    edit(ws, FORM, change)
    assert layout_problems(ws)


# --- load_layout: figures -----------------------------------------------------------------------


def test_figures_of_the_repository():
    _, figures = load_layout(REPO_ROOT, rows_of(REPO_ROOT))
    by_name = {f.name: f for f in figures}
    assert list(by_name) == [
        "publications_by_channel",
        "checklist_by_category",
        "media_by_prominence",
        "applications",
        "across_years",
    ]
    channel = by_name["publications_by_channel"]
    assert (channel.kind, channel.caption, channel.xlabel) == (
        "bars",
        "主动公开信息(按渠道)",
        "数量(条/次)",
    )
    assert channel.rows[0] == (10, "门户网站")
    assert [r for r, _ in channel.rows] == [10, 12, 13, 14, 15]
    assert by_name["checklist_by_category"].rows == ()
    applications = by_name["applications"]
    assert applications.when == "r19 > 0"
    assert applications.skipped.startswith("本学年未收到信息公开申请")
    assert [title for title, _ in applications.panels] == [
        "提交方式",
        "申请人",
        "涉及内容",
        "办理结果",
    ]
    assert applications.panels[1][1] == ((31, "公民"), (32, "法人"), (33, "其他组织"))
    assert by_name["across_years"].ylabel == "数量(条/件)"


def set_figure(name, **values):
    def change(data):
        next(f for f in data["figures"] if f["name"] == name).update(values)

    return change


def test_a_figure_naming_a_missing_row_is_refused(ws):
    edit(ws, FORM, set_figure("media_by_prominence", rows={16: "报道", 99: "不存在"}))
    assert layout_problems(ws) == ["图“media_by_prominence”引用了不存在的第 99 行"]


def test_a_panel_naming_a_missing_row_is_refused(ws):
    def change(data):
        figure = next(f for f in data["figures"] if f["name"] == "applications")
        figure["panels"][0]["rows"][0] = "零"

    edit(ws, FORM, change)
    assert layout_problems(ws) == ["图“applications”引用了不存在的第 0 行"]


def test_an_unknown_figure_kind_is_refused(ws):
    edit(ws, FORM, set_figure("media_by_prominence", kind="pie"))
    expected = "图“media_by_prominence”的 kind“pie”未知,应为 bars/panels/categories/years"
    assert layout_problems(ws) == [expected]


def test_every_layout_problem_is_collected(ws):
    def change(data):
        data["sections"][0]["first"] = 2
        set_figure("publications_by_channel", kind="pie", rows={10: "a", 77: "b"})(data)

    edit(ws, FORM, change)
    found = layout_problems(ws)
    assert len(found) == 3
    assert found[0].startswith("sections 的 first")
    assert "kind“pie”" in found[1]
    assert found[2] == "图“publications_by_channel”引用了不存在的第 77 行"


def test_without_figures_there_are_none(ws):
    edit(ws, FORM, lambda data: data.pop("figures"))
    assert load_layout(ws, rows_of(ws))[1] == ()


# --- Section, RowDef --------------------------------------------------------------------------


def test_section_heading_names_its_rows():
    assert Section("基本情况", 1, 9).heading == "基本情况(第 1-9 行)"
    assert Section("收费", 55, 55).heading == "收费(第 55 行)"


def row(**values):
    base = {"row": 1, "label": "x", "unit": "", "kind": "count", "source": "publications"}
    return RowDef(**{**base, **values})


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"kind": "flag", "allowed": ("有", "无")}, "有或无"),
        ({"kind": "flag", "allowed": ("收费", "不收费")}, "收费或不收费"),
        ({"kind": "count"}, "非负整数"),
        ({"kind": "amount"}, "非负整数"),
        ({"kind": "text"}, "文字"),
        ({"kind": "ratio"}, "ratio"),
    ],
)
def test_rowdef_expected_says_what_the_form_asks(values, expected):
    assert row(**values).expected == expected


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"source": "profile", "field": "portal"}, "profile.yaml: portal"),
        ({"source": "checklist"}, "checklist: 合计 count(全部行)"),
        (
            {"source": "publications", "where": "channel == '门户网站'"},
            "publications: 合计 count,条件 channel == '门户网站'",
        ),
        ({"source": "applications", "sum": "fee"}, "applications: 合计 fee(全部行)"),
    ],
)
def test_rowdef_definition_says_how_the_row_is_computed(values, expected):
    assert row(**values).definition == expected


def test_definitions_of_the_repository_rows():
    rows = rows_of(REPO_ROOT)
    assert rows[6].definition == "profile.yaml: special_funding_amount"
    headline = "front_page == '是' and headline == '是'"
    assert rows[17].definition == f"media_reports: 合计 count,条件 {headline}"
    assert rows[53].expected == "收费或不收费"


# --- load_profile_schema ------------------------------------------------------------------------


def test_profile_schema_of_the_repository():
    schema = load_profile_schema(REPO_ROOT)
    assert list(schema)[:3] == ["institution", "short_name", "document_number"]
    assert schema["institution"] == ProfileField(
        name="institution",
        type="text",
        required=True,
        carry_over=True,
        template="",
        has_template=True,
    )
    amount = schema["special_funding_amount"]
    assert (amount.type, amount.required, amount.carry_over) == ("int", True, False)
    assert (amount.template, amount.has_template) == (0, True)
    assert schema["contact"].type == "any"
    assert schema["contact"].template["office"] == ""


def test_profile_field_without_template_is_told_apart_from_an_empty_one():
    schema = load_profile_schema(REPO_ROOT)
    assert (schema["notes"].template, schema["notes"].has_template) == (None, False)
    assert (schema["short_name"].template, schema["short_name"].has_template) == (None, False)


def test_profile_field_defaults(ws):
    def change(data):
        data["profile"]["fields"] = {"bare": {}, "nothing": {"template": None}}

    edit(ws, "forms/tables.yaml", change)
    schema = load_profile_schema(ws)
    assert schema["bare"] == ProfileField(name="bare", type="text")
    assert schema["nothing"].has_template is True  # an explicit null template is a template
    assert schema["nothing"].template is None


def test_no_profile_block_means_no_profile_keys(ws):
    edit(ws, "forms/tables.yaml", lambda data: data.pop("profile"))
    assert load_profile_schema(ws) == {}


# --- citations (forms/citations.csv) -----------------------------------------------------------

CITATIONS_HEADER = "instrument,number,in_force_from,in_force_to,replaced_by\n"


def write_citations(root, body):
    (root / "forms/citations.csv").write_text(CITATIONS_HEADER + body, encoding="utf-8")


def test_the_repositorys_citations_name_the_current_regulation(ws):
    by_number = {c.number: c for c in load_citations(ws)}
    old = by_number["国务院令第492号"]
    assert (old.in_force_to, old.replaced_by) == ("2019-05-14", "国务院令第711号")
    assert by_number["国务院令第711号"].in_force_to == ""


def test_a_citation_is_found_with_or_without_spaces():
    old = Citation("条例", "国务院令第492号", "2008-05-01", "2019-05-14", "国务院令第711号")
    assert old.cited_in("根据《条例》(国务院令 第 492 号)")
    assert not old.cited_in("根据《条例》(国务院令第711号)")


def test_superseded_is_judged_on_the_day_after_it_left_force():
    cited = [
        Citation("条例", "国务院令第492号", "2008-05-01", "2019-05-14", "国务院令第711号"),
        Citation("条例", "国务院令第711号", "2019-05-15", "", ""),
    ]
    text = "(国务院令 第 492 号)"
    assert superseded(cited, text, "2019-05-14") == []
    assert superseded(cited, text, "2019-05-15") == [
        "引用了国务院令第492号(条例),该文件 2019-05-14 后已由国务院令第711号取代"
    ]
    assert current_text(cited, "见国务院令 第 492 号。") == "见国务院令第711号。"


def test_a_chain_of_replacements_ends_at_the_text_in_force():
    cited = [
        Citation("a", "令第1号", "2000-01-01", "2001-01-01", "令第2号"),
        Citation("a", "令第2号", "2001-01-02", "2002-01-01", "令第3号"),
        Citation("a", "令第3号", "2002-01-02", "", ""),
    ]
    assert current_text(cited, "令第1号、令第2号") == "令第3号、令第3号"


def test_last_years_notice_becomes_a_placeholder():
    text = "《关于编报 2024 年高校信息公开工作年度报告的通知》(渝教办发〔2024〕106 号)等文件"
    assert without_last_years_notice(text) == NOTICE_TO_FILL + "等文件"
    assert without_last_years_notice("《高等学校信息公开办法》(教育部令第29号)") == (
        "《高等学校信息公开办法》(教育部令第29号)"
    )


def test_bad_citations_are_named_by_row_and_column(ws):
    write_citations(
        ws,
        "条例,国务院令第492号,2008/05/01,2019-05-14,\n"
        "条例,国务院令第492号,2019-05-15,,\n"
        ",令第9号,,2020-01-01,令第10号\n",
    )
    with pytest.raises(InputError) as exc:
        load_citations(ws)
    assert [str(p) for p in exc.value.problems] == [
        str(p)
        for p in [
            Problem("forms/citations.csv", "“2008/05/01”应为 YYYY-MM-DD 日期", 2, "in_force_from"),
            Problem(
                "forms/citations.csv",
                "已失效的文件须同时写 in_force_to 与 replaced_by(现行文件两者都空)",
                2,
                "replaced_by",
            ),
            Problem("forms/citations.csv", "文号“国务院令第492号”重复", 3, "number"),
            Problem("forms/citations.csv", "instrument 不能为空", 4, "instrument"),
            Problem("forms/citations.csv", "in_force_from 不能为空", 4, "in_force_from"),
            Problem("forms/citations.csv", "replaced_by“令第10号”不在本表中", 4, "replaced_by"),
        ]
    ]


def test_citations_without_their_columns_are_refused(ws):
    (ws / "forms/citations.csv").write_text("instrument,number\n条例,令\n", encoding="utf-8")
    with pytest.raises(InputError, match="缺少列:in_force_from、in_force_to、replaced_by"):
        load_citations(ws)


def test_no_citations_file_is_an_empty_table(ws):
    (ws / "forms/citations.csv").unlink()
    assert load_citations(ws) == []
