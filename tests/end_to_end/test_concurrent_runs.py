"""End to end: two runs of one year at the same time, and a run killed mid-way (real kernels).

After each, `disclosure verify` passes on outputs/<year>, and that folder is one run's complete
outputs, its digest file matches it, and no staging or old folder is left. The swap's every step is
killed in tests/unit/evidence/test_execute.py (without a kernel); here the processes are real.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from workspaces import build_workspace

pytestmark = pytest.mark.e2e

FIXTURE = "synthetic_2030-2031"
YEAR = "2030-2031"


def start(root: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", MPLBACKEND="Agg")
    return subprocess.Popen(
        [sys.executable, "-m", "disclosure.cli", "--root", str(root), "run", YEAR],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
        start_new_session=True,  # its own process group: the kernel is killed with it
    )


def verify(root: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    folder = root / "outputs" / YEAR
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "disclosure.cli",
            "--root",
            str(root),
            "verify",
            str(folder),
            "--digest",
            str(folder.parent / f"{YEAR}.sha256"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )


def assert_one_complete_run(root: Path) -> None:
    folder = root / "outputs" / YEAR
    done = verify(root)
    assert done.returncode == 0, done.stdout + done.stderr
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    recorded = {o["path"] for o in manifest["outputs"]}
    for name in ("workbook.ipynb", "report.pdf", "statistics.csv", "findings.json", "audit.html"):
        assert name in recorded
    assert any(p.startswith("figures/") for p in recorded)
    digest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    assert (folder.parent / f"{YEAR}.sha256").read_text() == f"{digest}  {YEAR}/manifest.json\n"
    left = [p.name for p in folder.parent.iterdir() if p.name.startswith((".staging-", ".old-"))]
    assert left == []


def test_two_runs_of_one_year_at_once_one_refuses_and_the_other_completes(tmp_path: Path) -> None:
    root = build_workspace(tmp_path / "ws", [FIXTURE])
    first, second = start(root), start(root)
    outs = [p.communicate(timeout=900) for p in (first, second)]
    codes = [first.returncode, second.returncode]
    refused = [i for i, (out, _) in enumerate(outs) if "正由另一次运行" in out]
    assert len(refused) == 1, outs
    loser = refused[0]
    assert codes[loser] == 1
    assert "运行失败,原有输出未改动。学年 2030-2031 正由另一次运行(进程 " in outs[loser][0]
    winner = 1 - loser
    assert codes[winner] in (0, 1) and "manifest.json 的 SHA-256:" in outs[winner][0], outs
    assert_one_complete_run(root)


def test_a_run_killed_mid_way_is_repaired_by_the_next_run(tmp_path: Path) -> None:
    root = build_workspace(tmp_path / "ws", [FIXTURE])
    outputs = root / "outputs"
    killed = start(root)
    deadline = time.monotonic() + 600
    while not any(p.name.startswith(".staging-") for p in outputs.glob(".*")):
        assert killed.poll() is None and time.monotonic() < deadline, killed.communicate()
        time.sleep(0.2)
    os.killpg(killed.pid, signal.SIGKILL)  # the run and its kernel, mid-execution
    killed.wait()
    assert any(p.name.startswith(".staging-") for p in outputs.glob(".*"))  # left behind
    again = start(root)
    out, err = again.communicate(timeout=900)
    assert again.returncode in (0, 1) and "manifest.json 的 SHA-256:" in out, out + err
    assert_one_complete_run(root)
