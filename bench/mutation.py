"""Mutation score per area (issue 25): cosmic-ray mutates each module and runs only the tests that
cover it; prints killed/total per area and the mutants that survived.

    python bench/mutation.py                         # every area, every mutant (long)
    python bench/mutation.py --areas checks published --sample 40 --seed 1

The work happens in a copy of the repository's tracked files (a temporary folder), never in the
working tree, so an interrupted run leaves no mutated source behind. `--sample N` draws N mutants
per module (seeded), for a score within minutes; without it every mutant runs. A survivor is printed
with its diff; the equivalent ones (no test could tell them apart) are listed in EQUIVALENT below,
with why, and are left out of the score.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTEST = f"{sys.executable} -m pytest -x -q -p no:cacheprovider -m 'not e2e'"

# area -> [(module, the tests that cover it)]
AREAS: dict[str, list[tuple[str, list[str]]]] = {
    "checks": [
        ("checks/builtin.py", ["unit/checks/test_builtin.py", "unit/checks/test_claims_entries.py",
                               "unit/checks/test_catalogue.py"]),
        ("checks/findings.py", ["unit/checks/test_findings.py", "unit/checks/test_catalogue.py"]),
        ("checks/rules.py", ["unit/checks/test_rules.py", "unit/checks/test_catalogue.py"]),
        ("checks/many.py", ["unit/checks/test_many.py"]),
        ("checks/catalogue.py", ["unit/checks/test_catalogue.py",
                                 "unit/checks/test_context_values.py"]),
    ],
    "published": [
        ("published/audit.py", ["unit/published/test_audit.py",
                                "unit/published/test_audit_entries.py",
                                "unit/published/test_audit_partial.py",
                                "unit/published/test_importer_fields.py"]),
        ("published/detect.py", ["unit/published/test_detect.py"]),
        ("published/importer.py", ["unit/published/test_importer.py",
                                   "unit/published/test_audit_partial.py",
                                   "unit/published/test_importer_fields.py"]),
        ("published/parse.py", ["unit/published/test_parse.py"]),
        ("published/text.py", ["unit/published/test_text.py",
                               "unit/published/test_text_places.py"]),
    ],
    "evidence": [
        ("evidence/verify.py", ["unit/evidence/test_verify.py", "unit/evidence/test_guards.py"]),
        ("evidence/manifest.py", ["unit/evidence/test_manifest.py",
                                  "unit/evidence/test_guards.py"]),
        ("evidence/execute.py", ["unit/evidence/test_execute.py", "unit/evidence/test_guards.py"]),
    ],
    "inputs": [
        ("inputs/read.py", ["unit/inputs/test_read.py", "corpus/test_input_formats.py"]),
        ("inputs/validate.py", ["unit/inputs/test_validate.py"]),
        ("inputs/corrections.py", ["unit/inputs/test_corrections.py"]),
    ],
    "narrative": [
        ("compute/narrative.py", ["unit/compute/test_narrative.py"]),
        ("inputs/narrative.py", ["unit/inputs/test_narrative.py"]),
    ],
}  # fmt: skip

# (module, operator, line): why no test can kill it (read from the survivors of a run).
EQUIVALENT: dict[tuple[str, str, int], str] = {
    ("checks/rules.py", "core/ReplaceTrueWithFalse", 348): (
        "zip(*columns, strict=...): the columns of one DataFrame always have the same length"
    ),
    ("published/text.py", "core/ReplaceComparisonOperator_Gt_NotEq", 251): (
        "_span clamps every span to at least 1, so `> 1` and `!= 1` agree"
    ),
    ("checks/catalogue.py", "core/ReplaceComparisonOperator_NotEq_IsNot", 33): (
        "the NaN guard on a published value: a blank published cell reaches context() as None "
        "(object column), never as float NaN, so `x != x` and `x is not x` agree on every input"
    ),
}
# A mutated type annotation is never evaluated (every module has `from __future__ import
# annotations`): `str | None` -> `str >> None` on a def or annotated line is equivalent.
ANNOTATION = re.compile(r"^-\s*(async\s+)?def |^-\s*[\w.]+\s*:\s*[^=]*\|")


def equivalent(module: str, operator: str, line: int, diff: str) -> str | None:
    if (module, operator, line) in EQUIVALENT:
        return EQUIVALENT[(module, operator, line)]
    removed = [d for d in diff.splitlines() if d.startswith("-") and not d.startswith("---")]
    if operator.startswith("core/ReplaceBinaryOperator_BitOr_") and any(
        ANNOTATION.match(d) for d in removed
    ):
        return "a type annotation, never evaluated (from __future__ import annotations)"
    return None


def copy_repo(into: Path) -> None:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = REPO / name.decode()
        if source.is_file():
            target = into / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)


def run_module(work: Path, module: str, tests: list[str], sample: int | None, seed: int,
               timeout: float) -> list[tuple[str, str, int, str, str]]:  # fmt: skip
    """(module, operator, line, outcome, diff) of each mutant run."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    path = f"src/disclosure/{module}"
    command = f"{PYTEST} " + " ".join(f"tests/{t}" for t in tests)
    config = work / "mutation.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{path}"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f'test-command = "{command}"\n'
        '[cosmic-ray.distributor]\nname = "local"\n',
        encoding="utf-8",
    )
    baseline = subprocess.run(command, shell=True, cwd=work, env=_env(work), capture_output=True)
    if baseline.returncode != 0:  # a mutant "killed" by tests that fail anyway proves nothing
        raise SystemExit(
            f"{module}: the tests fail without any mutant:\n{baseline.stdout.decode()}"
        )
    db = work / f"{module.replace('/', '_')}.sqlite"
    env_run = {"cwd": work, "check": True, "capture_output": True}
    subprocess.run(
        [sys.executable, "-m", "cosmic_ray.cli", "init", str(config), str(db)], **env_run
    )
    with use_db(str(db), WorkDB.Mode.open) as wdb:
        items = list(wdb.work_items)
        if sample is not None and sample < len(items):
            keep = {i.job_id for i in random.Random(seed).sample(items, sample)}
            wdb.set_multiple_results(
                [i.job_id for i in items if i.job_id not in keep],
                WorkResult(worker_outcome=WorkerOutcome.SKIPPED),
            )
    subprocess.run([sys.executable, "-m", "cosmic_ray.cli", "exec", str(config), str(db)],
                   cwd=work, check=True, env=_env(work))  # fmt: skip
    out = []
    with use_db(str(db), WorkDB.Mode.open) as wdb:
        mutations = {i.job_id: i.mutations[0] for i in wdb.work_items}
        for job_id, result in wdb.results:
            if result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            m = mutations[job_id]
            outcome = str(result.test_outcome.value) if result.test_outcome else "error"
            out.append((module, m.operator_name, m.start_pos[0], outcome, result.diff or ""))
    killed = sum(r[3] != "survived" for r in out)
    print(f"  {module}: {killed}/{len(out)} killed (of {len(items)} mutants)", flush=True)
    return out


def _env(work: Path) -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(work / "src"), "PYTHONDONTWRITEBYTECODE": "1"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", nargs="*", default=list(AREAS), choices=list(AREAS))
    parser.add_argument("--modules", nargs="*", help="only these modules (e.g. checks/rules.py)")
    parser.add_argument("--sample", type=int, help="mutants drawn per module (default: all)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    results = {}
    with tempfile.TemporaryDirectory(prefix="disclosure-mutation-") as tmp:
        work = Path(tmp)
        copy_repo(work)
        for area in args.areas:
            rows = []
            for module, tests in AREAS[area]:
                if args.modules and module not in args.modules:
                    continue
                rows += run_module(work, module, tests, args.sample, args.seed, args.timeout)
            results[area] = rows
            _print_area(area, rows)
    print("\nper area (killed/total, equivalents left out):")
    for area, rows in results.items():
        counted = [r for r in rows if equivalent(*r[:3], r[4]) is None]
        killed = sum(r[3] != "survived" for r in counted)
        share = f"{100 * killed / len(counted):.0f} %" if counted else "-"
        left_out = len(rows) - len(counted)
        print(f"  {area:<10} {killed}/{len(counted)}  {share}  ({left_out} equivalent)")
    return 0


def _print_area(area: str, rows: list[tuple[str, str, int, str, str]]) -> None:
    for module, operator, line, outcome, diff in rows:
        if outcome != "survived":
            continue
        why = equivalent(module, operator, line, diff)
        print(
            f"[{area}] survived {module}:{line} {operator}"
            + (f" (equivalent: {why})" if why else "")
        )
        print("\n".join("    " + d for d in diff.splitlines()[2:12]))
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
