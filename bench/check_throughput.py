"""`disclosure check` over many generated institution-years, as institution-years per second.

Each institution-year is a workspace made from the bundled 2023-2024 year with a random register of
applications, appeals and mailbox letters. The baseline, measured in the same process on the same
files, is the floor of any check: reading every raw CSV of the year with pandas. Prints both
throughputs and the ratio; asserts nothing about seconds.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from disclosure.inputs.forms import load_table_defs
from disclosure.pipeline import check_year

ROOT = Path(__file__).resolve().parents[1]
YEAR = "2023-2024"
CHANNELS = ["当面", "传真", "电子邮件", "信函或其他"]
APPLICANTS = ["公民", "法人", "其他组织"]
TOPICS = ["本校领导", "人事招聘", "招标投标", "财务", "招生", "学生管理", "其他"]
OUTCOMES = ["同意公开", "不同意公开", "信息不存在", "申请人主动放弃"]


def make_workspace(base: Path, index: int, rng: random.Random) -> Path:
    ws = base / f"inst{index:04d}"
    for name in ("forms", "params", "data/reference"):
        shutil.copytree(ROOT / name, ws / name)
    folder = ws / "data/raw" / YEAR
    shutil.copytree(ROOT / "data/raw" / YEAR, folder)
    (folder / "reported_statistics.csv").unlink()  # generated years have no published table
    with (folder / "applications.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        columns = load_table_defs(ROOT)["applications"].columns
        writer.writerow([c.name for c in columns])
        for n in range(rng.randint(0, 60)):
            done = rng.random() < 0.8
            day = f"2024-{rng.randint(1, 6):02d}-{rng.randint(1, 28):02d}"
            writer.writerow(
                [
                    f"A{n:03d}",
                    day,
                    rng.choice(CHANNELS),
                    rng.choice(APPLICANTS),
                    rng.choice(TOPICS),
                    "是" if done else "否",
                    rng.choice(OUTCOMES) if done else "",
                    0,
                    1,
                    "",
                ]
            )
    with (folder / "mailbox.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["received", "handled", "count", "note"])
        for _ in range(rng.randint(0, 20)):
            writer.writerow([f"2024-03-{rng.randint(1, 28):02d}", rng.choice(["是", "否"]), 1, ""])
    return ws


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(20231)
    with tempfile.TemporaryDirectory() as tmp:
        made = time.perf_counter()
        spaces = [make_workspace(Path(tmp), i, rng) for i in range(args.n)]
        made = time.perf_counter() - made
        start = time.perf_counter()
        for ws in spaces:  # baseline: only read the year's CSV files
            for path in sorted((ws / "data/raw" / YEAR).glob("*.csv")):
                pd.read_csv(path, encoding="utf-8")
        floor = time.perf_counter() - start
        start = time.perf_counter()
        errors = 0
        for ws in spaces:
            findings = check_year(ws, YEAR).findings
            errors += int(((findings["passed"] == False) & (findings["severity"] == "error")).any())  # noqa: E712
        full = time.perf_counter() - start
    print(f"generated {args.n} institution-years in {made:.1f} s")
    print(f"baseline (pandas.read_csv of every raw CSV): {args.n / floor:8.1f} institution-years/s")
    print(
        "disclosure check (load, validate, rebuild, all rules): "
        f"{args.n / full:8.1f} institution-years/s"
    )
    print(
        f"ratio check / baseline time: {full / floor:.2f}  "
        f"({errors} of {args.n} years with an error finding)"
    )


if __name__ == "__main__":
    main()
