"""`disclosure init <year>` (scaffold.py): the params file, profile and empty raw-data templates."""

import csv
import io

import openpyxl
import pytest
import yaml
from workspaces import build_workspace

from disclosure.errors import InputError
from disclosure.inputs.dataset import load_year
from disclosure.inputs.forms import load_profile_schema, load_table_defs
from disclosure.inputs.params import load_params
from disclosure.inputs.provenance import sha256
from disclosure.inputs.scaffold import init_year, new_workspace

NEW = "2024-2025"
FOLDER = f"data/raw/{NEW}"
TEMPLATES = [
    "publications",
    "media_reports",
    "applications",
    "appeals",
    "mailbox",
    "withheld",
    "checklist",
    "internal",
]  # every table of forms/tables.yaml but reported_statistics (a transcription of a printed form)


@pytest.fixture
def fresh(tmp_path):
    """A workspace with no year yet."""
    return build_workspace(tmp_path / "fresh")


@pytest.fixture
def ws(tmp_path):
    """A workspace with the repository's 2023-2024."""
    return build_workspace(tmp_path / "ws", repo_years=True)


def read_yaml(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def snapshot(root):
    return {p.relative_to(root).as_posix(): sha256(p) for p in root.rglob("*") if p.is_file()}


# --- params -------------------------------------------------------------------------------------


def test_init_writes_a_params_file_that_loads(fresh):
    written = init_year(fresh, NEW)
    path = fresh / "params" / f"{NEW}.yaml"
    assert written[0] == path
    assert read_yaml(path) == {
        "academic_year": NEW,
        "data_dir": FOLDER,
        "yoy_threshold": 0.5,
        "corrections": [],
    }
    params = load_params(fresh, NEW)
    assert (params.academic_year, params.data_dir, params.corrections) == (NEW, FOLDER, ())


def test_params_comment_points_to_the_readme_not_to_params_readme(fresh):
    init_year(fresh, NEW)
    text = (fresh / "params" / f"{NEW}.yaml").read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith(f"# Run parameters of the {NEW} academic year")
    assert "params/README" not in text
    assert "README.md" in first


def test_academic_year_is_quoted_so_yaml_keeps_it_text(fresh):
    init_year(fresh, NEW)
    text = (fresh / "params" / f"{NEW}.yaml").read_text(encoding="utf-8")
    assert f'academic_year: "{NEW}"' in text


# --- profile ------------------------------------------------------------------------------------


def test_profile_of_a_first_year_is_the_schemas_templates(fresh):
    init_year(fresh, NEW)
    path = fresh / FOLDER / "profile.yaml"
    schema = load_profile_schema(fresh)
    expected = {name: f.template for name, f in schema.items() if f.has_template}
    assert read_yaml(path) == expected
    assert list(read_yaml(path)) == list(expected)  # in the schema's order
    assert "short_name" not in expected and "notes" not in expected
    assert path.read_text(encoding="utf-8").startswith("# 本学年概况")


def test_profile_templates_follow_the_schema(fresh):
    def change(data):
        data["profile"]["fields"]["campuses"] = {"type": "int", "template": 2}

    path = fresh / "forms" / "tables.yaml"
    data = read_yaml(path)
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    init_year(fresh, NEW)
    assert read_yaml(fresh / FOLDER / "profile.yaml")["campuses"] == 2


def test_profile_carries_over_the_carry_over_keys_of_the_previous_year(ws):
    old = read_yaml(ws / "data/raw/2023-2024/profile.yaml")
    init_year(ws, NEW)
    new = read_yaml(ws / FOLDER / "profile.yaml")
    schema = load_profile_schema(ws)
    carried = [name for name, f in schema.items() if f.carry_over]
    assert carried == [
        "institution",
        "addressee",
        "portal",
        "disclosure_platform",
        "leader",
        "office",
        "reception",
        "portal_url",
        "contact",
    ]
    assert {k: new[k] for k in carried} == {k: old[k] for k in carried}
    assert new["institution"] == "重庆机电职业技术大学"


def test_profile_does_not_carry_over_the_facts_of_the_year(ws):
    init_year(ws, NEW)
    new = read_yaml(ws / FOLDER / "profile.yaml")
    assert new["document_number"] == ""  # was 重机电文〔2024〕50号
    assert new["special_funding_amount"] == 0  # was 8000
    assert new["fee_policy"] == "不收费"  # the template, not the previous "0 元"
    assert "notes" not in new


def test_a_carry_over_key_absent_last_year_keeps_its_template(ws):
    path = ws / "data/raw/2023-2024/profile.yaml"
    old = read_yaml(path)
    del old["portal_url"]
    path.write_text(yaml.safe_dump(old, allow_unicode=True), encoding="utf-8")
    init_year(ws, NEW)
    assert read_yaml(ws / FOLDER / "profile.yaml")["portal_url"] == ""


def test_only_the_year_just_before_is_carried_over(ws):
    init_year(ws, "2025-2026")  # 2024-2025 does not exist: nothing to carry
    new = read_yaml(ws / "data/raw/2025-2026/profile.yaml")
    assert new["institution"] == ""
    narrative = (ws / "data/raw/2025-2026/narrative.yaml").read_text(encoding="utf-8")
    assert narrative == (ws / "forms/narrative_template.yaml").read_text(encoding="utf-8")


def test_narrative_is_copied_from_the_previous_year_without_printed_text(ws):
    written = init_year(ws, NEW)
    path = ws / FOLDER / "narrative.yaml"
    assert path in written
    old = read_yaml(ws / "data/raw/2023-2024/narrative.yaml")
    new = read_yaml(path)
    assert "printed" not in path.read_text(encoding="utf-8")
    assert new["title"] == old["title"]
    # the superseded regulation becomes the current one; last year's notice a placeholder
    said = old["opening"][0]["template"]
    assert "国务院令 第 492 号" in said and "渝教办发〔2024〕106 号" in said
    assert new["opening"][0]["template"] == said.replace(
        "国务院令 第 492 号", "国务院令第711号"
    ).replace(
        "《重庆市教育委员会办公室关于编报 2024 年高校和直属单位信息公开工作年度报告的通知》"
        "(渝教办发〔2024〕106 号)",
        "《【待填:本年度编报年度报告的通知名称】》(【待填:该通知的文号】)",
    )
    old_paragraphs = old["sections"][0]["paragraphs"]
    new_paragraphs = new["sections"][0]["paragraphs"]
    templates = [p.get("template") for p in new_paragraphs]
    assert templates == [p.get("template") for p in old_paragraphs]


def test_first_year_gets_the_forms_narrative_template(fresh):
    written = init_year(fresh, NEW)
    path = fresh / FOLDER / "narrative.yaml"
    assert path in written
    text = path.read_text(encoding="utf-8")
    assert text == (fresh / "forms/narrative_template.yaml").read_text(encoding="utf-8")
    assert "国务院令第711号" in text and "【待填:该通知的文号】" in text


def test_first_year_without_a_template_in_the_form_has_no_narrative(fresh):
    (fresh / "forms/narrative_template.yaml").unlink()
    written = init_year(fresh, NEW)
    assert not (fresh / FOLDER / "narrative.yaml").exists()
    assert all(p.name != "narrative.yaml" for p in written)


# --- refusals -----------------------------------------------------------------------------------


def test_an_existing_year_is_refused_and_nothing_changes(ws):
    before = snapshot(ws)
    with pytest.raises(InputError) as exc:
        init_year(ws, "2023-2024")
    (problem,) = exc.value.problems
    assert problem.file == "params/2023-2024.yaml"
    expected = "学年 2023-2024 已存在(参数文件或数据文件夹);为免覆盖,init 不做任何改动"
    assert problem.message == expected
    assert snapshot(ws) == before


def test_an_existing_data_folder_alone_is_refused(fresh):
    (fresh / FOLDER).mkdir(parents=True)
    (fresh / FOLDER / "publications.csv").write_text("mine\n", encoding="utf-8")
    with pytest.raises(InputError, match="已存在"):
        init_year(fresh, NEW)
    assert not (fresh / "params" / f"{NEW}.yaml").exists()
    assert (fresh / FOLDER / "publications.csv").read_text(encoding="utf-8") == "mine\n"


def test_an_existing_params_file_alone_is_refused(fresh):
    (fresh / "params" / f"{NEW}.yaml").write_text("mine\n", encoding="utf-8")
    with pytest.raises(InputError, match="已存在"):
        init_year(fresh, NEW)
    assert not (fresh / FOLDER).exists()


@pytest.mark.parametrize("bad", ["2024-2026", "2024/2025", "24-25"])
def test_a_malformed_year_is_refused_before_anything_is_written(fresh, bad):
    before = snapshot(fresh)
    with pytest.raises(InputError) as exc:
        init_year(fresh, bad)
    (problem,) = exc.value.problems
    assert problem.file == "命令行"
    assert f"“{bad}”不是有效学年" in problem.message
    assert snapshot(fresh) == before


# --- csv templates ------------------------------------------------------------------------------


def test_csv_format_writes_one_header_file_per_table(fresh):
    written = init_year(fresh, NEW)
    folder = fresh / FOLDER
    assert written[3:] == [folder / f"{name}.csv" for name in TEMPLATES]
    expected = sorted([f"{name}.csv" for name in TEMPLATES] + ["narrative.yaml", "profile.yaml"])
    assert sorted(p.name for p in folder.iterdir()) == expected
    defs = load_table_defs(fresh)
    for name in TEMPLATES:
        text = (folder / f"{name}.csv").read_bytes().decode("utf-8")
        header = next(csv.reader(io.StringIO(text)))
        assert header == [c.title for c in defs[name].columns]  # every column in Chinese
        assert all(header)
        assert "\r" not in text


def test_csv_checklist_is_prefilled_from_the_reference_items(fresh):
    init_year(fresh, NEW)
    text = (fresh / FOLDER / "checklist.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["事项"]) for r in rows] == list(range(1, 51))
    assert rows[0]["大类"] == "1" and rows[6]["大类"] == "2"
    assert {r["数量"] for r in rows} == {"0"}
    assert rows[0]["链接"] == ""


def test_other_csv_templates_are_header_only(fresh):
    init_year(fresh, NEW)
    data = (fresh / FOLDER / "publications.csv").read_bytes()
    assert data == "渠道,数量,单位,备注\n".encode()  # UTF-8, one header line, Unix line end


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_load_except_for_the_rows_the_school_must_fill_in(ws, fmt):
    init_year(ws, NEW, fmt)
    with pytest.raises(InputError) as exc:
        load_year(ws, NEW)
    (problem,) = exc.value.problems  # headers, checklist and profile are all valid
    assert problem.file.startswith(f"{FOLDER}/")
    assert "publications" in problem.file
    assert problem.message.startswith("只有表头没有数据行")


# --- xlsx template ------------------------------------------------------------------------------


def test_xlsx_format_writes_one_workbook_with_a_sheet_per_table(fresh):
    written = init_year(fresh, NEW, "xlsx")
    folder = fresh / FOLDER
    assert written[3:] == [folder / "tables.xlsx"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "narrative.yaml",
        "profile.yaml",
        "tables.xlsx",
    ]
    book = openpyxl.load_workbook(folder / "tables.xlsx")
    assert book.sheetnames == TEMPLATES
    defs = load_table_defs(fresh)
    for name in TEMPLATES:
        header = [cell.value for cell in book[name][1]]
        assert header == [c.title for c in defs[name].columns]  # every column in Chinese
        assert all(header)


def test_xlsx_checklist_sheet_is_prefilled(fresh):
    init_year(fresh, NEW, "xlsx")
    sheet = openpyxl.load_workbook(fresh / FOLDER / "tables.xlsx")["checklist"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == list(range(1, 51))
    assert {r[2] for r in rows} == {0}
    assert sheet.max_row == 51
    assert openpyxl.load_workbook(fresh / FOLDER / "tables.xlsx")["publications"].max_row == 1


def validations(sheet):
    return {str(v.sqref): v for v in sheet.data_validations.dataValidation}


def test_xlsx_choice_columns_get_drop_down_lists(fresh):
    init_year(fresh, NEW, "xlsx")
    sheet = openpyxl.load_workbook(fresh / FOLDER / "tables.xlsx")["publications"]
    channel = validations(sheet)["A2:A2000"]
    assert channel.type == "list"
    assert channel.formula1 == '"门户网站,信息公开平台,办公内网,新闻发布会,官方微博微信"'
    assert channel.allow_blank is False  # channel is required
    assert channel.showErrorMessage is True


def test_xlsx_int_columns_accept_only_whole_non_negative_numbers(fresh):
    init_year(fresh, NEW, "xlsx")
    sheet = openpyxl.load_workbook(fresh / FOLDER / "tables.xlsx")["publications"]
    count = validations(sheet)["B2:B2000"]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    assert set(validations(sheet)) == {"A2:A2000", "B2:B2000"}  # text columns are free


def test_xlsx_optional_choice_column_allows_blank(fresh):
    init_year(fresh, NEW, "xlsx")
    sheet = openpyxl.load_workbook(fresh / FOLDER / "tables.xlsx")["applications"]
    outcome = validations(sheet)["G2:G2000"]  # outcome: a choice, not required
    assert outcome.allow_blank is True


# --- new workspaces -----------------------------------------------------------------------------


def test_new_workspace_copies_the_form_and_leaves_params_empty(fresh, tmp_path):
    target = tmp_path / "school"
    made = new_workspace(target, fresh)
    assert made == [
        target / p for p in ("forms", "notebooks", "data/reference", "params", "data/raw")
    ]
    assert (target / "forms/rules.yaml").read_bytes() == (fresh / "forms/rules.yaml").read_bytes()
    assert list((target / "params").iterdir()) == [] and list((target / "data/raw").iterdir()) == []
    init_year(target, NEW)  # a new workspace takes init at once
    assert (target / FOLDER / "narrative.yaml").is_file()


def test_new_workspace_refuses_a_folder_with_files_and_changes_nothing(fresh, tmp_path):
    target = tmp_path / "school"
    target.mkdir()
    (target / "keep.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="文件夹已存在且不为空"):
        new_workspace(target, fresh)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]
    (target / "keep.txt").unlink()  # an empty folder is fine
    assert new_workspace(target, fresh)


def test_new_workspace_needs_a_template_with_the_form(tmp_path):
    with pytest.raises(InputError, match="模板工作区缺少 forms、notebooks、data/reference"):
        new_workspace(tmp_path / "school", tmp_path / "nothing")
