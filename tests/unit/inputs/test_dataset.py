"""Loading one academic year (dataset.py): every file read, validated and hashed; every problem in
every file collected into one InputError."""

import pytest
import yaml
from workspaces import build_workspace

from disclosure.errors import InputError
from disclosure.inputs.dataset import load_year, profile_ints
from disclosure.inputs.forms import ProfileField
from disclosure.inputs.provenance import sha256

YEAR = "2023-2024"
FOLDER = f"data/raw/{YEAR}"
PROFILE = f"{FOLDER}/profile.yaml"
TABLES = [
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


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """The repository's 2023-2024, loaded once from a copy (nothing here modifies it)."""
    root = build_workspace(tmp_path_factory.mktemp("real") / "ws", repo_years=True)
    return load_year(root, YEAR)


@pytest.fixture
def ws(tmp_path):
    return build_workspace(tmp_path / "ws", repo_years=True)


def edit_yaml(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def edit_profile(root, change):
    edit_yaml(root / PROFILE, change)


def problems_of(root):
    with pytest.raises(InputError) as exc:
        load_year(root, YEAR)
    return exc.value.problems


def profile_messages(root):
    problems = problems_of(root)
    assert all(p.file == PROFILE for p in problems), [str(p) for p in problems]
    return [p.message for p in problems]


# --- the repository's year ----------------------------------------------------------------------


def test_real_year_has_its_parameters_and_folder(real):
    assert real.year == YEAR
    assert real.params.institution == "重庆机电职业技术大学"
    assert real.data_dir == real.root / FOLDER
    assert real.data_dir.is_dir()


def test_real_year_has_every_table_validated(real):
    assert list(real.tables) == TABLES
    assert real.tables["publications"]["count"].tolist()[:2] == [335, 174]
    assert len(real.tables["checklist"]) == 50
    assert real.tables["applications"].empty


def test_real_year_table_files_are_workspace_relative(real):
    assert real.table_files == {name: f"{FOLDER}/{name}.csv" for name in TABLES}


def test_real_year_read_notes_name_each_files_encoding(real):
    assert set(real.read_notes) == set(real.table_files.values())
    assert all(notes[0] == "编码:UTF-8" for notes in real.read_notes.values())


def test_real_year_profile_and_narrative_are_loaded(real):
    assert real.profile["institution"] == "重庆机电职业技术大学"
    assert real.profile["staff_part_time"] == 10
    assert real.profile["report_date"] == "2024-11-14"
    assert real.narrative["title"] == "关于报送{year}学年度信息公开工作的报告"


def test_real_year_reference_checklist_has_fifty_items(real):
    assert real.reference["item"].tolist() == list(range(1, 51))


def test_real_year_rows_sections_and_figures_come_from_the_forms(real):
    assert [r.row for r in real.rows] == list(range(1, 56))
    assert [(s.first, s.last) for s in real.sections][-1] == (47, 55)
    assert len(real.sections) == 5
    assert real.figures[0].name == "publications_by_channel"
    assert len(real.figures) == 5
    assert set(real.table_defs) == set(TABLES)


def test_real_year_has_no_corrections(real):
    assert real.corrections == []


def test_real_year_inputs_are_every_file_read_with_its_hash(real):
    paths = [record["path"] for record in real.inputs]
    assert paths[:6] == [
        "forms/statistics.yaml",
        "forms/tables.yaml",
        "forms/rules.yaml",
        "forms/claims.yaml",
        "data/reference/checklist_items.csv",
        "notebooks/workbook.py",
    ]
    assert paths[6] == f"params/{YEAR}.yaml"
    year_files = sorted(p.name for p in real.data_dir.iterdir())
    assert paths[7:] == [f"{FOLDER}/{name}" for name in year_files]
    assert f"{FOLDER}/SOURCE.yaml" in paths  # every file of the folder, not only the tables
    for record in real.inputs:
        path = real.root / record["path"]
        assert record["sha256"] == sha256(path)
        assert record["bytes"] == path.stat().st_size


def test_profile_ints_are_the_int_fields_of_the_schema():
    schema = {
        "a": ProfileField("a", "int"),
        "b": ProfileField("b", "text"),
        "c": ProfileField("c", "int"),
        "d": ProfileField("d", "any"),
    }
    assert profile_ints(schema) == ("a", "c")


# --- profile.yaml, checked against the `profile:` block of forms/tables.yaml ---------------------


def test_unknown_profile_key_is_refused(ws):
    edit_profile(ws, lambda p: p.update(colour="红"))
    assert profile_messages(ws) == ["未知键“colour”"]


def test_missing_required_profile_key_is_refused(ws):
    edit_profile(ws, lambda p: p.pop("leader"))
    assert profile_messages(ws) == ["缺少“leader”"]


def test_required_profile_key_left_empty_is_refused(ws):
    edit_profile(ws, lambda p: p.update(leader=None))
    assert profile_messages(ws) == ["缺少“leader”"]


def test_missing_optional_profile_key_is_accepted(ws):
    edit_profile(ws, lambda p: p.pop("signer"))
    assert "signer" not in load_year(ws, YEAR).profile


def test_missing_profile_key_the_narrative_prints_is_refused_naming_the_paragraph(ws):
    edit_profile(ws, lambda p: p.pop("portal_url"))
    (problem,) = problems_of(ws)
    assert (problem.file, problem.message) == (
        f"{FOLDER}/narrative.yaml",
        "第二部分第 2 段的占位符“{profile.portal_url}”在 profile.yaml 中没有数据(缺少该项或为空)",
    )


def test_quoted_number_is_refused_with_a_hint(ws):
    edit_profile(ws, lambda p: p.update(staff_full_time="1"))
    expected = "“staff_full_time”的值“1”加了引号,是文字;请去掉引号写成数字 1"
    assert profile_messages(ws) == [expected]


def test_quoted_number_with_spaces_gets_the_plain_number_in_the_hint(ws):
    edit_profile(ws, lambda p: p.update(columns_opened=" 15 "))
    (message,) = profile_messages(ws)
    assert message.endswith("请去掉引号写成数字 15")


@pytest.mark.parametrize("value", [-1, True, 2.5, "十五"])
def test_profile_int_that_is_not_a_non_negative_integer_is_refused(ws, value):
    edit_profile(ws, lambda p: p.update(columns_opened=value))
    assert profile_messages(ws) == [f"“columns_opened”应为非负整数,实际为“{value}”"]


def test_profile_int_zero_is_accepted(ws):
    edit_profile(ws, lambda p: p.update(columns_opened=0))
    assert load_year(ws, YEAR).profile["columns_opened"] == 0


def test_profile_text_written_as_a_number_is_kept_as_text(ws):
    edit_profile(ws, lambda p: p.update(leader=2024, fee_policy=0))
    profile = load_year(ws, YEAR).profile
    assert (profile["leader"], profile["fee_policy"]) == ("2024", "0")


def test_profile_any_field_keeps_its_structure(ws):
    profile = load_year(ws, YEAR).profile
    assert profile["contact"]["postcode"] == "402760"
    assert isinstance(profile["notes"], list)


def test_every_profile_problem_is_collected(ws):
    def change(p):
        p.update(colour="红", staff_full_time="1", staff_part_time=-2)
        p.pop("office")

    edit_profile(ws, change)
    assert profile_messages(ws) == [
        "未知键“colour”",
        "缺少“office”",
        "“staff_full_time”的值“1”加了引号,是文字;请去掉引号写成数字 1",
        "“staff_part_time”应为非负整数,实际为“-2”",
    ]


def test_the_profile_schema_decides_what_is_required(ws):
    def add_field(data):
        data["profile"]["fields"]["campuses"] = {"type": "int", "required": True}

    edit_yaml(ws / "forms/tables.yaml", add_field)
    assert profile_messages(ws) == ["缺少“campuses”"]


def test_the_profile_schema_decides_what_is_known(ws):
    edit_yaml(ws / "forms/tables.yaml", lambda data: data["profile"]["fields"].pop("signer"))
    assert profile_messages(ws) == ["未知键“signer”"]


def test_the_profile_schema_decides_what_is_an_integer(ws):
    def retype(data):
        data["profile"]["fields"]["postal_code"] = {"type": "int"}

    edit_yaml(ws / "forms/tables.yaml", retype)
    edit_profile(ws, lambda p: p.update(postal_code="402760"))
    (message,) = profile_messages(ws)
    assert message.startswith("“postal_code”的值“402760”加了引号")


def test_missing_profile_file_is_reported(ws):
    (ws / PROFILE).unlink()
    assert profile_messages(ws) == ["缺少学校概况文件 profile.yaml"]


def test_profile_that_is_not_a_mapping_is_refused(ws):
    (ws / PROFILE).write_text("- 有\n- 无\n", encoding="utf-8")
    assert profile_messages(ws) == ["应为“键: 值”形式的映射"]


def test_profile_with_a_yaml_error_names_its_line(ws):
    (ws / PROFILE).write_text("institution: x\nportal: [有\n", encoding="utf-8")
    (problem,) = problems_of(ws)
    assert problem.file == PROFILE
    assert problem.message.startswith("YAML 格式错误")
    assert problem.row is not None


def test_required_profile_key_written_as_empty_text_is_refused(ws):
    edit_profile(ws, lambda p: p.update(institution=""))
    assert profile_messages(ws) == ["缺少“institution”"]


# --- raw tables and the narrative ---------------------------------------------------------------


def test_missing_table_file_is_reported(ws):
    (ws / FOLDER / "publications.csv").unlink()
    (problem,) = problems_of(ws)
    assert problem.file == f"{FOLDER}/publications.csv"
    assert problem.message.startswith("缺少该文件(也可用同名 .xlsx)")


def test_missing_optional_table_file_is_accepted(ws):
    (ws / FOLDER / "reported_statistics.csv").unlink()
    data = load_year(ws, YEAR)
    assert "reported_statistics" not in data.tables
    assert "reported_statistics" not in data.table_files


@pytest.mark.parametrize("text", [None, "", "# 只有注释\n"])
def test_missing_or_empty_narrative_is_refused_naming_the_file(ws, text):
    path = ws / FOLDER / "narrative.yaml"
    if text is None:
        path.unlink()
    else:
        path.write_text(text, encoding="utf-8")
    (problem,) = problems_of(ws)
    assert problem.file == f"{FOLDER}/narrative.yaml"
    assert problem.message.startswith("缺少报告正文")


def test_a_damaged_tables_workbook_is_reported_once_among_the_other_problems(ws):
    (ws / FOLDER / "tables.xlsx").write_bytes(b"not a zip file")
    edit_profile(ws, lambda p: p.update(colour="红"))
    problems = problems_of(ws)
    assert [p.file for p in problems] == [PROFILE, f"{FOLDER}/tables.xlsx"]
    assert problems[1].message.startswith("无法作为 Excel(.xlsx)文件打开")


def test_with_a_damaged_workbook_tables_it_might_hold_are_not_called_missing(ws):
    (ws / FOLDER / "tables.xlsx").write_bytes(b"not a zip file")
    (ws / FOLDER / "publications.csv").unlink()  # perhaps a sheet of the unreadable workbook
    assert [p.file for p in problems_of(ws)] == [f"{FOLDER}/tables.xlsx"]


def test_every_problem_of_every_file_is_collected_in_one_error(ws):
    edit_profile(ws, lambda p: p.update(colour="红", staff_full_time=-1))
    folder = ws / FOLDER
    publications = folder / "publications.csv"
    publications.write_text("channel,count\n门户网站,abc\n", encoding="utf-8")
    (folder / "mailbox.csv").unlink()
    (folder / "narrative.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    (folder / "withheld.csv").write_bytes(b"\xff\xfe\x00\x01" * 20)
    problems = problems_of(ws)
    found = [(p.file, p.row, p.column) for p in problems]
    assert found == [
        (PROFILE, None, None),
        (PROFILE, None, None),
        (f"{FOLDER}/publications.csv", 2, "count"),
        (f"{FOLDER}/mailbox.csv", None, None),
        (f"{FOLDER}/withheld.csv", None, None),
        (f"{FOLDER}/narrative.yaml", 2, None),
    ]


# --- corrections --------------------------------------------------------------------------------


CORRECTION = {
    "table": "checklist",
    "match": {"item": 7},
    "field": "count",
    "value": 3,
    "reason": "按第一行读数",
    "by": "张三",
    "on": "2024-11-20",
}


def test_corrections_in_params_are_applied_and_recorded(ws):
    edit_yaml(ws / f"params/{YEAR}.yaml", lambda p: p.update(corrections=[CORRECTION]))
    data = load_year(ws, YEAR)
    (applied,) = data.corrections
    assert (applied.location, applied.before, applied.after) == (
        f"{FOLDER}/checklist.csv 第 8 行",
        7,
        3,
    )
    checklist = data.tables["checklist"]
    assert checklist.loc[checklist["item"] == 7, "count"].tolist() == [3]


def test_a_bad_correction_is_reported_against_the_params_file(ws):
    bad = {**CORRECTION, "match": {"item": 99}}
    edit_yaml(ws / f"params/{YEAR}.yaml", lambda p: p.update(corrections=[bad]))
    (problem,) = problems_of(ws)
    assert problem.file == f"params/{YEAR}.yaml"
    assert "匹配到 0 行,应为 1 行" in problem.message


def test_corrections_wait_for_the_input_problems_to_be_fixed(ws):
    bad = {**CORRECTION, "match": {"item": 99}}
    edit_yaml(ws / f"params/{YEAR}.yaml", lambda p: p.update(corrections=[bad]))
    edit_profile(ws, lambda p: p.update(colour="红"))
    assert [p.file for p in problems_of(ws)] == [PROFILE]


def test_profile_correction_reaches_the_loaded_profile(ws):
    fix = {**CORRECTION, "table": "profile", "match": {}, "field": "fee_policy", "value": "不收费"}
    edit_yaml(ws / f"params/{YEAR}.yaml", lambda p: p.update(corrections=[fix]))
    data = load_year(ws, YEAR)
    assert data.profile["fee_policy"] == "不收费"
    assert (data.corrections[0].before, data.corrections[0].after) == ("0 元", "不收费")


# --- nothing outside the workspace is read; paragraphs are bounded --------------------------------


@pytest.mark.parametrize("name", ["publications.csv", "profile.yaml", "narrative.yaml", "x.txt"])
def test_a_symlink_in_the_raw_folder_pointing_outside_is_refused_by_name(ws, tmp_path, name):
    outside = tmp_path / "outside.txt"
    outside.write_text("secret: 1\n", encoding="utf-8")
    link = ws / FOLDER / name
    link.unlink(missing_ok=True)
    link.symlink_to(outside)
    (problem,) = problems_of(ws)
    assert problem.file == f"{FOLDER}/{name}"
    assert "的符号链接,拒绝读取" in problem.message and "工作区之外" in problem.message


def test_a_symlink_to_a_file_inside_the_workspace_is_read(ws):
    (ws / "shared").mkdir()
    source = ws / FOLDER / "internal.csv"
    (ws / "shared" / "internal.csv").write_bytes(source.read_bytes())
    source.unlink()
    source.symlink_to(ws / "shared" / "internal.csv")
    data = load_year(ws, YEAR)
    assert len(data.tables["internal"]) > 0


def test_a_params_file_linked_outside_is_refused(ws, tmp_path):
    params = ws / "params" / f"{YEAR}.yaml"
    (tmp_path / "p.yaml").write_bytes(params.read_bytes())
    params.unlink()
    params.symlink_to(tmp_path / "p.yaml")
    (problem,) = problems_of(ws)
    assert problem.file == f"params/{YEAR}.yaml" and "符号链接" in problem.message


def test_a_paragraph_at_the_length_limit_is_read_and_one_more_character_is_refused(ws):
    from disclosure.inputs.dataset import MAX_PARAGRAPH_CHARS

    path = ws / FOLDER / "narrative.yaml"
    original = yaml.safe_load(path.read_text(encoding="utf-8"))

    def with_printed(length):
        data = dict(original)
        data["opening"] = [{"template": "{year}", "printed": "年" * length}]
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    with_printed(MAX_PARAGRAPH_CHARS)
    assert load_year(ws, YEAR).narrative["opening"][0]["printed"] == "年" * MAX_PARAGRAPH_CHARS
    with_printed(MAX_PARAGRAPH_CHARS + 1)
    (problem,) = problems_of(ws)
    assert f"开头第 1 段的 printed 有 {MAX_PARAGRAPH_CHARS + 1} 个字符" in problem.message


def test_a_long_wrong_value_is_quoted_by_its_first_characters_only(ws):
    edit_profile(ws, lambda d: d.update({"staff_full_time": "长" * 300, "未知" * 50: 1}))
    messages = profile_messages(ws)
    assert "“staff_full_time”应为非负整数,实际为“" + "长" * 20 + "…”" in messages
    assert "未知键“" + "未知" * 10 + "…”" in messages


# --- a missing table saved under another name or format (issue 26) ----------------------------


@pytest.mark.parametrize(
    "name, words",
    [
        ("internal.xls", "有“internal.xls”,是旧版 Excel 97-2003 格式,无法读取"),
        ("Internal.CSV", "有“Internal.CSV”,但文件名的大小写与“internal.csv”不同;请改为全小写"),
        ("INTERNAL.xlsx", "有“INTERNAL.xlsx”,但文件名的大小写与“internal.xlsx”不同"),
        ("internal.csv.txt", "有“internal.csv.txt”,多了扩展名;请改名为“internal.csv”"),
        ("internal.xlsx.xlsx", "有“internal.xlsx.xlsx”,多了扩展名;请改名为“internal.xlsx”"),
        ("internal.et", "有“internal.et”,是金山 WPS 表格格式"),
        ("internal.txt", "有“internal.txt”,是文本文件;若内容是逗号分隔的表格,请把扩展名改为 .csv"),
    ],
)
def test_a_missing_table_names_the_file_that_looks_like_it(ws, name, words):
    (ws / FOLDER / "internal.csv").rename(ws / FOLDER / name)
    with pytest.raises(InputError) as caught:
        load_year(ws, YEAR)
    (problem,) = caught.value.problems
    assert problem.file == f"{FOLDER}/internal.csv"
    assert problem.message.startswith("缺少该文件;文件夹中") and words in problem.message


def test_files_only_sharing_the_start_of_the_name_are_not_look_alikes(ws):
    (ws / FOLDER / "internal.csv").rename(ws / FOLDER / "internal_old.csv")
    (ws / FOLDER / "internals.xls").write_bytes(b"x")
    with pytest.raises(InputError) as caught:
        load_year(ws, YEAR)
    (problem,) = caught.value.problems
    assert problem.message == "缺少该文件(也可用同名 .xlsx);没有数据时请保留只含表头的文件"


def test_a_folder_named_like_the_table_is_named_and_other_folders_are_not(ws):
    (ws / FOLDER / "internal.csv").unlink()
    (ws / FOLDER / "internal.csv").mkdir()
    (ws / FOLDER / "internal.txt").mkdir()  # a folder, not a text file: not mentioned
    with pytest.raises(InputError) as caught:
        load_year(ws, YEAR)
    (problem,) = caught.value.problems
    assert problem.message == (
        "缺少该文件;文件夹中有名为“internal.csv”的文件夹,不是文件;请把表格文件放在这个位置"
    )


def test_an_invisible_character_in_a_profile_key_is_named(ws):
    profile = ws / PROFILE
    profile.write_text(
        profile.read_text(encoding="utf-8").replace("\noffice:", "\n\u200doffice:"),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_year(ws, YEAR)
    messages = [p.message for p in caught.value.problems]
    assert messages[0].startswith("键“<U+200D>office”不是概况的键:开头有看不见的字符 U+200D")
    assert messages[1:] == ["缺少“office”"]
