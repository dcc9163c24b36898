"""The office corpus (tests/fixtures/office/) measured: for each file, `disclosure import` into a
fresh workspace (exit code, the printed lines and the checklist against the truth) and `disclosure
audit` (the rules that fail against the file's expected facts).

Shared by tests/corpus/test_office_corpus.py; run as a script it prints the corpus table:

    PYTHONPATH=src .venv/bin/python tests/office_corpus.py [file-name-filter]
"""

from __future__ import annotations

import contextlib
import csv
import io
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspaces import build_workspace  # noqa: E402

OFFICE = Path(__file__).resolve().parent / "fixtures" / "office"
FILES = OFFICE / "files"


@dataclass
class Measured:
    file: str
    import_code: int
    rows_equal: bool
    units_equal: bool
    checklist_equal: bool
    expected: set[str]
    failed: set[str]
    output: str
    differences: list[str]

    @property
    def found(self) -> bool:
        return self.expected <= self.failed

    @property
    def unexpected(self) -> set[str]:
        return self.failed - self.expected


def expected_facts() -> list[dict[str, str]]:
    with (OFFICE / "expected.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def compare(root: Path, year: str, report: str) -> tuple[bool, bool, bool, list[str]]:
    """(rows equal, units equal, checklist equal, what differs) of an imported year."""
    raw = root / "data" / "raw" / year
    got = _csv(raw / "reported_statistics.csv")
    truth = _csv(OFFICE / "truth" / f"{report}.statistics.csv")
    diffs = []
    rows = len(got) == len(truth)
    units = rows
    for index, (g, t) in enumerate(zip(got, truth, strict=False), 1):
        if (g["printed_no"], g["value"]) != (t["printed_no"], t["value"]):
            rows = False
            diffs.append(
                f"row {index}: {g['printed_no']}|{g['value']} != {t['printed_no']}|{t['value']}"
            )
        if g["unit"] != t["unit"]:
            units = False
            diffs.append(f"row {index} unit: {g['unit']!r} != {t['unit']!r}")
    got_items = _csv(raw / "checklist.csv")
    truth_items = _csv(OFFICE / "truth" / f"{report}.checklist.csv")
    checklist = len(got_items) == len(truth_items)
    for g, t in zip(got_items, truth_items, strict=False):
        for key in ("item", "category", "count", "count_alt", "links", "on_platform"):
            if g[key] != t[key]:
                checklist = False
                diffs.append(f"item {t['item']} {key}: {g[key]!r} != {t[key]!r}")
    if len(got_items) != len(truth_items):
        diffs.append(f"checklist: {len(got_items)} items != {len(truth_items)}")
    return rows, units, checklist, diffs


def measure(fact: dict[str, str], folder: Path) -> Measured:
    from disclosure.cli import main
    from disclosure.errors import InputError
    from disclosure.published.audit import audit_report

    path = FILES / fact["file"]
    root = build_workspace(folder / "ws", (), False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--root", str(root), "import", str(path)])
    rows = units = checklist = False
    diffs: list[str] = []
    if code == 0:
        rows, units, checklist, diffs = compare(root, fact["year"], fact["report"])
    try:
        audit = audit_report(build_workspace(folder / "ws-audit", (), False), path)
        failed = audit.failed_ids()
    except InputError as exc:
        failed = {f"unreadable: {exc}"}
    expected = set(filter(None, fact["expected_failures"].split(";")))
    return Measured(
        fact["file"], code, rows, units, checklist, expected, failed, out.getvalue(), diffs
    )


def table(results: list[Measured]) -> str:
    head = (
        "| file | import exit | rows = truth | units = truth | checklist = truth "
        "| expected facts found | unexpected failures |"
    )
    lines = [head, "|---|---|---|---|---|---|---|"]
    yes = {True: "yes", False: "NO"}
    for m in results:
        expected = ", ".join(sorted(m.expected)) or "none"
        lines.append(
            f"| {m.file} | {m.import_code} | {yes[m.rows_equal]} | {yes[m.units_equal]} | "
            f"{yes[m.checklist_equal]} | {yes[m.found]} ({expected}) | "
            f"{', '.join(sorted(m.unexpected)) or '-'} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    wanted = argv[0] if argv else ""
    verbose = "-v" in argv
    results = []
    for fact in expected_facts():
        if wanted and wanted != "-v" and wanted not in fact["file"]:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            m = measure(fact, Path(tmp))
        results.append(m)
        if verbose:
            print(m.file, m.import_code, m.output[-600:], m.differences[:8], sorted(m.failed))
    print(table(results))
    good = sum(
        m.import_code == 0 and m.rows_equal and m.units_equal and m.checklist_equal and m.found
        and not m.unexpected
        for m in results
    )  # fmt: skip
    print(f"\n{good} of {len(results)} files read right and audited exactly as expected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
