"""Many institution-years: checks (columnar vs per year) and runs (one process per year vs
`disclosure batch` with 1 and 2 workers, new kernels vs warm ones), measured in one run.

    PYTHONPATH=src .venv/bin/python bench/batch.py -n 200 --runs 6

- `-n` institution-years are generated (disclosure.batch.generate, 20 % contradicted) and checked:
  the columnar engine (load time; then, each pass on a new stack, the time to stack the loaded
  years into typed columns and the time of the rules over all of them, with only failures' texts
  (twice: the first pass also parses the catalogue's expressions; reading forms/rules.yaml is
  not timed) and with every text) beside the
  per-year engine (the same rules, year by year, on the same loaded years; the columnar findings
  are compared with its findings) and beside `check_year` per year (load included);
- `--scale K` also checks the loaded years repeated K times (the same values K times: a
  distinct-value step does no more work, so this flatters the columnar engine somewhat);
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
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def per_second(count: int, seconds: float) -> str:
    rate = count / seconds
    return (
        f"{rate:10.3g} institution-years/s  ({count} in {seconds:.2f} s, "
        f"{seconds / count:.3g} s each)"
    )


def checks(folder: Path, scale: tuple[int, ...] = ()) -> None:
    from disclosure import pipeline
    from disclosure.batch.check import load_stack
    from disclosure.batch.collection import institution_years

    items = institution_years(folder)
    loaded = load_stack(items)
    print(
        f"load (read, validate, rebuild, previous year, checklist; stack): {loaded.seconds:.1f} s"
    )
    columnar_vs_per_year(loaded, folder, scale)
    sample = items[: max(1, len(items) // 10)]  # `disclosure check` of one year, load included
    started = time.perf_counter()
    for item in sample:
        pipeline.check_year(item.root, item.year)
    seconds = time.perf_counter() - started
    print(f"check_year (load included), {len(sample)} of them: {per_second(len(sample), seconds)}")


def columnar_vs_per_year(loaded: Any, folder: Path, scale: tuple[int, ...] = ()) -> None:
    """The columnar engine on loaded years (stack and rules timed apart) beside the per-year
    engine on the same years, and whether their findings are equal."""
    import pandas as pd
    from disclosure.checks.columnar import check_stack, rule_names, stack

    from disclosure.batch.check import Loaded, catalogue
    from disclosure.checks.builtin import CODE_CHECKS
    from disclosure.checks.findings import ordered
    from disclosure.checks.rules import as_frame, evaluate_rules, load_rules

    contexts = loaded.stack.contexts
    n = len(contexts)
    catalogue_rules = catalogue(folder, contexts)  # read once: forms/rules.yaml is not timed
    names = rule_names(catalogue_rules)  # the columns stack encodes
    rates = {}
    found = {}
    for detail, label in (("failed", "first pass"), ("failed", "again"), ("all", "")):
        started = time.perf_counter()
        fresh = Loaded(
            stack(contexts, loaded.stack.keys, names)
        )  # no column caches from a pass before
        stacked = time.perf_counter() - started
        started = time.perf_counter()
        found[detail] = check_stack(fresh.stack, catalogue_rules, CODE_CHECKS, detail)
        seconds = time.perf_counter() - started
        rates[detail] = n / seconds
        print(
            f"columnar engine, texts for {detail:6} {label:10}: rules {per_second(n, seconds)}"
            f"\n{'':38}stack (loaded years into typed columns) {stacked:.3f} s;"
            f" stack + rules {n / (stacked + seconds):.4g} institution-years/s"
        )
    for copies in scale:  # the same years repeated: how the cost grows with many years
        keys = pd.concat(
            [loaded.stack.keys.assign(copy=c) for c in range(copies)], ignore_index=True
        )
        started = time.perf_counter()
        many = Loaded(stack(contexts * copies, keys, names))
        stacked = time.perf_counter() - started
        started = time.perf_counter()
        check_stack(many.stack, catalogue_rules, CODE_CHECKS, "failed")
        seconds = time.perf_counter() - started
        print(
            f"columnar engine, years repeated {copies}x: rules {per_second(n * copies, seconds)}"
            f"\n{'':38}stack {stacked:.2f} s; stack + rules"
            f" {n * copies / (stacked + seconds):.4g} institution-years/s"
        )
    columns = {k: tuple(v.columns) for k, v in contexts[0].tables.items()}
    rules = load_rules(folder, 55, columns)
    started = time.perf_counter()
    per_year = [ordered(as_frame(evaluate_rules(rules, ctx, CODE_CHECKS))) for ctx in contexts]
    seconds = time.perf_counter() - started
    print(f"per-year engine, same loaded years:  {per_second(n, seconds)}")
    print(
        f"columnar / per-year, rules only: {rates['failed'] * seconds / n:.0f}x"
        f" (texts of failures), {rates['all'] * seconds / n:.0f}x (every text)"
    )
    every = found["all"]
    keys = list(zip(every["institution"], every["year"], strict=True))
    at = 0
    equal = True
    for frame in per_year:  # the columnar findings, year by year, against the per-year ones
        got = every.iloc[at : at + len(frame)].drop(columns=["institution", "year"])
        equal &= len({keys[i] for i in range(at, at + len(frame))}) == 1 and got.reset_index(
            drop=True
        ).astype(object).equals(frame.reset_index(drop=True).astype(object))
        at += len(frame)
    print(f"columnar findings (every text) equal to the per-year engine's: {equal}")


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
    parser.add_argument(
        "--scale", type=int, action="append", default=[], help="also check the years repeated K x"
    )
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
        checks(folder, tuple(args.scale))
        if args.runs:
            runs(folder, args.runs)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
