"""A warm kernel's outputs are byte for byte a new kernel's: three consecutive years (the second
and third with a previous year; one contradicted), run by `disclosure run` in new kernels and by
one warm kernel in this process, every output file compared."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from disclosure.batch import warm
from disclosure.batch.collection import institution_years
from disclosure.batch.generate import generate_collection

REPO = Path(__file__).resolve().parents[2]


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "timings.json"  # when each ran: not the evidence
    }


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory):
    """(institution run fresh, the same institution run warm, its years)."""
    folder = tmp_path_factory.mktemp("warm") / "c"
    key = generate_collection(folder, REPO, institutions=1, years=3, share=0.34, seed=2)
    assert any(g.contradiction for g in key)
    twin = folder.parent / "twin"
    shutil.copytree(folder, twin, symlinks=True)
    fresh = institution_years(folder)[0].root
    path = os.pathsep.join(p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "disclosure.cli", "--root", str(fresh), "run", "--all"],
        env=dict(os.environ, PYTHONPATH=path, MPLBACKEND="Agg"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    warm_root = institution_years(twin)[0].root
    years = [g.year for g in key]
    for year in years:
        outcome = warm.run_warm(warm_root, year)
        assert outcome.status in ("passed", "failed_checks"), outcome
    state = warm.environment()
    yield fresh, warm_root, years, state
    warm.release()  # later tests in this process run new kernels again


def test_every_output_of_every_year_is_byte_identical(pair):
    fresh, warm_root, years, _ = pair
    for year in years:
        a, b = digests(fresh / "outputs" / year), digests(warm_root / "outputs" / year)
        assert set(a) == set(b)
        different = [name for name in a if a[name] != b[name] and name != "manifest.json"]
        assert different == [], (year, different)


def test_the_manifests_record_the_same_outputs_and_inputs(pair):
    """manifest.json differs only by its times (started, finished, stage seconds) and so by its
    seal (a digest over all of it)."""
    fresh, warm_root, years, _ = pair
    for year in years:
        a = json.loads((fresh / "outputs" / year / "manifest.json").read_text(encoding="utf-8"))
        b = json.loads((warm_root / "outputs" / year / "manifest.json").read_text(encoding="utf-8"))
        for volatile in ("started", "finished", "stages_seconds", "git", "seal"):
            a.pop(volatile, None), b.pop(volatile, None)
        assert a == b


def test_one_kernel_ran_every_year_counting_its_cells_from_one(pair):
    fresh, warm_root, years, state = pair
    assert state["runs"] == state["handed"] == len(years)  # papermill was handed the warm kernel
    import nbformat

    nb = nbformat.read(warm_root / "outputs" / years[-1] / "workbook.ipynb", as_version=4)
    counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
    assert counts[0] == 1 and counts == list(range(1, len(counts) + 1))
