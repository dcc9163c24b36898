"""`disclosure check --collection` end to end, as institution-years per second, beside the per-year
baseline measured in the same run on the same files.

    PYTHONPATH=src .venv/bin/python bench/check_collection.py -n 200 -n 2000

For each size, a collection is generated (disclosure.batch.generate, 20 % of the years carry one
contradiction), then measured:
- baseline: `pipeline.check_year` year after year in this process (load included), on a sample;
- the command itself, `disclosure check --collection`, in a child process: wall-clock end to end
  (interpreter start, imports, worker processes, output included);
- `batch.check.check_collection` in this process with 1 and 2 worker processes: wall-clock, and
  the CPU seconds of loading (read, validate, rebuild, previous year, checklist, rule context) and
  of the rules, summed over the workers, printed apart;
- that the failed findings of the sample equal those of `check_year`.
Ratios are taken within one run; seconds depend on the machine and its load, so none is asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:8.1f} institution-years/s ({count} in {seconds:.2f} s)"


def measure(folder: Path, sample_size: int) -> None:
    from disclosure import pipeline
    from disclosure.batch.check import check_collection
    from disclosure.batch.collection import institution_years

    items = institution_years(folder)
    n = len(items)
    sample = items[:sample_size]
    started = time.perf_counter()
    expected = {}
    for item in sample:
        found = pipeline.check_year(item.root, item.year).findings
        expected[(item.institution, item.year)] = found[found["passed"] == False]  # noqa: E712
    baseline = len(sample) / (time.perf_counter() - started)
    print(f"  baseline, check_year per year ({len(sample)} years): {baseline:8.1f} per second")

    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "disclosure.cli", "--root", str(folder), "check", "--collection"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stderr[-2000:]
    ratio = n / wall / baseline
    print(f"  disclosure check --collection, end to end: {rate(n, wall)}  = {ratio:.1f}x baseline")
    for jobs in (1, 2):
        result = check_collection(items, jobs=jobs)
        print(
            f"  check_collection, {jobs} worker(s): {rate(n, result.seconds)}"
            f"  load {result.load_seconds / n * 1000:.1f} ms CPU/year,"
            f" rules {result.rule_seconds / n * 1000:.1f} ms CPU/year"
        )
    equal = True
    for key, frame in expected.items():
        got = result.findings[
            (result.findings["institution"] == key[0]) & (result.findings["year"] == key[1])
        ].drop(columns=["institution", "year"])
        equal &= (
            got.reset_index(drop=True)
            .astype(object)
            .equals(frame.reset_index(drop=True).astype(object))
        )
    print(f"  failed findings of the sample equal to check_year's: {equal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, action="append", help="institution-years (repeatable)")
    parser.add_argument("--years", type=int, default=5, help="years per institution")
    parser.add_argument("--sample", type=int, default=40, help="years checked one by one")
    args = parser.parse_args()
    from disclosure.batch.generate import generate_collection

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for n in args.n or [200]:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "province"
            started = time.perf_counter()
            institutions = -(-n // args.years)
            generate_collection(folder, ROOT, institutions, args.years, share=0.2, seed=2024)
            made = institutions * args.years
            print(f"{made} institution-years (generated in {time.perf_counter() - started:.0f} s):")
            measure(folder, min(args.sample, made))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
