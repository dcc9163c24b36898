"""Evidence that holds up: reproducible runs, a manifest that says what was run on what, `verify`,
`verify --rerun`, `archive`, failed and strict runs that never damage earlier outputs, corrections
made in parameters, and `init` of a new year.

Every test works in its own temporary copy of the workspace (forms/, notebooks/, params/, data/ of
the repository), so the repository's outputs/ is never touched. Full notebook runs (≈8 s each) are
shared through module-scoped fixtures.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import time
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from workspaces import build_workspace, run_cli_subprocess

REPO = Path(__file__).resolve().parents[2]
YEAR = "2023-2024"
RAW = f"data/raw/{YEAR}"
COMPARED = (
    "statistics.csv",
    "checklist.csv",
    "checklist_categories.csv",
    "findings.csv",
    "findings.json",
    "workbook.ipynb",
    "report.html",
    "audit.html",
    "report.pdf",
)
EXPORT_MARKER = "# %% [markdown]\n# ## 9. 导出结果"
CJK = re.compile(r"[\u4e00-\u9fff]")


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def make_workspace(dest: Path) -> Path:
    """A copy of the repository's forms/, notebooks/, params/ and data/ in `dest` (no outputs)."""
    return build_workspace(dest, repo_years=True)


def disclosure(
    root: Path, *args: str | Path, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`disclosure --root <root> <args>` in a child process, as a user runs it."""
    return run_cli_subprocess("--root", root, *args, timeout=timeout)


def out_dir(root: Path) -> Path:
    return root / "outputs" / YEAR


def snapshot(folder: Path, skip_failed: bool = True) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes), optionally without failed/."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel == "timings.json":  # when it ran: outside the evidence (README)
            continue
        if path.is_file() and not (skip_failed and rel.startswith("failed/")):
            found[rel] = path.read_bytes()
    return found


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def statistics_by_row(folder: Path) -> dict[int, dict[str, str]]:
    return {int(r["row"]): r for r in read_csv_rows(folder / "statistics.csv")}


def load_nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source_of(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def error_cells(nb: dict) -> list[tuple[dict, dict]]:
    return [
        (cell, o)
        for cell in nb["cells"]
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]


def output_text(cell: dict) -> str:
    """All text of a cell's outputs (text/plain, text/html, streams)."""
    parts = []
    for output in cell.get("outputs", []):
        for key in ("text/plain", "text/html"):
            value = output.get("data", {}).get(key)
            if value:
                parts.append("".join(value) if isinstance(value, list) else value)
        if "text" in output:
            parts.append(
                "".join(output["text"]) if isinstance(output["text"], list) else output["text"]
            )
    return "\n".join(parts)


def edit_notebook(root: Path, cell_source: str) -> None:
    """Insert a code cell before the export cell of the copy's notebooks/workbook.py (text edit)."""
    path = root / "notebooks" / "workbook.py"
    text = path.read_text(encoding="utf-8")
    assert text.count(EXPORT_MARKER) == 1, (
        "the export section of workbook.py moved; update the test"
    )
    path.write_text(
        text.replace(EXPORT_MARKER, f"# %%\n{cell_source}\n\n{EXPORT_MARKER}"), encoding="utf-8"
    )


def leftovers(root: Path) -> list[str]:
    return sorted(
        p.name for p in (root / "outputs").iterdir() if p.name.startswith((".staging-", ".old-"))
    )


def add_corrections(root: Path, block: str) -> None:
    """Replace `corrections: []` of the copy's params file by `block` (YAML text)."""
    path = root / "params" / f"{YEAR}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "corrections: []\n" in text
    path.write_text(text.replace("corrections: []\n", block), encoding="utf-8")


# The `on` key is quoted: PyYAML reads a bare `on:` as the boolean True (see tests/test_cli.py).
CORRECTIONS = """corrections:
  - table: profile
    field: special_funding_project
    value: 有
    reason: 原件第 7 行落实专项经费 8000 元,第 6 行应为“有”
    by: 测试核对员
    "on": "2024-11-20"
  - table: publications
    match: {channel: 门户网站}
    field: count
    value: 336
    reason: 门户网站漏计 1 条
    by: 测试核对员
    "on": "2024-11-21"
"""


# --------------------------------------------------------------------------------------------------
# module-scoped runs
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two runs of 2023-2024 in the same workspace; the first run's outputs are copied aside before
    the second."""
    root = make_workspace(tmp_path_factory.mktemp("evidence"))
    clock = time.perf_counter()
    first = disclosure(root, "run", YEAR)
    seconds = time.perf_counter() - clock
    assert first.returncode == 0, first.stdout + first.stderr  # written, whatever the findings
    aside = tmp_path_factory.mktemp("first-run") / YEAR
    shutil.copytree(out_dir(root), aside)
    second = disclosure(root, "run", YEAR)
    assert second.returncode == 0, second.stdout + second.stderr
    return {
        "root": root,
        "first": aside,
        "second": out_dir(root),
        "runs": (first, second),
        "seconds": seconds,
    }


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = make_workspace(tmp_path_factory.mktemp("corrected"))
    add_corrections(root, CORRECTIONS)
    done = disclosure(root, "run", YEAR)
    return {"root": root, "out": out_dir(root), "done": done}


# --------------------------------------------------------------------------------------------------
# reproducibility and the manifest
# --------------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_two_runs_on_the_same_inputs_are_byte_identical(twice) -> None:  # type: ignore[no-untyped-def]
    first, second = twice["first"], twice["second"]
    for name in COMPARED:
        assert (first / name).read_bytes() == (second / name).read_bytes(), (
            f"{name} differs between two runs"
        )
    figures = sorted(p.name for p in (first / "figures").glob("*.png"))
    assert figures == sorted(p.name for p in (second / "figures").glob("*.png"))
    assert len(figures) >= 3
    for name in figures:
        assert (first / "figures" / name).read_bytes() == (
            second / "figures" / name
        ).read_bytes(), f"figures/{name} differs"
    one, two = load_nb(first / "manifest.json"), load_nb(second / "manifest.json")
    assert one["outputs"] == two["outputs"]
    assert set(snapshot(first)) == set(snapshot(second))


@pytest.mark.e2e
def test_manifest_records_what_was_run_on_what(twice) -> None:  # type: ignore[no-untyped-def]
    root, out = twice["root"], twice["second"]
    manifest = load_nb(out / "manifest.json")

    assert manifest["academic_year"] == YEAR
    assert manifest["parameters"]["academic_year"] == YEAR
    assert manifest["parameters"]["data_dir"] == RAW
    assert manifest["corrections"] == []

    # inputs: every raw file of the year, the params, the forms and the notebook, with true size
    # and hash
    paths = [r["path"] for r in manifest["inputs"]]
    for rel in [f"{RAW}/{p.name}" for p in (root / RAW).iterdir()] + [
        f"params/{YEAR}.yaml",
        "notebooks/workbook.py",
        "forms/statistics.yaml",
        "forms/tables.yaml",
        "forms/rules.yaml",
    ]:
        assert rel in paths, f"{rel} is not recorded as an input"
    for record in manifest["inputs"]:
        assert set(record) >= {"path", "bytes", "sha256"}
        path = root / record["path"]
        assert record["bytes"] == path.stat().st_size, record["path"]
        assert record["sha256"] == sha256_of(path), record["path"]

    # outputs: every file written (except the manifest itself), each with its hash
    recorded = {o["path"]: o for o in manifest["outputs"]}
    assert set(recorded) == set(snapshot(out)) - {"manifest.json"}
    for rel, record in recorded.items():
        assert record["sha256"] == sha256_of(out / rel), rel
        assert record["bytes"] == (out / rel).stat().st_size, rel

    assert manifest["forms"] == {
        p: sha256_of(root / p)
        for p in ("forms/statistics.yaml", "forms/tables.yaml", "forms/rules.yaml")
    }
    for package in ("python", "papermill", "nbconvert", "nbclient", "pandas", "matplotlib"):
        assert manifest["versions"].get(package), f"version of {package} not recorded"
    font = Path(manifest["font"]["file"])
    assert font.is_file() and manifest["font"]["sha256"] == sha256_of(font)
    assert manifest["pdf_engine"].startswith("Typst ")
    assert set(manifest["git"]) >= {"revision", "dirty"}
    assert not {"started", "finished", "stages_seconds"} & set(manifest)  # content, not time
    timing = json.loads((out / "timings.json").read_text(encoding="utf-8"))["runs"][-1]
    started, finished = (
        datetime.fromisoformat(timing["started"]),
        datetime.fromisoformat(timing["finished"]),
    )
    assert started <= finished
    stages = timing["stages_seconds"]
    assert set(stages) >= {"validate", "execute", "render"}
    assert all(isinstance(v, (int, float)) and v >= 0 for v in stages.values())


VOLATILE_KEYS = {
    "papermill",
    "start_time",
    "end_time",
    "duration",
    "iopub.status.busy",
    "iopub.execute_input",
    "shell.execute_reply",
    "iopub.status.idle",
    "execution",
}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.mark.e2e
def test_executed_notebook_has_no_timings_and_a_stable_parameters_cell(twice) -> None:  # type: ignore[no-untyped-def]
    nb = load_nb(twice["second"] / "workbook.ipynb")
    assert "papermill" not in nb["metadata"]
    for cell in nb["cells"]:
        assert not (_keys(cell.get("metadata", {})) & VOLATILE_KEYS), (
            cell["id"],
            cell.get("metadata"),
        )
    assert not (_keys(nb["metadata"]) & VOLATILE_KEYS)
    injected = [
        c for c in nb["cells"] if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    ]
    assert len(injected) == 1
    assert injected[0]["id"] == "injected-parameters"
    assert f'academic_year = "{YEAR}"' in source_of(injected[0])
    ids = [c["id"] for c in nb["cells"]]
    assert len(ids) == len(set(ids))
    assert not error_cells(nb)


# --------------------------------------------------------------------------------------------------
# disclosure verify
# --------------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_verify_passes_on_a_fresh_run(twice) -> None:  # type: ignore[no-untyped-def]
    done = disclosure(twice["root"], "verify", twice["second"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "全部输出与 manifest 一致" in done.stdout


@pytest.mark.e2e
def test_verify_names_a_file_changed_by_one_byte(twice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / YEAR
    shutil.copytree(twice["second"], folder)
    path = folder / "statistics.csv"
    data = bytearray(path.read_bytes())
    index = data.index(b"335")  # row 10's value: change one digit, same length
    data[index + 2] = ord("6")
    path.write_bytes(bytes(data))
    done = disclosure(twice["root"], "verify", folder)
    assert done.returncode == 1, done.stdout + done.stderr
    named = [line for line in done.stdout.splitlines() if line.strip().startswith("- ")]
    assert len(named) == 1 and "statistics.csv" in named[0], done.stdout


@pytest.mark.e2e
def test_verify_reports_a_deleted_output_and_an_unrecorded_file(twice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / YEAR
    shutil.copytree(twice["second"], folder)
    (folder / "figures" / "media_by_prominence.png").unlink()
    (folder / "notes.txt").write_text("后来加的文件\n", encoding="utf-8")
    done = disclosure(twice["root"], "verify", folder)
    assert done.returncode == 1, done.stdout + done.stderr
    missing = [
        line for line in done.stdout.splitlines() if "figures/media_by_prominence.png" in line
    ]
    extra = [line for line in done.stdout.splitlines() if "notes.txt" in line]
    assert missing and "缺失" in missing[0], done.stdout
    assert extra and "没有记录" in extra[0], done.stdout


@pytest.mark.e2e
def test_verify_rerun_repeats_the_results_on_unchanged_inputs(twice) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(twice["second"], skip_failed=False)
    done = disclosure(twice["root"], "verify", "--rerun", twice["second"])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "结果与存档完全相同" in done.stdout
    assert snapshot(twice["second"], skip_failed=False) == before


@pytest.mark.e2e
def test_verify_rerun_names_a_changed_input_and_the_outputs_that_differ(
    twice, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "ws"
    shutil.copytree(twice["root"], root)
    publications = root / RAW / "publications.csv"
    text = publications.read_text(encoding="utf-8")
    assert text.count("门户网站,335,") == 1
    publications.write_text(text.replace("门户网站,335,", "门户网站,336,"), encoding="utf-8")
    before = snapshot(out_dir(root), skip_failed=False)

    done = disclosure(root, "verify", "--rerun", out_dir(root))
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(f"{RAW}/publications.csv" in line for line in lines), done.stdout
    differing = {
        line.strip()[2:].split(":")[0] for line in lines if "重新运行的结果与存档不同" in line
    }
    assert {
        "statistics.csv",
        "findings.json",
        "workbook.ipynb",
        "report.html",
        "report.pdf",
        "figures/publications_by_channel.png",
    } <= differing, done.stdout
    assert "checklist_categories.csv" not in differing  # the checklist did not change
    assert snapshot(out_dir(root), skip_failed=False) == before, (
        "verify --rerun must not touch the archived outputs"
    )


@pytest.mark.e2e
def test_verify_rerun_reports_a_rerun_that_fails(twice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "ws"
    shutil.copytree(twice["root"], root, ignore=shutil.ignore_patterns("archives"))
    edit_notebook(root, 'raise RuntimeError("测试错误")')
    done = disclosure(root, "verify", "--rerun", out_dir(root))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr[-600:]
    assert "notebooks/workbook.py" in done.stdout, done.stdout
    assert "测试错误" in done.stdout, done.stdout


# --------------------------------------------------------------------------------------------------
# disclosure archive
# --------------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_archive_is_one_reproducible_zip_of_outputs_and_inputs(twice) -> None:  # type: ignore[no-untyped-def]
    root, out = twice["root"], twice["second"]
    done = disclosure(root, "archive", YEAR)
    assert done.returncode == 0, done.stdout + done.stderr
    zips = sorted((root / "outputs" / "archives").glob("*.zip"))
    assert len(zips) == 1
    target = zips[0]
    match = re.fullmatch(rf"{YEAR}-evidence-([0-9a-f]+)\.zip", target.name)
    assert match, target.name
    data = target.read_bytes()
    assert hashlib.sha256(data).hexdigest().startswith(match.group(1))
    assert target.name in done.stdout

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        for name in (
            "outputs/workbook.ipynb",
            "outputs/report.pdf",
            "outputs/manifest.json",
            f"inputs/{RAW}/checklist.csv",
        ):
            assert name in names, f"{name} missing from the archive"
        assert zf.read("outputs/report.pdf") == (out / "report.pdf").read_bytes()
        assert zf.read("outputs/manifest.json") == (out / "manifest.json").read_bytes()
        assert zf.read(f"inputs/{RAW}/checklist.csv") == (REPO / RAW / "checklist.csv").read_bytes()
        assert not any(n.startswith("outputs/failed/") for n in names)

    again = disclosure(root, "archive", YEAR)
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted((root / "outputs" / "archives").glob("*.zip")) == [target]
    assert target.read_bytes() == data


@pytest.mark.e2e
def test_archive_refuses_tampered_outputs(twice, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "ws"
    shutil.copytree(twice["root"], root, ignore=shutil.ignore_patterns("archives"))
    findings = out_dir(root) / "findings.csv"
    findings.write_bytes(findings.read_bytes() + b"\n")  # one byte more
    done = disclosure(root, "archive", YEAR)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "findings.csv" in done.stdout
    assert not list((root / "outputs").glob("archives/*.zip"))


# --------------------------------------------------------------------------------------------------
# failed runs keep the previous outputs
# --------------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_failing_cell_keeps_previous_outputs_and_the_failed_notebook(
    twice, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "ws"
    shutil.copytree(twice["root"], root, ignore=shutil.ignore_patterns("archives"))
    edit_notebook(root, 'raise RuntimeError("测试错误")')
    before = snapshot(out_dir(root))

    done = disclosure(root, "run", YEAR)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "RuntimeError" in done.stdout and "测试错误" in done.stdout, done.stdout
    said = re.search(r"第 (\d+) 个执行单元格出错", done.stdout)
    assert said, done.stdout

    assert snapshot(out_dir(root)) == before, "the previous outputs were changed by a failed run"
    assert disclosure(root, "verify", out_dir(root)).returncode == 0
    failed = out_dir(root) / "failed"
    nb = load_nb(failed / "workbook.ipynb")
    errors = error_cells(nb)
    assert len(errors) == 1
    cell, error = errors[0]
    assert error["ename"] == "RuntimeError" and error["evalue"] == "测试错误"
    assert 'raise RuntimeError("测试错误")' in source_of(cell)
    assert cell["execution_count"] == int(said.group(1)), (
        "the printed cell number is not the failing cell"
    )
    manifest = load_nb(failed / "manifest.json")
    assert "测试错误" in manifest["error"]
    assert manifest["inputs"]
    assert leftovers(root) == []


# The kernel writes a line to its own stderr (fd 2, not a cell's captured output), then dies.
KILL = (
    'import os, signal; os.write(2, b"kernel-stderr-mark\\n"); os.kill(os.getpid(), signal.SIGKILL)'
)


@pytest.fixture(scope="module")
def killed(twice, tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[no-untyped-def]
    """A copy with the previous run's outputs, whose notebook kills its own kernel before the
    export cell."""
    root = tmp_path_factory.mktemp("killed") / "ws"
    shutil.copytree(twice["root"], root, ignore=shutil.ignore_patterns("archives"))
    edit_notebook(root, KILL)
    before = snapshot(out_dir(root))
    done = disclosure(root, "run", YEAR)
    return {"root": root, "before": before, "done": done}


@pytest.mark.e2e
def test_a_killed_kernel_keeps_previous_outputs(killed) -> None:  # type: ignore[no-untyped-def]
    root, done = killed["root"], killed["done"]
    assert done.returncode == 1, done.stdout + done.stderr
    assert "运行失败" in done.stdout and ("内核" in done.stdout or "DeadKernel" in done.stdout), (
        done.stdout
    )
    assert snapshot(out_dir(root)) == killed["before"], (
        "the previous outputs were changed by a killed run"
    )
    assert disclosure(root, "verify", out_dir(root)).returncode == 0
    assert (out_dir(root) / "failed" / "workbook.ipynb").is_file()
    assert "内核" in load_nb(out_dir(root) / "failed" / "manifest.json")["error"]
    assert leftovers(root) == [], "a .staging-* folder was left in outputs/"


@pytest.mark.e2e
def test_a_killed_kernels_stderr_is_in_the_message_not_on_the_terminal(killed) -> None:  # type: ignore[no-untyped-def]
    done = killed["done"]
    assert "kernel-stderr-mark" in done.stdout, done.stdout
    assert "kernel-stderr-mark" not in done.stderr, done.stderr
    assert "IPKernelApp" not in done.stderr, done.stderr


@pytest.mark.e2e
def test_a_killed_kernel_keeps_the_partly_executed_notebook(killed) -> None:  # type: ignore[no-untyped-def]
    nb = load_nb(out_dir(killed["root"]) / "failed" / "workbook.ipynb")
    assert any(c["id"] == "injected-parameters" for c in nb["cells"]), "no injected-parameters cell"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    kill = next(i for i, c in enumerate(code) if KILL in source_of(c))
    ran = [c for c in code[:kill] if c.get("outputs")]
    assert ran, "none of the cells executed before the kernel died kept its output"


@pytest.mark.e2e
def test_strict_run_stops_at_the_findings_cell_without_a_report(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    done = disclosure(root, "run", "--strict", YEAR)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "严格模式" in done.stdout
    out = out_dir(root)
    assert sorted(snapshot(out, skip_failed=False)) == [
        "failed/manifest.json",
        "failed/workbook.ipynb",
    ]
    nb = load_nb(out / "failed" / "workbook.ipynb")
    errors = error_cells(nb)
    assert len(errors) == 1
    cell, error = errors[0]
    assert error["ename"] == "ChecksFailed"
    assert "stop_if_strict" in source_of(cell)
    later = nb["cells"][nb["cells"].index(cell) + 1 :]
    assert not any(c.get("outputs") for c in later if c["cell_type"] == "code"), (
        "cells after the findings cell ran"
    )
    assert leftovers(root) == []


# --------------------------------------------------------------------------------------------------
# corrections in parameters
# --------------------------------------------------------------------------------------------------


@pytest.mark.e2e
def test_corrections_change_the_values_used(corrected) -> None:  # type: ignore[no-untyped-def]
    done = corrected["done"]
    assert done.returncode == 0, done.stdout + done.stderr  # written; other contradictions remain
    stats = statistics_by_row(corrected["out"])
    assert stats[6]["value"] == "有"
    assert stats[10]["value"] == "336"
    findings = {
        f["id"]: f
        for f in json.loads((corrected["out"] / "findings.json").read_text(encoding="utf-8"))
    }
    assert findings["F03"]["passed"] is True
    assert findings["F04"]["passed"] is True


@pytest.mark.e2e
def test_corrections_leave_the_raw_files_unchanged(corrected) -> None:  # type: ignore[no-untyped-def]
    root = corrected["root"]
    for path in sorted((REPO / RAW).iterdir()):
        assert (root / RAW / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.e2e
def test_corrections_are_shown_in_notebook_report_and_manifest(corrected) -> None:  # type: ignore[no-untyped-def]
    out = corrected["out"]
    nb = load_nb(out / "workbook.ipynb")
    cell = next(
        c for c in nb["cells"] if c["cell_type"] == "code" and "corrections_table" in source_of(c)
    )
    shown = output_text(cell)
    for text in (
        "更正前",
        "更正后",
        "special_funding_project",
        "336",
        "335",
        "门户网站漏计 1 条",
        "测试核对员",
    ):
        assert text in shown, f"{text} not in the notebook's corrections output"

    report = (out / "review.html").read_text(
        encoding="utf-8"
    )  # review material: not in report.html
    annex = report[report.index("审阅附录") :]
    assert "对原始数据的更正" in annex
    fixes = annex[annex.index("对原始数据的更正") :]
    for text in (
        "special_funding_project",
        "无",
        "有",
        "335",
        "336",
        "门户网站漏计 1 条",
        "测试核对员",
    ):
        assert text in fixes, f"{text} not in report.html's corrections table"

    manifest = load_nb(out / "manifest.json")
    recorded = manifest["corrections"]
    assert len(recorded) == 2
    by_field = {c["field"]: c for c in recorded}
    assert (
        by_field["special_funding_project"]["before"],
        by_field["special_funding_project"]["after"],
    ) == ("无", "有")
    assert (str(by_field["count"]["before"]), str(by_field["count"]["after"])) == ("335", "336")
    assert "publications.csv" in by_field["count"]["location"]
    assert all(c["reason"] and c["by"] == "测试核对员" and c["on"] for c in recorded)


def test_a_correction_matching_no_row_is_refused_before_any_output(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    add_corrections(
        root,
        """corrections:
  - table: publications
    match: {channel: 门户网站首页}
    field: count
    value: 336
    reason: 测试
    by: 测试核对员
    "on": "2024-11-21"
""",
    )
    done = disclosure(root, "run", YEAR)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "匹配到 0 行" in done.stdout and CJK.search(done.stdout), done.stdout
    assert "第 1 条更正" in done.stdout
    assert not (root / "outputs").exists() or not any((root / "outputs").iterdir())


# --------------------------------------------------------------------------------------------------
# disclosure init
# --------------------------------------------------------------------------------------------------

NEXT = "2024-2025"


def table_columns() -> dict[str, list[str]]:
    """Columns of each raw table as forms/tables.yaml lists them (read here, not through the
    package)."""
    forms = yaml.safe_load((REPO / "forms" / "tables.yaml").read_text(encoding="utf-8"))["tables"]
    return {
        name: list(spec["columns"]) for name, spec in forms.items() if name != "reported_statistics"
    }


def table_headers() -> dict[str, list[str]]:
    """The header `init` writes for each raw table: each column's Chinese title (forms/tables.yaml
    `column_titles`), the key where it has none."""
    spec = yaml.safe_load((REPO / "forms" / "tables.yaml").read_text(encoding="utf-8"))
    titles = spec.get("column_titles") or {}
    return {name: [titles.get(c, c) for c in cols] for name, cols in table_columns().items()}


def test_init_creates_params_and_csv_templates(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    done = disclosure(root, "init", NEXT)
    assert done.returncode == 0, done.stdout + done.stderr

    params = yaml.safe_load((root / "params" / f"{NEXT}.yaml").read_text(encoding="utf-8"))
    assert params["academic_year"] == NEXT
    assert params["data_dir"] == f"data/raw/{NEXT}"
    folder = root / "data" / "raw" / NEXT
    for name, columns in table_headers().items():
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == columns, name
        if name != "checklist":
            assert rows[1:] == [], f"{name}.csv should hold only its header"
    titles = dict(zip(table_columns()["checklist"], table_headers()["checklist"], strict=True))
    checklist = read_csv_rows(folder / "checklist.csv")
    reference = read_csv_rows(REPO / "data" / "reference" / "checklist_items.csv")
    assert [int(r[titles["item"]]) for r in checklist] == [int(r["item"]) for r in reference]
    assert [r[titles["category"]] for r in checklist] == [r["category_no"] for r in reference]
    profile = yaml.safe_load((folder / "profile.yaml").read_text(encoding="utf-8"))
    previous = yaml.safe_load((REPO / RAW / "profile.yaml").read_text(encoding="utf-8"))
    assert profile["institution"] == previous["institution"] == "重庆机电职业技术大学"
    assert not (root / "outputs").exists()


def test_init_xlsx_has_a_sheet_per_table_with_drop_down_lists(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    root = make_workspace(tmp_path / "ws")
    done = disclosure(root, "init", "--format", "xlsx", NEXT)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = root / "data" / "raw" / NEXT
    assert not list(folder.glob("*.csv"))
    book = load_workbook(folder / "tables.xlsx")
    columns = table_headers()
    assert sorted(book.sheetnames) == sorted(columns)
    for name, wanted in columns.items():
        sheet = book[name]
        assert [c.value for c in sheet[1]] == wanted, name
    sheet = book["publications"]
    rules = sheet.data_validations.dataValidation
    assert rules, "no data validation on the publications sheet"
    channel = [r for r in rules if r.type == "list" and "A2" in str(r.sqref)]
    assert channel, [(r.type, str(r.sqref)) for r in rules]
    assert "门户网站" in channel[0].formula1 and "官方微博微信" in channel[0].formula1
    assert book["checklist"].max_row == 51


def test_init_refuses_an_existing_year(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    assert disclosure(root, "init", NEXT).returncode == 0
    params = root / "params" / f"{NEXT}.yaml"
    params.write_text(params.read_text(encoding="utf-8") + "# 已编辑\n", encoding="utf-8")
    before = snapshot(root / "data" / "raw" / NEXT), params.read_bytes()
    again = disclosure(root, "init", NEXT)
    assert again.returncode == 2, again.stdout + again.stderr
    assert "已存在" in again.stdout
    assert (snapshot(root / "data" / "raw" / NEXT), params.read_bytes()) == before
    bundled = disclosure(root, "init", YEAR)
    assert bundled.returncode == 2, bundled.stdout + bundled.stderr
    assert (root / RAW / "checklist.csv").read_bytes() == (
        REPO / RAW / "checklist.csv"
    ).read_bytes()


@pytest.mark.e2e
def test_the_publication_copies_do_not_name_the_corrector(corrected) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    out = corrected["out"]
    assert "测试核对员" in (out / "review.html").read_text(encoding="utf-8")
    pdf = subprocess.run(
        ["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    word = "".join(p.text for p in Document(str(out / "report.docx")).paragraphs)
    html = (out / "report.html").read_text(encoding="utf-8")
    for copy in (pdf, word, html):
        assert "测试核对员" not in copy and "对原始数据的更正" not in copy
        assert "未通过校验" not in copy and "校验结果" not in copy
