"""Peak memory of `disclosure check` on the bombs of the hostile corpus, against the clean year.

Each measurement is one fresh Python process (so imports count the same in every case) that runs
`disclosure check 2023-2024` in-process on a copy of the workspace and reports its own peak resident
set size (resource.getrusage, ru_maxrss). The baseline is the unmodified year measured the same way
in the same run. Prints each case's exit code, peak MB and its ratio to the baseline; asserts
nothing about seconds or bytes (the corpus tests assert which limit refused each bomb).

    .venv/bin/python bench/hostile_memory.py
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = "2023-2024"
RAW = f"data/raw/{YEAR}"

CHILD = r"""
import contextlib, io, json, resource, sys
from disclosure.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(["--root", sys.argv[1], "check", sys.argv[2]])
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
print(json.dumps({"code": code, "peak_mb": peak_kb / 1024, "said": out.getvalue()[-300:]}))
"""


def workspace(dest: Path) -> Path:
    for part in ("forms", "notebooks", "params", "data"):
        shutil.copytree(ROOT / part, dest / part, ignore=shutil.ignore_patterns("*.ipynb"))
    return dest


def alias_bomb(file: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        lines += [f"a{n}: &a{n} [{','.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
        with (root / file).open("a", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")

    return apply


def zip_bomb(root: Path) -> None:
    """publications.xlsx: a real workbook plus 2 GB of zeros that pack into ~2 MB."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "publications"
    for line in (root / RAW / "publications.csv").read_text(encoding="utf-8").splitlines():
        book.active.append([int(v) if v.isdigit() else v for v in line.split(",")])
    buffer = io.BytesIO()
    book.save(buffer)
    path = root / RAW / "publications.xlsx"
    path.write_bytes(buffer.getvalue())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("xl/media/zeros.bin", "w", force_zip64=True) as part:
            block = bytes(1 << 20)
            for _ in range(2048):
                part.write(block)
    (root / RAW / "publications.csv").unlink()


def big_narrative(root: Path) -> None:
    with (root / RAW / "narrative.yaml").open("a", encoding="utf-8") as out:
        out.write(("# " + "填充" * 200 + "\n") * 9000)  # ~10 MB


def backtracking(root: Path) -> None:
    path = root / RAW / "narrative.yaml"
    para = (
        '  - template: "共{r10}{r12}{r13}{r14}{r15}{r16}件"\n    printed: "共'
        + "1" * 6000
        + '条"\n'
    )
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("opening:\n", "opening:\n" + para, 1), encoding="utf-8")


CASES: dict[str, Callable[[Path], None] | None] = {
    "clean year (baseline)": None,
    "YAML alias bomb in params": alias_bomb(f"params/{YEAR}.yaml"),
    "YAML alias bomb in profile.yaml": alias_bomb(f"{RAW}/profile.yaml"),
    "YAML alias bomb in narrative.yaml": alias_bomb(f"{RAW}/narrative.yaml"),
    "xlsx zip bomb (2 GB unpacked)": zip_bomb,
    "10 MB narrative.yaml": big_narrative,
    "six adjacent placeholders, 6000 characters": backtracking,
}


def measure(root: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), YEAR], capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not done.stdout.strip():
        return {"code": None, "peak_mb": float("nan"), "said": done.stderr[-300:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1, help="measurements per case (max kept)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, mutate) in enumerate(CASES.items()):
            root = workspace(Path(tmp) / f"ws{n}")
            if mutate is not None:
                mutate(root)
            results = [measure(root) for _ in range(args.repeat)]
            best = max(results, key=lambda r: r["peak_mb"])
            rows.append((name, best))
    baseline = rows[0][1]["peak_mb"]
    print(f"{'case':46} exit  peak MB  × clean")
    for name, r in rows:
        print(f"{name:46} {r['code']!s:>4}  {r['peak_mb']:7.1f}  {r['peak_mb'] / baseline:6.2f}")
    worst = max(r["peak_mb"] for _, r in rows[1:])
    print(
        f"worst bomb: {worst:.1f} MB = {worst / baseline:.2f} × the clean year ({baseline:.1f} MB)"
    )


if __name__ == "__main__":
    main()
