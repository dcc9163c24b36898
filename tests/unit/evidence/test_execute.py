"""The runner (disclosure.evidence.execute) without a kernel: the notebook normalised for
reproducible evidence, the atomic swap of the output folder, the font check, and execute_year with
the kernel start and papermill's execution replaced (an executed-like notebook)."""

from __future__ import annotations

import base64
import errno
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from matplotlib import font_manager
from workspaces import build_workspace, ed25519_key_pair, results_bundle, tiny_png

from disclosure import pipeline
from disclosure.errors import InputError, RunFailed
from disclosure.evidence import execute
from disclosure.evidence.execute import INJECTED_CELL_ID, RunResult, _font_or_stop, _swap, normalise
from disclosure.evidence.manifest import sealed_text
from disclosure.evidence.verify import TIMINGS, verify_outputs
from disclosure.present.bundle import FIGURE_KEY

YEAR = "2023-2024"
PNG = tiny_png()  # a real image: the PDF copies embed the figures


def papermill_notebook() -> nbformat.NotebookNode:
    """What papermill leaves: its metadata on the notebook and cells, random cell ids."""
    params = nbformat.v4.new_code_cell("year = '2023-2024'", metadata={"tags": ["parameters"]})
    tags = {"tags": ["injected-parameters"]}
    injected = nbformat.v4.new_code_cell("year = '2030-2031'", metadata=tags)
    text = nbformat.v4.new_markdown_cell("## 1. 参数")
    code = nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["report"], "collapsed": False})
    nb = nbformat.v4.new_notebook(cells=[params, injected, text, code])
    nb.metadata["papermill"] = {"start_time": "2024-11-20T10:00:00", "duration": 12.3}
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for cell in nb.cells:
        cell.metadata["papermill"] = {"status": "completed", "duration": 0.01}
        cell.metadata["execution"] = {"iopub.status.busy": "2024-11-20T10:00:01"}
    return nb


# --- normalise -------------------------------------------------------------------------------


def test_normalise_drops_papermill_and_execution_metadata_and_keeps_the_rest() -> None:
    nb = normalise(papermill_notebook())
    assert "papermill" not in nb.metadata
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert nb.cells[3].metadata == {"tags": ["report"], "collapsed": False}


def test_normalise_numbers_cell_ids_and_names_the_injected_cell() -> None:
    nb = normalise(papermill_notebook())
    assert [cell["id"] for cell in nb.cells] == [
        "cell-000",
        INJECTED_CELL_ID,
        "cell-002",
        "cell-003",
    ]
    assert INJECTED_CELL_ID == "injected-parameters"
    nbformat.validate(nb)


def test_normalise_gives_identical_notebooks_from_two_runs_with_random_ids() -> None:
    first, second = papermill_notebook(), papermill_notebook()
    second.metadata["papermill"]["duration"] = 99.9
    assert [c["id"] for c in first.cells] != [c["id"] for c in second.cells]
    assert nbformat.writes(normalise(first)) == nbformat.writes(normalise(second))


# --- _swap -----------------------------------------------------------------------------------


def test_swap_replaces_the_old_folder_and_leaves_nothing_behind(tmp_path: Path) -> None:
    final = tmp_path / YEAR
    (final / "figures").mkdir(parents=True)
    (final / "old.csv").write_text("old", encoding="utf-8")
    (final / "figures" / "old.png").write_bytes(b"old")
    staging = tmp_path / ".staging-2023-2024-abc"
    staging.mkdir()
    (staging / "new.csv").write_text("new", encoding="utf-8")
    _swap(staging, final)
    assert sorted(p.name for p in tmp_path.iterdir()) == [YEAR]
    assert sorted(p.name for p in final.rglob("*")) == ["new.csv"]
    assert (final / "new.csv").read_text(encoding="utf-8") == "new"


def test_swap_into_a_new_folder_moves_the_staging_folder(tmp_path: Path) -> None:
    staging = tmp_path / ".staging"
    staging.mkdir()
    (staging / "a.csv").write_bytes(b"a")
    _swap(staging, tmp_path / YEAR)
    assert not staging.exists()
    assert (tmp_path / YEAR / "a.csv").read_bytes() == b"a"


# --- the font --------------------------------------------------------------------------------


def test_font_or_stop_passes_when_the_cjk_font_is_installed() -> None:
    assert _font_or_stop() is None


def test_font_or_stop_turns_a_missing_font_into_an_input_error(monkeypatch) -> None:
    def not_found(*args, **kwargs):
        raise ValueError("Failed to find font")

    monkeypatch.setattr(font_manager, "findfont", not_found)
    with pytest.raises(InputError) as caught:
        _font_or_stop()
    (problem,) = caught.value.problems
    assert problem.file == "字体"
    assert "Noto Sans CJK SC" in problem.message and "fonts-noto-cjk" in problem.message


def test_evidence_engine_is_registered_once_under_its_name() -> None:
    from papermill.engines import papermill_engines

    assert execute._evidence_engine() == "disclosure"
    engine = papermill_engines.get_engine("disclosure")
    assert execute._evidence_engine() == "disclosure"
    assert papermill_engines.get_engine("disclosure") is engine


# --- execute_year with papermill replaced ----------------------------------------------------


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("ws"), repo_years=True)


@pytest.fixture(scope="module")
def executed_nb(root: Path) -> nbformat.NotebookNode:
    """The notebook a successful kernel run would give: the results output and one figure."""
    year = pipeline.check_year(root, YEAR)
    results = results_bundle(year)
    cell = nbformat.v4.new_code_cell("bundle.export(...)", metadata={"tags": ["results"]})
    cell.outputs = [nbformat.v4.new_output("display_data", data=results)]
    figure = nbformat.v4.new_code_cell("show.figures(...)")
    figure.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": base64.b64encode(PNG).decode("ascii")},
            metadata={FIGURE_KEY: "publications_by_channel"},
        )
    ]
    report = nbformat.v4.new_code_cell("show.html(...)", metadata={"tags": ["report"]})
    html = {"text/html": "<h1>年度报告</h1>"}
    report.outputs = [nbformat.v4.new_output("display_data", data=html)]
    return nbformat.v4.new_notebook(cells=[cell, figure, report])


class Calls(list):
    """The calls of the replaced _execute; `outcome["error"]` is what it reports as the error;
    `started` the kernels the replaced _start_kernel started."""

    outcome: dict
    started: list


class FakeKernel:
    """Stands for the kernel manager started during validation: records its life."""

    def __init__(self, root: Path) -> None:
        self.root, self.stops, self.executed = root, 0, False

    def stop(self, wait: bool = True) -> None:
        """`stops`: 1 once a stop was asked for, 2 once one waited for the shutdown."""
        self.stops = max(self.stops, 2 if wait else 1)


@pytest.fixture
def kernel(monkeypatch, executed_nb) -> Calls:
    """Replace papermill: _execute returns the executed-like notebook and the error a test sets."""
    calls = Calls()
    calls.outcome = {"error": None}
    calls.started = []

    def start(root: Path) -> FakeKernel:
        calls.started.append(FakeKernel(root))
        return calls.started[-1]

    def fake(root: Path, year: str, strict: bool, kernel=None):
        assert kernel is calls.started[-1] and kernel.stops == 0  # runs in the early kernel
        kernel.executed = True
        calls.append((root, year, strict))
        nb = nbformat.reads(nbformat.writes(executed_nb), as_version=4)
        return normalise(nb), calls.outcome["error"]

    monkeypatch.setattr(execute, "_start_kernel", start)
    monkeypatch.setattr(execute, "_execute", fake)
    return calls


def test_execute_year_writes_every_output_and_a_manifest_that_verifies(root, kernel, tmp_path):
    dest = tmp_path / "out" / YEAR
    result = execute.execute_year(root, YEAR, True, dest, validate=pipeline.load)
    assert kernel == [(root, YEAR, True)]
    assert isinstance(result, RunResult)
    assert (result.year, result.out_dir) == (YEAR, dest)
    assert result.summary == {"rules": 71, "errors": 11, "warnings": 8}
    assert result.findings["id"].tolist()[:3] == ["C01", "F03", "F03p"]
    assert set(result.stages) == {"validate", "execute", "render"}
    (started,) = kernel.started
    assert (started.root, started.executed, started.stops) == (root, True, 2)
    names = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert "manifest.json" in names and "report.pdf" in names
    assert "figures/publications_by_channel.png" in names
    assert verify_outputs(dest) == []
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"] == result.summary
    assert manifest["parameters"]["academic_year"] == YEAR
    assert manifest["corrections"] == []
    # no staging folder left; the lock file and the manifest's digest beside the folder
    assert sorted(p.name for p in dest.parent.iterdir()) == [
        f".lock-{YEAR}",
        YEAR,
        f"{YEAR}.sha256",
    ]
    digest = hashlib.sha256((dest / "manifest.json").read_bytes()).hexdigest()
    assert result.digest == digest
    assert (dest.parent / f"{YEAR}.sha256").read_text() == f"{digest}  {YEAR}/manifest.json\n"


def test_execute_year_records_the_summary_and_title_in_the_notebook(root, kernel, tmp_path):
    dest = tmp_path / YEAR
    execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    nb = nbformat.read(dest / "workbook.ipynb", as_version=4)
    assert nb.metadata["disclosure"] == {
        "summary": {"rules": 71, "errors": 11, "warnings": 8},
        "title": "重庆机电职业技术大学2023-2024学年信息公开工作年度报告",
        "report_figures": False,  # params/2023-2024.yaml prints no figures in the publication copy
        "corrections": {
            "columns": ["表", "位置", "字段", "更正前", "更正后", "原因", "更正人", "日期"],
            "rows": [],
        },
    }


def test_execute_year_replaces_old_outputs_and_a_stale_staging_folder(root, kernel, tmp_path):
    dest = tmp_path / YEAR
    dest.mkdir()
    (dest / "stale.csv").write_text("old", encoding="utf-8")
    stale = tmp_path / ".staging-2023-2024-killed"
    stale.mkdir()
    execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    assert not (dest / "stale.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".lock-{YEAR}", YEAR, f"{YEAR}.sha256"]


def test_execute_year_keeps_the_failed_notebook_and_the_previous_outputs(root, kernel, tmp_path):
    dest = tmp_path / YEAR
    dest.mkdir()
    (dest / "report.pdf").write_bytes(b"%PDF-old")
    kernel.outcome["error"] = "第 7 个执行单元格出错:ValueError: boom"
    with pytest.raises(RunFailed, match="ValueError: boom") as caught:
        execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    assert [(k.executed, k.stops) for k in kernel.started] == [(True, 2)]
    assert caught.value.failed_dir == dest / "failed"
    assert (dest / "report.pdf").read_bytes() == b"%PDF-old"
    assert sorted(p.name for p in (dest / "failed").iterdir()) == [
        "manifest.json",
        "workbook.ipynb",
    ]
    failed = json.loads((dest / "failed" / "manifest.json").read_text(encoding="utf-8"))
    assert failed["error"] == "第 7 个执行单元格出错:ValueError: boom"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".lock-{YEAR}", YEAR]  # no staging


def test_execute_year_with_bad_input_starts_nothing_and_writes_nothing(root, kernel, tmp_path):
    def refuse(root: Path, year: str):
        raise InputError.one("params/2023-2024.yaml", "坏参数")

    with pytest.raises(InputError, match="坏参数"):
        execute.execute_year(root, YEAR, False, tmp_path / YEAR, validate=refuse)
    assert kernel == []
    (started,) = kernel.started  # started while validating, stopped without running a cell
    assert (started.executed, started.stops) == (False, 2)
    assert list(tmp_path.iterdir()) == []


def test_execute_year_without_the_cjk_font_stops_before_the_kernel(
    root,
    kernel,
    tmp_path,
    monkeypatch,
):
    def not_found(*args, **kwargs):
        raise ValueError("Failed to find font")

    monkeypatch.setattr(font_manager, "findfont", not_found)
    with pytest.raises(InputError, match="fonts-noto-cjk"):
        execute.execute_year(root, YEAR, False, tmp_path / YEAR, validate=pipeline.load)
    assert kernel == []
    assert [(k.executed, k.stops) for k in kernel.started] == [(False, 2)]
    assert list(tmp_path.iterdir()) == []


# --- one run per year; the swap survives a kill at every step ---------------------------------


def dead_pid() -> int:
    """The id of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def fake_outputs(folder: Path, text: str) -> None:
    """A complete output folder (two files and their sealed manifest) that verify accepts."""
    (folder / "figures").mkdir(parents=True, exist_ok=True)
    files = {"report.html": text.encode(), "figures/a.png": PNG + text.encode()}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    outputs = [
        {"path": n, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()}
        for n, d in sorted(files.items())
    ]
    record = {"academic_year": YEAR, "inputs": [], "outputs": outputs}
    (folder / "manifest.json").write_text(sealed_text(record), encoding="utf-8")


def test_a_second_lock_on_the_same_year_refuses_naming_the_holder(tmp_path) -> None:
    final = tmp_path / YEAR
    first = execute.YearLock(final)
    try:
        holder = re.escape(f"正由另一次运行(进程 {os.getpid()})")
        with pytest.raises(RunFailed, match=holder) as caught:
            execute.YearLock(final)
        assert caught.value.failed_dir is None
        other = execute.YearLock(tmp_path / "2022-2023")  # another year is not blocked
        other.release()
    finally:
        first.release()
    execute.YearLock(final).release()  # free again once released


def test_the_lock_refuses_a_run_in_another_process(tmp_path) -> None:
    final = tmp_path / YEAR
    lock = execute.YearLock(final)
    try:
        code = (
            "import sys; from pathlib import Path; from disclosure.evidence import execute\n"
            "from disclosure.errors import RunFailed\n"
            f"try: execute.YearLock(Path({str(final)!r}))\n"
            "except RunFailed as e: print(e); sys.exit(3)\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    finally:
        lock.release()
    assert done.returncode == 3, done.stderr
    assert f"学年 {YEAR} 正由另一次运行(进程 {os.getpid()})" in done.stdout


def test_recovery_removes_staging_folders_only_of_processes_that_are_gone(tmp_path) -> None:
    gone = tmp_path / f".staging-{YEAR}-{dead_pid()}-abc"
    alive = tmp_path / f".staging-{YEAR}-{os.getppid()}-def"
    other_year = tmp_path / f".staging-2022-2023-{dead_pid()}-ghi"
    for folder in (gone, alive, other_year):
        folder.mkdir()
    execute.YearLock(tmp_path / YEAR).release()
    assert not gone.exists()
    assert alive.exists() and other_year.exists()


def test_recovery_restores_the_old_outputs_when_the_year_folder_is_missing(tmp_path) -> None:
    old = tmp_path / f".old-{YEAR}-{dead_pid()}"
    fake_outputs(old, "old")
    execute.YearLock(tmp_path / YEAR).release()
    assert not old.exists()
    assert (tmp_path / YEAR / "report.html").read_text() == "old"
    digest = (tmp_path / f"{YEAR}.sha256").read_text()[:64]
    assert verify_outputs(tmp_path / YEAR, digest=digest) == []
    assert verify_outputs(tmp_path / YEAR) == []


def test_recovery_removes_the_old_outputs_when_the_new_ones_are_in_place(tmp_path) -> None:
    old = tmp_path / f".old-{YEAR}-{dead_pid()}"
    fake_outputs(old, "old")
    fake_outputs(tmp_path / YEAR, "new")
    execute.YearLock(tmp_path / YEAR).release()
    assert not old.exists()
    assert (tmp_path / YEAR / "report.html").read_text() == "new"


def test_recovery_keeps_the_old_folder_of_a_live_process(tmp_path) -> None:
    old = tmp_path / f".old-{YEAR}-{os.getppid()}"
    fake_outputs(old, "old")
    execute.YearLock(tmp_path / YEAR).release()
    assert old.exists() and not (tmp_path / YEAR).exists()


def test_recovery_rewrites_a_stale_digest_file_and_removes_an_orphan_one(tmp_path) -> None:
    final = tmp_path / YEAR
    digest = tmp_path / f"{YEAR}.sha256"
    digest.write_text("0" * 64 + f"  {YEAR}/manifest.json\n")
    execute.YearLock(final).release()
    assert not digest.exists()  # no outputs: no digest
    fake_outputs(final, "new")
    digest.write_text("0" * 64 + f"  {YEAR}/manifest.json\n")
    execute.YearLock(final).release()
    expected = hashlib.sha256((final / "manifest.json").read_bytes()).hexdigest()
    assert digest.read_text() == f"{expected}  {YEAR}/manifest.json\n"


# A child process runs the end of execute_year (lock, staging, swap, digest) over a folder holding
# the previous run's outputs, and dies with os._exit at one step. Then the next run takes the lock:
# outputs/<year> must hold one run's complete outputs, which verify accepts.
KILL_CHILD = """
import os, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from disclosure.evidence import execute
from test_execute import fake_outputs

final, kill_at = Path({final!r}), {kill_at!r}
real_rename, real_replace = os.rename, os.replace
calls = []

def counted(real):
    def call(src, dst, *a, **k):
        calls.append((src, dst))
        if len(calls) == kill_at:
            os._exit(9)
        return real(src, dst, *a, **k)
    return call

lock = execute.YearLock(final)
staging = lock.staging()
fake_outputs(staging, "new")
os.rename, os.replace = counted(real_rename), counted(real_replace)
execute._swap(staging, final)
execute.publish_digest(final)
lock.release()
"""
# The renames of a swap over a signed folder, in order: outputs/<year> → .old-<year>-<pid>;
# staging → outputs/<year>; the signature → superseded/<year>-<digest>.sig; .old-… →
# superseded/<year>-<digest>; that folder's digest file; outputs/<year>.sha256.
KILL_AT = [1, 2, 3, 4, 5, 6, None]


@pytest.mark.parametrize("kill_at", KILL_AT)
def test_a_kill_at_any_step_of_the_swap_leaves_evidence_or_names_the_fix(
    tmp_path, kill_at, cli
) -> None:
    final = tmp_path / "outputs" / YEAR
    fake_outputs(final, "old")
    execute.YearLock(final).release()  # the previous run's digest file
    old_digest = (final.parent / f"{YEAR}.sha256").read_text(encoding="utf-8").split()[0]
    (final.parent / f"{YEAR}.sig").write_text("c2lnbmF0dXJl\n", encoding="ascii")
    code = KILL_CHILD.format(tests=str(Path(__file__).parent), final=str(final), kill_at=kill_at)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == (0 if kill_at is None else 9), done.stderr
    # right after the kill: verify passes, or names the command that restores the outputs
    status, out = cli("verify", final)
    if kill_at == 2:  # between the two renames: no outputs/<year>
        assert status == 1 and f"disclosure --root {tmp_path} run {YEAR}" in out, out
        assert "即可恢复" in out
    else:
        assert status == 0, out
    execute.YearLock(final).release()  # what the next run does first
    assert verify_outputs(final) == []
    digest = (final.parent / f"{YEAR}.sha256").read_text(encoding="utf-8").split()[0]
    assert verify_outputs(final, digest=digest) == []
    restored = kill_at in (1, 2)
    assert (final / "report.html").read_text() == ("old" if restored else "new")
    names = sorted(p.name for p in final.parent.iterdir())
    if restored:  # the old outputs and their signature, as before the run
        assert names == [f".lock-{YEAR}", YEAR, f"{YEAR}.sha256", f"{YEAR}.sig"]
        assert digest == old_digest
        return
    assert names == [f".lock-{YEAR}", YEAR, f"{YEAR}.sha256", "superseded"]
    kept = final.parent / "superseded" / f"{YEAR}-{old_digest[:12]}"
    assert (kept / "report.html").read_text() == "old"  # never deleted: moved aside
    assert verify_outputs(kept, digest=old_digest) == []
    assert sorted(p.name for p in kept.parent.iterdir()) == [
        kept.name,
        f"{kept.name}.sha256",
        f"{kept.name}.sig",
    ]


def test_a_write_that_fails_leaves_the_previous_outputs_and_no_staging(root, kernel, tmp_path):
    dest = tmp_path / YEAR
    fake_outputs(dest, "old")
    real = execute.write_bytes

    def disk_full(path, data, mode=0o644):  # noqa: ANN001
        if path.name == "report.pdf":
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data, mode)

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(execute, "write_bytes", disk_full)
    try:
        with pytest.raises(OSError):
            execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    finally:
        monkeypatch.undo()
    assert (dest / "report.html").read_text() == "old"
    assert verify_outputs(dest) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".lock-{YEAR}", YEAR, f"{YEAR}.sha256"]
    execute.YearLock(dest).release()  # the lock was released


# --- the run context; proof over content ------------------------------------------------------


def test_a_kernel_the_caller_passes_is_used_and_not_stopped(
    root, executed_nb, monkeypatch, tmp_path
):
    lent = FakeKernel(root)
    used = []

    def fake(root, year, strict, kernel=None):
        used.append(kernel)
        return normalise(nbformat.reads(nbformat.writes(executed_nb), as_version=4)), None

    def no_start(root):
        raise AssertionError("a kernel of its own was started")

    monkeypatch.setattr(execute, "_execute", fake)
    monkeypatch.setattr(execute, "_start_kernel", no_start)
    execute.execute_year(root, YEAR, False, tmp_path / YEAR, validate=pipeline.load, kernel=lent)
    assert used == [lent] and lent.stops == 0  # it stays for its owner


def test_an_identical_rerun_keeps_the_registered_folder_its_digest_and_signature(
    root, kernel, tmp_path
):
    dest = tmp_path / YEAR
    first = execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    private, public = ed25519_key_pair(tmp_path / "keys")
    from disclosure.evidence.archive import load_private_key

    signature = load_private_key(private).sign((dest / "manifest.json").read_bytes())
    (tmp_path / f"{YEAR}.sig").write_text(base64.b64encode(signature).decode() + "\n")
    inodes = {p: p.stat().st_ino for p in dest.rglob("*") if p.is_file() and p.name != TIMINGS}
    second = execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    assert (first.kept, second.kept, second.superseded) == ("new", "unchanged", None)
    assert second.digest == first.digest
    assert {p: p.stat().st_ino for p in inodes} == inodes  # the very files, untouched
    assert verify_outputs(dest, digest=first.digest, public_key=public) == []
    runs = json.loads((dest / TIMINGS).read_text(encoding="utf-8"))["runs"]
    assert [r["evidence"] for r in runs] == ["new", "unchanged"]
    assert "started" not in json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "keys") == [
        f".lock-{YEAR}",
        YEAR,
        f"{YEAR}.sha256",
        f"{YEAR}.sig",
    ]


def test_a_rerun_over_tampered_outputs_supersedes_them_even_with_the_same_manifest(
    root, kernel, tmp_path
):
    dest = tmp_path / YEAR
    first = execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    (dest / "report.html").chmod(0o644)
    (dest / "report.html").write_text("tampered", encoding="utf-8")
    second = execute.execute_year(root, YEAR, False, dest, validate=pipeline.load)
    assert second.kept == "superseded" and second.digest == first.digest
    assert verify_outputs(dest) == []
    assert (second.superseded / "report.html").read_text(encoding="utf-8") == "tampered"


def test_the_corrections_reach_the_pdf_copies_as_the_workbook_shows_them() -> None:
    from types import SimpleNamespace

    from disclosure.inputs.params import Correction

    fix = Correction("items", {"item": 7}, "count", 3, "原表漏填", "张三", "2024-10-01")
    record = execute.corrections_record(SimpleNamespace(corrections=[fix]))
    assert record["columns"] == ["表", "位置", "字段", "更正前", "更正后", "原因", "更正人", "日期"]
    assert record["rows"] == [
        ["items", {"item": 7}, "count", 3, "原表漏填", "张三", "2024-10-01", 1]
    ]
    json.dumps(record)  # it goes into the notebook's metadata
    assert execute.corrections_record(SimpleNamespace(corrections=[]))["rows"] == []
