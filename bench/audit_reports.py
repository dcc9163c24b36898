"""`disclosure audit` over a folder of generated published reports, as reports per second.

Each report is a random valid variant of the synthetic fixture year (tests/published_reports.py:
varied channels, staff and school name), about one in three with one injected contradiction,
rendered by the project's own renderer as PDF, DOCX or HTML in turn. The script then

- imports every report (read, parse, detect: importer.read_report) and times it per format;
- audits the whole folder as `disclosure audit` does (audit.audit_many + write_outputs);
- checks that every injected contradiction is found, and no other error or warning;
- measures a baseline in the same run: `check_year` on each variant's own raw year folder (the work
  of checking once the data is transcribed), and prints each throughput beside it as a ratio.

    .venv/bin/python bench/audit_reports.py            # 200 reports
    .venv/bin/python bench/audit_reports.py -n 30      # a quick look

Prints numbers; asserts nothing about seconds. Exits 1 if an injected contradiction is missed or an
uninjected rule fails.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from published_reports import FORMATS, INJECTIONS, render_year, variant  # noqa: E402
from workspaces import build_workspace  # noqa: E402

from disclosure.pipeline import check_year  # noqa: E402
from disclosure.published.audit import audit_many, write_outputs  # noqa: E402
from disclosure.published.importer import read_report  # noqa: E402


def generate(
    tmp: Path, n: int, rng: random.Random
) -> tuple[Path, Path, dict[str, set[str]], float]:
    """n reports in tmp/reports; the expected failures of each; the baseline seconds."""
    root = build_workspace(tmp / "ws")
    folder = tmp / "reports"
    folder.mkdir()
    expected: dict[str, set[str]] = {}
    baseline = 0.0
    names = list(INJECTIONS)
    for index in range(n):
        injection = rng.choice(names) if rng.random() < 0.35 else None
        year = variant(root, injection, seed=rng.randrange(1 << 30))
        started = time.perf_counter()
        check_year(root, year)  # the baseline: checking the transcribed year itself
        baseline += time.perf_counter() - started
        fmt = FORMATS[index % len(FORMATS)]
        name = f"r{index:03d}_{injection or 'clean'}.{fmt}"
        (folder / name).write_bytes(render_year(root, year, (fmt,))[fmt])
        expected[name] = INJECTIONS[injection][1] if injection else set()
    return root, folder, expected, baseline


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="copy the generated reports and outputs here")
    args = parser.parse_args()
    rng = random.Random(20241031)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        made = time.perf_counter()
        root, folder, expected, baseline = generate(tmp, args.n, rng)
        made = time.perf_counter() - made
        files = sorted(folder.iterdir())
        by_format: Counter[str] = Counter()
        import_seconds: Counter[str] = Counter()
        for path in files:
            started = time.perf_counter()
            read_report(root, path)
            import_seconds[path.suffix] += time.perf_counter() - started
            by_format[path.suffix] += 1
        started = time.perf_counter()
        audits = audit_many(root, files)
        write_outputs(tmp / "out", audits)
        audit_seconds = time.perf_counter() - started
        missed, extra = [], []
        for audit in audits:
            failed = audit.failed_ids()
            if not expected[audit.file] <= failed:
                missed.append((audit.file, sorted(expected[audit.file] - failed)))
            if failed - expected[audit.file]:
                extra.append((audit.file, sorted(failed - expected[audit.file])))
        if args.keep:
            shutil.copytree(tmp, args.keep, dirs_exist_ok=True)
    n = len(files)
    injected = sum(bool(v) for v in expected.values())
    print(f"generated {n} reports ({dict(by_format)}), {injected} with an injected contradiction,")
    print(f"  in {made:.1f} s (rendering by the project's renderer, not timed below)")
    print(f"baseline, check_year on each variant's raw year: {n / baseline:7.2f} years/s")
    total_import = sum(import_seconds.values())
    print(
        f"import (read, parse, detect), all formats:      {n / total_import:7.2f} reports/s"
        f"  (ratio to baseline time {total_import / baseline:.2f})"
    )
    for suffix, seconds in sorted(import_seconds.items()):
        print(f"  {suffix:6s} {by_format[suffix] / seconds:7.2f} reports/s")
    print(
        f"audit (import + all rules + outputs):            {n / audit_seconds:7.2f} reports/s"
        f"  (ratio to baseline time {audit_seconds / baseline:.2f})"
    )
    print(f"injected contradictions found: {injected - len(missed)} of {injected}")
    print(f"reports failing a rule that was not injected: {len(extra)}")
    for file, ids in missed + extra:
        print(f"  {file}: {ids}")
    return 1 if missed or extra else 0


if __name__ == "__main__":
    sys.exit(main())
