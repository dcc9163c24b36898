"""Many institution-years: checks (the collection check vs per year) and runs (one process per
year vs `disclosure batch` with 1 and 2 workers, new kernels vs warm ones), measured in one run.

    PYTHONPATH=src .venv/bin/python bench/batch.py -n 200 --runs 6

- `-n` institution-years are generated (disclosure.batch.generate, 20 % contradicted) and checked
  as bench/check_collection.py does (`disclosure check --collection` end to end and in this
  process, load and rules apart, beside `check_year` per year);
- the first `--runs` of them are run as notebooks: one `disclosure run` process per year (the
  baseline), then `run_batch` on a LocalCluster of 1 and 2 workers, with new kernels and with warm
  ones (every configuration rewrites every output: `force`).

Ratios are taken within this one run; seconds depend on the machine and its load, so none is
asserted anywhere.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def per_second(count: int, seconds: float) -> str:
    rate = count / seconds
    return (
        f"{rate:10.3g} institution-years/s  ({count} in {seconds:.2f} s, "
        f"{seconds / count:.3g} s each)"
    )


def checks(folder: Path) -> None:
    """The collection check against the per-year baseline (bench/check_collection.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from check_collection import measure

    measure(folder, 40)


def env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, MPLBACKEND="Agg")


def runs(folder: Path, count: int) -> None:
    from disclosure.batch.collection import institution_years
    from disclosure.batch.run import run_batch

    items = institution_years(folder)[:count]

    def one(item) -> None:  # noqa: ANN001
        subprocess.run(
            [sys.executable, "-m", "disclosure.cli", "--root", str(item.root), "run", item.year],
            env=env(),
            capture_output=True,
            check=False,
        )

    naive = {}
    for workers in (1, 2):  # `workers` fresh processes at a time, as a shell loop with xargs -P
        started = time.perf_counter()
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(one, items))
        naive[workers] = time.perf_counter() - started
        print(
            f"one `disclosure run` process per year, {workers} at a time:"
            f"  {per_second(len(items), naive[workers])}"
        )
    os.environ.update(env())  # the LocalCluster's workers and their kernels import this checkout
    results = {}
    for warm in (False, True):
        for workers in (1, 2):
            started = time.perf_counter()
            outcomes = run_batch(items, workers=workers, warm=warm, force=True)
            seconds = time.perf_counter() - started
            bad = [o.key for o in outcomes if o.status not in ("passed", "failed_checks")]
            results[warm, workers] = seconds
            kind = "warm kernels" if warm else "new kernels "
            print(
                f"disclosure batch, {workers} worker(s), {kind}: {per_second(len(items), seconds)}"
                + (f"  NOT RUN: {bad}" if bad else "")
            )
    for workers in (1, 2):
        print(
            f"{workers} worker(s): batch with new kernels "
            f"{naive[workers] / results[False, workers]:.2f}x one process per year; "
            f"warm kernels {results[False, workers] / results[True, workers]:.2f}x new kernels, "
            f"{naive[workers] / results[True, workers]:.2f}x one process per year"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="institution-years generated and checked")
    parser.add_argument("--runs", type=int, default=6, help="of them, how many run as notebooks")
    parser.add_argument("--years", type=int, default=5, help="years per institution")
    args = parser.parse_args()
    from disclosure.batch.generate import generate_collection

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "province"
        started = time.perf_counter()
        institutions = -(-args.n // args.years)
        generate_collection(folder, ROOT, institutions, args.years, share=0.2, seed=2024)
        made = institutions * args.years
        print(f"generated {made} institution-years in {time.perf_counter() - started:.1f} s")
        checks(folder)
        if args.runs:
            runs(folder, args.runs)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
