"""The workspace (workspace.py): finding it, keeping paths inside it, writing files atomically."""

import os
import stat

import pytest
from workspaces import build_workspace

from disclosure import workspace
from disclosure.errors import InputError
from disclosure.workspace import boundary, find_root, inside, write_bytes, write_text

# --- find_root ----------------------------------------------------------------------------------


@pytest.fixture
def ws(tmp_path):
    return build_workspace(tmp_path / "ws")


def test_find_root_from_the_workspace_itself(ws):
    assert find_root(ws) == ws.resolve()


def test_find_root_from_a_subfolder_walks_up(ws):
    deep = ws / "data" / "raw" / "2023-2024"
    deep.mkdir(parents=True)
    assert find_root(deep) == ws.resolve()


def test_find_root_defaults_to_the_current_directory(ws, monkeypatch):
    monkeypatch.chdir(ws / "forms")
    assert find_root() == ws.resolve()


def test_find_root_takes_the_nearest_workspace(ws):
    inner = ws / "nested"
    (inner / "params").mkdir(parents=True)
    (inner / "forms").mkdir()
    assert find_root(inner / "forms") == inner.resolve()


@pytest.mark.parametrize("only", ["params", "forms"])
def test_find_root_needs_both_params_and_forms(ws, only):
    half = ws / "half"
    (half / only).mkdir(parents=True)
    assert find_root(half) == ws.resolve()  # `half` is skipped, its parent is a workspace


def test_find_root_ignores_a_file_named_like_a_marker(ws):
    fake = ws / "fake"
    fake.mkdir()
    (fake / "params").write_text("not a folder", encoding="utf-8")
    (fake / "forms").mkdir()
    assert find_root(fake) == ws.resolve()


def test_find_root_without_a_workspace_says_what_to_do(tmp_path):
    start = tmp_path / "empty" / "sub"
    start.mkdir(parents=True)
    with pytest.raises(InputError) as exc:
        find_root(start)
    (problem,) = exc.value.problems
    assert problem.file == str(start.resolve())
    assert problem.message.startswith("找不到工作区")
    assert "params/ 和 forms/" in problem.message
    assert "--root" in problem.message


# --- inside -------------------------------------------------------------------------------------


def test_inside_returns_the_resolved_path_within_the_workspace(tmp_path):
    expected = (tmp_path / "data/raw/2023-2024").resolve()
    assert inside(tmp_path, "data/raw/2023-2024", "数据") == expected


def test_inside_accepts_the_workspace_itself(tmp_path):
    assert inside(tmp_path, ".", "数据") == tmp_path.resolve()


def test_inside_accepts_dotdot_that_stays_inside(tmp_path):
    assert inside(tmp_path, "data/../params", "数据") == (tmp_path / "params").resolve()


def collection_institution(tmp_path, marked: bool = True, folder: str = "institutions"):
    """<tmp>/col/{collection.yaml, forms/}, and <tmp>/col/<folder>/S1 with forms -> ../../forms."""
    col = tmp_path / "col"
    (col / "forms").mkdir(parents=True)
    (col / "forms" / "rules.yaml").write_text("rules: []\n", encoding="utf-8")
    if marked:
        (col / "collection.yaml").write_text("name: x\n", encoding="utf-8")
    inst = col / folder / "S1"
    inst.mkdir(parents=True)
    (inst / "forms").symlink_to("../../forms")
    return col, inst


def test_boundary_of_an_institution_of_a_collection_is_the_collection(tmp_path):
    col, inst = collection_institution(tmp_path)
    assert boundary(inst) == col.resolve()
    path = inside(inst, "forms/rules.yaml", "输入文件", within=boundary(inst))
    assert path == (col / "forms" / "rules.yaml").resolve()


def test_boundary_of_a_workspace_is_itself(tmp_path):
    assert boundary(tmp_path) == tmp_path.resolve()


@pytest.mark.parametrize("marked, folder", [(False, "institutions"), (True, "schools")])
def test_boundary_needs_both_the_collection_file_and_the_institutions_folder(
    tmp_path, marked, folder
):
    col, inst = collection_institution(tmp_path, marked, folder)
    assert boundary(inst) == inst.resolve()
    with pytest.raises(InputError):  # the shared forms are then outside the workspace
        inside(inst, "forms/rules.yaml", "输入文件", within=boundary(inst))


def test_inside_a_collection_still_refuses_what_leaves_the_collection(tmp_path):
    col, inst = collection_institution(tmp_path)
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError):
        inside(inst, "../../../secret.txt", "输入文件", within=boundary(inst))
    assert inside(inst, "../S1", "输入文件", within=boundary(inst)) == inst.resolve()


@pytest.mark.parametrize("escape", ["..", "../outside", "data/../../x", "../../.."])
def test_inside_refuses_dotdot_escapes(tmp_path, escape):
    root = tmp_path / "ws"
    root.mkdir()
    with pytest.raises(InputError) as exc:
        inside(root, escape, "参数“data_dir”")
    (problem,) = exc.value.problems
    assert problem.file == escape
    assert problem.message.startswith("参数“data_dir”指向工作区之外")
    assert str((root / escape).resolve()) in problem.message
    assert "只允许工作区内的路径" in problem.message


def test_inside_refuses_a_sibling_whose_name_starts_with_the_workspace_name(tmp_path):
    root = tmp_path / "ws"
    root.mkdir()
    (tmp_path / "ws2").mkdir()
    with pytest.raises(InputError, match="工作区之外"):
        inside(root, "../ws2/data", "数据文件夹")


@pytest.mark.parametrize("absolute", ["/", "/etc", "/tmp"])
def test_inside_refuses_absolute_paths_outside(tmp_path, absolute):
    with pytest.raises(InputError, match="工作区之外"):
        inside(tmp_path / "ws", absolute, "数据文件夹")


def test_inside_accepts_an_absolute_path_that_is_inside(tmp_path):
    target = tmp_path / "data"
    assert inside(tmp_path, str(target), "数据") == target.resolve()


def test_inside_refuses_a_symlink_resolving_outside(tmp_path):
    root = tmp_path / "ws"
    (root / "data").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "data" / "raw").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InputError) as exc:
        inside(root, "data/raw", "参数“data_dir”")
    assert str(outside.resolve()) in exc.value.problems[0].message


def test_inside_accepts_a_symlink_resolving_inside(tmp_path):
    root = tmp_path / "ws"
    (root / "real").mkdir(parents=True)
    (root / "link").symlink_to(root / "real", target_is_directory=True)
    assert inside(root, "link", "数据") == (root / "real").resolve()


def test_inside_works_when_the_root_itself_is_a_symlink(tmp_path):
    real = tmp_path / "real"
    (real / "data").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert inside(link, "data", "数据") == (real / "data").resolve()


# --- atomic writes (copied from tests/unit/evidence/test_outputs.py) ----------------------------


def test_write_bytes_creates_folders_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "outputs" / "2023-2024" / "report.pdf"
    write_bytes(target, b"%PDF-1.7 first")
    assert target.read_bytes() == b"%PDF-1.7 first"
    assert os.listdir(target.parent) == ["report.pdf"]


def test_write_bytes_replaces_content(tmp_path):
    target = tmp_path / "a.csv"
    write_bytes(target, b"old content that is longer")
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["a.csv"]


def test_write_bytes_makes_a_shareable_file(tmp_path):
    target = tmp_path / "a.csv"
    write_bytes(target, b"x")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_failed_write_keeps_the_old_file_and_removes_the_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "a.csv"
    write_bytes(target, b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(workspace.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.csv"]


def test_write_text_is_utf8(tmp_path):
    target = tmp_path / "a.txt"
    write_text(target, "重庆 – ok")
    assert target.read_bytes() == "重庆 – ok".encode()


# --- atomic writes: more ------------------------------------------------------------------------


def test_write_goes_through_a_temp_file_beside_the_target(tmp_path, monkeypatch):
    target = tmp_path / "out" / "a.csv"
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((os.path.dirname(src), os.path.basename(src), dst))
        assert open(src, "rb").read() == b"data"  # complete before it takes the real name
        real_replace(src, dst)

    monkeypatch.setattr(workspace.os, "replace", spy)
    write_bytes(target, b"data")
    ((folder, name, dst),) = seen
    assert folder == str(target.parent)
    assert name.startswith(".a.csv.")  # hidden, so no one opens a half-written file by its name
    assert dst == target


def test_failed_first_write_leaves_nothing(tmp_path, monkeypatch):
    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(workspace.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_text(tmp_path / "a.txt", "新")
    assert os.listdir(tmp_path) == []


def test_interrupted_write_removes_the_temp_file(tmp_path, monkeypatch):
    def interrupted(path, mode):
        raise KeyboardInterrupt

    monkeypatch.setattr(workspace.os, "chmod", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_bytes(tmp_path / "a.csv", b"x")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "name",
    ["STATISTICS_FORM", "TABLES_FORM", "RULES_FORM", "CHECKLIST_ITEMS", "WORKBOOK"],
)
def test_workspace_file_names_name_files_of_a_workspace(ws, name):
    assert (ws / getattr(workspace, name)).is_file()


def test_workspace_folder_names_match_the_repository_layout():
    folders = (workspace.PARAMS_DIR, workspace.DATA_RAW_DIR, workspace.REFERENCE_DIR)
    assert folders == ("params", "data/raw", "data/reference")
    assert (workspace.FORMS_DIR, workspace.NOTEBOOKS_DIR, workspace.OUTPUTS_DIR) == (
        "forms",
        "notebooks",
        "outputs",
    )
    assert workspace.WORKSPACE_MARKERS == ("params", "forms")
