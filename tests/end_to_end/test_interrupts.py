"""End to end: `disclosure run` and `disclosure batch` killed (SIGKILL), interrupted (SIGINT, as
Ctrl-C) and terminated (SIGTERM) while the kernel runs. No process they started survives 2 s later;
SIGINT and SIGTERM end with one Chinese line, exit 130 / 143, no traceback and no staging folder;
`disclosure verify` right after passes or names the command that restores the outputs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from workspaces import build_workspace

from disclosure.batch.generate import generate_collection

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
FIXTURE, YEAR = "synthetic_2030-2031", "2030-2031"
KERNEL_MARK = "disclosure.evidence.launch"  # every kernel of a run is launched through it


def env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, PYTHONIOENCODING="utf-8", MPLBACKEND="Agg")


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "disclosure.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env(),
        cwd=tempfile.gettempdir(),
    )


def running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def descendants_once_kernels_run(process: subprocess.Popen[str], kernels: int) -> set[int]:
    """Every process under the command, collected until `kernels` kernels run (and 1 s more, so
    the PDF workers have started too)."""
    seen: set[int] = set()
    deadline, enough = time.monotonic() + 180, None
    while time.monotonic() < deadline and process.poll() is None:
        try:
            children = psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            break
        seen |= {c.pid for c in children}
        found = 0
        for child in children:
            try:
                found += KERNEL_MARK in " ".join(child.cmdline())
            except psutil.Error:
                pass
        if found >= kernels and enough is None:
            enough = time.monotonic() + 1.0
        if enough is not None and time.monotonic() > enough:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"no {kernels} kernels started: {process.communicate()}")


def stop(process: subprocess.Popen[str], how: signal.Signals) -> tuple[int, str, str]:
    process.send_signal(how)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def survivors(pids: set[int]) -> list[str]:
    time.sleep(2)
    alive = []
    for pid in pids:
        if running(pid):
            try:
                alive.append(" ".join(psutil.Process(pid).cmdline())[:120])
            except psutil.Error:
                pass
    return alive


SIGNALS = [signal.SIGKILL, signal.SIGINT, signal.SIGTERM]
EXPECTED = {signal.SIGKILL: -9, signal.SIGINT: 130, signal.SIGTERM: 143}


@pytest.mark.parametrize("how", SIGNALS, ids=lambda s: s.name)
def test_a_stopped_run_leaves_no_process_and_no_staging(tmp_path: Path, how) -> None:
    root = build_workspace(tmp_path / "ws", (FIXTURE,))
    process = start("--root", str(root), "run", YEAR)
    pids = descendants_once_kernels_run(process, 1)
    code, out, err = stop(process, how)
    assert code == EXPECTED[how], out + err
    assert survivors(pids) == []
    if how != signal.SIGKILL:
        assert "Traceback" not in out + err, err
        lines = [line for line in out.splitlines() if line.strip()]
        assert len(lines) == 1 and "已停止" in lines[0] and f"退出码 {code}" in lines[0], out
        assert not list((root / "outputs").glob(".staging-*"))
        assert not (root / "outputs" / YEAR).exists()  # nothing written, nothing half-written


@pytest.mark.parametrize("how", SIGNALS, ids=lambda s: s.name)
def test_a_stopped_batch_leaves_no_process_and_says_how_to_resume(tmp_path: Path, how) -> None:
    folder = tmp_path / "province"
    generate_collection(folder, REPO, institutions=2, years=1, share=0.0, seed=5)
    process = start("batch", str(folder), "--workers", "2")
    pids = descendants_once_kernels_run(process, 2)  # both workers run a year
    code, out, err = stop(process, how)
    assert code == EXPECTED[how], out + err
    assert survivors(pids) == []
    if how != signal.SIGKILL:
        # (Dask's own workers may log a lost heartbeat as the cluster closes; not ours)
        assert "Traceback" not in out and "KeyboardInterrupt" not in err, out + err
        assert "已完成 0 / 2 个机构学年" in out and "重新运行同一命令即从中断处继续" in out, out
        assert f"退出码 {code}" in out
        assert not list(folder.glob("institutions/*/outputs/.staging-*"))


def test_a_file_size_limit_ends_the_run_with_a_message_and_keeps_the_old_outputs(
    tmp_path: Path,
) -> None:
    """EFBIG for real (RLIMIT_FSIZE, as a full disk would end a write): exit 1, one Chinese
    message, no traceback, the previous outputs intact and verified."""
    import resource

    root = build_workspace(tmp_path / "ws", (FIXTURE,))
    first = start("--root", str(root), "run", YEAR)
    assert first.wait(timeout=600) == 0, first.communicate()
    folder = root / "outputs" / YEAR
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with (root / "params" / f"{YEAR}.yaml").open("a", encoding="utf-8") as f:
        f.write("# edited: the next run differs\n")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))

    done = subprocess.run(
        [sys.executable, "-m", "disclosure.cli", "--root", str(root), "run", YEAR],
        capture_output=True,
        text=True,
        env=env(),
        cwd=tempfile.gettempdir(),
        preexec_fn=limit,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "文件超过系统允许的大小上限" in done.stdout and "Traceback" not in done.stderr
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert not list((root / "outputs").glob(".staging-*"))
    check = subprocess.run(
        [sys.executable, "-m", "disclosure.cli", "verify", str(folder)],
        capture_output=True,
        text=True,
        env=env(),
        cwd=tempfile.gettempdir(),
    )
    assert check.returncode == 0, check.stdout
