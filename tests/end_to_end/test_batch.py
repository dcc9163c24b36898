"""`disclosure batch` for real: a LocalCluster killed mid-batch and resumed, and a cluster of a
`dask scheduler` and two `dask worker` processes started here.

Kept small (two institutions × one year each): every institution-year is a real notebook run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from disclosure.batch.collection import institution_years
from disclosure.batch.generate import generate_collection
from disclosure.evidence.verify import verify_outputs

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"


def env() -> dict[str, str]:
    """The child's environment: this checkout's package first (an absolute path, so the kernels
    a worker starts in each institution's folder import it too)."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, PYTHONIOENCODING="utf-8", MPLBACKEND="Agg")


def batch_command(folder: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "disclosure.cli", "batch", str(folder), *args]


def summary(folder: Path) -> dict[str, dict[str, str]]:
    from dataclasses import asdict

    from disclosure.batch.run import read_record

    return {o.key: {k: str(v) for k, v in asdict(o).items()} for o in read_record(folder)}


def manifest_written(folder: Path) -> list[str]:
    return [
        i.key
        for i in institution_years(folder)
        if (i.root / "outputs" / i.year / "manifest.json").is_file()
    ]


@pytest.fixture
def collection(tmp_path: Path) -> tuple[Path, list]:
    """Two institutions, one year each; the second contradicted (seed 5 draws it so)."""
    folder = tmp_path / "province"
    key = generate_collection(folder, REPO, institutions=2, years=1, share=0.5, seed=5)
    return folder, key


def test_a_killed_batch_reruns_only_the_unfinished_years(collection):
    folder, key = collection
    items = institution_years(folder)
    first = subprocess.Popen(
        batch_command(folder, "--workers", "1"),
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches the cluster and kernels
    )
    deadline = time.monotonic() + 600
    try:
        while not manifest_written(folder) and time.monotonic() < deadline:
            assert first.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.2)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    done = manifest_written(folder)
    assert len(done) == 1, done  # one worker: the second year had not finished
    assert not (folder / "batch_summary.csv").exists()  # killed before the end
    rerun = subprocess.run(
        batch_command(folder, "--workers", "1", "--overview"),
        env=env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    rows = summary(folder)
    assert rows[done[0]]["status"] == "skipped"
    redone = [k for k in rows if k != done[0]]
    assert [rows[k]["status"] for k in redone] != ["skipped"] * len(redone)
    for item in items:
        assert verify_outputs(item.root / "outputs" / item.year) == []
    expected = {f"{g.institution}/{g.year}": g for g in key}
    for k, row in rows.items():
        assert (row["errors"] != "0") == bool(expected[k].contradiction), row
    assert rerun.returncode == (1 if any(g.contradiction for g in key) else 0), rerun.stdout
    assert "跳过 1" in rerun.stdout
    # the province overview, rendered from the kept evidence, in Chinese
    import pymupdf

    with pymupdf.open(folder / "overview" / "province.pdf") as pdf:
        text = "".join(page.get_text() for page in pdf)
        images = sum(len(page.get_images()) for page in pdf)
    for words in ("全省高等学校信息公开工作年度报告", "统计表 55 行", "未通过次数最多的校验规则"):
        assert words in text
    assert images >= 2  # the failing-rules bars and the trends
    failing = [g.rule for g in key if g.contradiction]
    assert all(rule in text for rule in failing)


@pytest.fixture
def cluster(tmp_path: Path):
    """`dask scheduler` and two `dask worker` processes on this machine; yields (address, the
    workers' process ids)."""
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or "dask"
    scheduler_file = tmp_path / "scheduler.json"
    common = {"env": env(), "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [
            dask,
            "scheduler",
            "--scheduler-file",
            str(scheduler_file),
            "--port",
            "0",
            "--no-dashboard",
            "--host",
            "127.0.0.1",
        ],
        **common,
    )
    workers = []
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text(encoding="utf-8"))["address"]
        for _ in range(2):
            workers.append(
                subprocess.Popen(
                    [
                        dask,
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    **common,
                )
            )
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address, {w.pid for w in workers}
    finally:
        for process in [*workers, scheduler]:
            process.terminate()
        for process in [*workers, scheduler]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def test_a_batch_runs_on_an_existing_cluster_of_separate_processes(collection, cluster):
    folder, key = collection
    address, worker_pids = cluster
    done = subprocess.run(
        batch_command(folder, "--scheduler", address),
        env=env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    rows = summary(folder)
    assert [r["status"] for r in rows.values()].count("skipped") == 0
    pids = {int(r["worker"].rsplit(":", 1)[1]) for r in rows.values()}
    assert pids <= worker_pids, (pids, worker_pids)  # run by the dask worker processes
    assert f"集群 {address}" in done.stdout
    assert done.returncode == (1 if any(g.contradiction for g in key) else 0), done.stdout
    for item in institution_years(folder):
        assert verify_outputs(item.root / "outputs" / item.year) == []
