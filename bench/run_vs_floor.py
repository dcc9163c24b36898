"""Time `disclosure run <year>` against the floor of this machine, measured in the same script.

The floor is what any papermill-based run must pay, measured in a lean environment the bench builds
once and caches (`python -m venv` + papermill, nbconvert, ipykernel and Typst at the versions
of the project's environment, nothing else): a fresh process executes an empty parameterized
notebook, exports it to HTML, and Typst (the run's PDF engine) lays its text out as a PDF in the
report's font. The project's environment
may hold more (JupyterLab and its jsonschema format plugins, test tools); the floor does not, so
whatever those cost the run shows up in the ratio instead of hiding in the baseline.

Floor and run are timed alike (one fresh process each, wall time, interleaved `--repeat` times so
drift of a shared machine hits both). Printed: both medians, their ratio, each stage's seconds from
the run's timings.json (`stages_seconds`), and peak RSS (VmHWM, sampled from /proc) of the CLI
process, of the kernel and of any other process the CLI starts. Asserts nothing about seconds.

    python bench/run_vs_floor.py --repeat 5
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
FLOOR_PACKAGES = ("papermill", "nbconvert", "ipykernel", "typst")
DEFAULT_FLOOR_VENV = Path.home() / ".cache" / "disclosure-bench" / "floor-venv"
KERNEL_MARKS = ("ipykernel_launcher", "disclosure.evidence.launch")
SAMPLE_SECONDS = 0.02

FLOOR = r"""
import os, sys, tempfile
import nbformat, papermill as pm
from nbconvert import HTMLExporter
import typst
nb = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_code_cell("academic_year = '2023-2024'", metadata={"tags": ["parameters"]})
])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "out.ipynb")
    pm.execute_notebook(
        nb, out, parameters={"academic_year": sys.argv[1]},
        progress_bar=False, kernel_name="python3",
    )
    html, _ = HTMLExporter().from_notebook_node(nbformat.read(out, as_version=4))
    source = b'#set text(font: "Noto Serif CJK SC", lang: "zh")\n#sys.inputs.html'
    pdf = typst.compile(source, format="pdf", sys_inputs={"html": html})
    assert pdf.startswith(b"%PDF")
"""


# --- the lean floor environment ----------------------------------------------------------------


def floor_pins() -> list[str]:
    """The floor's packages at the versions the run uses, so only the extras differ."""
    return [f"{name}=={importlib.metadata.version(name)}" for name in FLOOR_PACKAGES]


def floor_python(venv: Path, rebuild: bool) -> Path:
    """The lean venv's interpreter, built on first use and reused while its pins match."""
    python = venv / "bin" / "python"
    stamp = venv / "disclosure-bench.json"
    pins = floor_pins()
    if not rebuild and python.is_file() and stamp.is_file():
        if json.loads(stamp.read_text(encoding="utf-8")).get("pins") == pins:
            return python
    if venv.exists():
        shutil.rmtree(venv)
    print(f"building the floor venv {venv}: {' '.join(pins)}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins],
        check=True,
    )
    stamp.write_text(json.dumps({"pins": pins}) + "\n", encoding="utf-8")
    return python


# --- one timed process, with the peak memory of its process tree ---------------------------------


def _peak_kb(proc: psutil.Process) -> int:
    """VmHWM (peak RSS) from /proc; psutil's current RSS where /proc has no VmHWM."""
    try:
        with open(f"/proc/{proc.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return proc.memory_info().rss // 1024
    except (OSError, psutil.Error):
        return 0


def _role(proc: psutil.Process, top: int) -> str:
    if proc.pid == top:
        return "cli"
    try:
        cmdline = " ".join(proc.cmdline())
    except psutil.Error:
        return "other"
    return "kernel" if any(mark in cmdline for mark in KERNEL_MARKS) else "other"


def _same_cmdline(proc: psutil.Process, top: psutil.Process) -> bool:
    try:
        return proc.cmdline() == top.cmdline()
    except psutil.Error:
        return False


def timed(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> tuple[float, dict[str, int]]:
    """Wall seconds of `cmd` in a fresh process, and peak RSS (KB) per role: cli, kernel, other;
    under "cpu_ms", the CPU time (user + system, ms) of every process of its tree, as last sampled
    (a process's final few milliseconds after its last sample are not counted).
    `ok`: the exit codes of a completed run (`disclosure run` exits 1 when checks fail)."""
    peaks = {"cli": 0, "kernel": 0, "other": 0}
    cpu: dict[int, float] = {}
    cpu_role: dict[int, str] = {}
    roles: dict[int, str] = {}
    seen: dict[int, str] = {}
    start = time.perf_counter()
    child = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    top = psutil.Process(child.pid)
    while child.poll() is None:
        try:
            family = [top, *top.children(recursive=True)]
        except psutil.Error:
            family = []
        for proc in family:
            # "kernel" sticks (an exiting process has no command line); a child that still shows
            # the CLI's command line is forked but not yet exec'd: its VmHWM is the CLI's, skip it
            role = "kernel" if roles.get(proc.pid) == "kernel" else _role(proc, child.pid)
            roles[proc.pid] = role
            if role == "other" and proc.pid != child.pid and _same_cmdline(proc, top):
                continue
            try:
                times = proc.cpu_times()
                cpu[proc.pid] = max(cpu.get(proc.pid, 0.0), times.user + times.system)
                cpu_role[proc.pid] = role
            except psutil.Error:
                pass
            peak = _peak_kb(proc)
            if role == "other" and peak > peaks["other"] and os.environ.get("BENCH_DEBUG"):
                try:
                    seen[proc.pid] = f"{peak} KB {proc.cmdline()}"
                except psutil.Error:
                    pass
            peaks[role] = max(peaks[role], peak)
        time.sleep(SAMPLE_SECONDS)
    seconds = time.perf_counter() - start
    for line in seen.values():
        print("  other process:", line, file=sys.stderr)
    out, err = child.communicate()
    if child.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} failed ({child.returncode}):\n{out}\n{err}")
    peaks["cpu_ms"] = round(sum(cpu.values()) * 1000)
    for role in ("cli", "kernel", "other"):
        peaks[f"cpu_ms_{role}"] = round(
            sum(v for pid, v in cpu.items() if cpu_role[pid] == role) * 1000
        )
    return seconds, peaks


def runs_logged(folder: Path) -> int:
    """How many runs the year's timings.json records (0 before the first)."""
    path = folder / "timings.json"
    return len(json.loads(path.read_text(encoding="utf-8"))["runs"]) if path.is_file() else 0


# --- the comparison -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--year", default="2023-2024")
    parser.add_argument("--floor-venv", type=Path, default=DEFAULT_FLOOR_VENV)
    parser.add_argument("--rebuild-floor", action="store_true")
    args = parser.parse_args()
    floor_py = floor_python(args.floor_venv, args.rebuild_floor)
    disclosure = str(Path(sys.executable).with_name("disclosure"))
    floor_s: list[float] = []
    run_s: list[float] = []
    floor_cpu: list[float] = []
    run_cpu: list[float] = []
    by_role: dict[str, list[float]] = {}
    stages: dict[str, list[float]] = {}
    floor_peak = {"cli": 0, "kernel": 0, "other": 0}
    run_peak = {"cli": 0, "kernel": 0, "other": 0}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in ("forms", "notebooks", "params", "data"):
            shutil.copytree(ROOT / name, work / name)
        for _ in range(args.repeat):  # interleaved, so drift of the machine hits both alike
            seconds, peaks = timed([str(floor_py), "-c", FLOOR, args.year], work)
            floor_s.append(seconds)
            floor_cpu.append(peaks.pop("cpu_ms") / 1000)
            peaks = {k: v for k, v in peaks.items() if not k.startswith("cpu_ms")}
            floor_peak = {k: max(v, peaks[k]) for k, v in floor_peak.items()}
            manifest = work / "outputs" / args.year / "manifest.json"
            # a rerun that gives the same evidence keeps the manifest; timings.json logs every run
            before = runs_logged(manifest.parent)
            seconds, peaks = timed([disclosure, "run", args.year], work, ok=(0, 1))
            if runs_logged(manifest.parent) != before + 1:
                sys.exit(f"disclosure run {args.year} logged no run in timings.json")
            run_s.append(seconds)
            run_cpu.append(peaks.pop("cpu_ms") / 1000)
            for role in ("cli", "kernel", "other"):
                by_role.setdefault(role, []).append(peaks.pop(f"cpu_ms_{role}") / 1000)
            run_peak = {k: max(v, peaks[k]) for k, v in run_peak.items()}
            timings = json.loads((manifest.parent / "timings.json").read_text(encoding="utf-8"))
            for stage, value in timings["runs"][-1]["stages_seconds"].items():
                stages.setdefault(stage, []).append(value)
    load_after = os.getloadavg()
    f, r = statistics.median(floor_s), statistics.median(run_s)

    def each(values: list[float]) -> str:
        return " ".join(f"{v:.2f}" for v in values)

    def mb(kb: int) -> str:
        return f"{kb / 1024:.0f} MB"

    print(f"floor venv: {args.floor_venv} ({', '.join(floor_pins())})")
    print(f"load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f}")
    print(
        f"floor (lean venv: papermill empty notebook + HTML + Typst PDF): median {f:.2f} s"
        f" over {args.repeat} [{each(floor_s)}]"
    )
    print(
        f"disclosure run {args.year} (all outputs):  median {r:.2f} s over {args.repeat}"
        f" [{each(run_s)}]"
    )
    print(f"ratio run / floor: {r / f:.2f}")
    fc, rc = statistics.median(floor_cpu), statistics.median(run_cpu)
    cores = os.cpu_count() or 1
    print(
        f"CPU seconds (user + system, whole process tree, median): floor {fc:.2f}"
        f" [{each(floor_cpu)}], run {rc:.2f} [{each(run_cpu)}], ratio {rc / fc:.2f}"
    )
    print(
        f"  on {cores} cores the run cannot take less than {rc / cores:.2f} s"
        f" ({rc / cores / f:.2f}x the floor's median wall time), however well it overlaps"
    )
    print(
        "  the run's CPU seconds by process: "
        + ", ".join(f"{role} {statistics.median(v):.2f}" for role, v in by_role.items())
        + " (other: PDF workers and their fork server)"
    )
    print("stages of the run (timings.json stages_seconds, median):")
    for stage, values in stages.items():
        print(f"  {stage:<16} {statistics.median(values):6.2f} s   [{each(values)}]")
    print(
        f"peak RSS of the run:   CLI {mb(run_peak['cli'])}, kernel {mb(run_peak['kernel'])}"
        f", other processes {mb(run_peak['other'])} (largest single process)"
    )
    print(f"peak RSS of the floor: CLI {mb(floor_peak['cli'])}, kernel {mb(floor_peak['kernel'])}")


if __name__ == "__main__":
    main()
