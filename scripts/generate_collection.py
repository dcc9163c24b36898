"""Write a synthetic collection: N institutions × Y years, a known share with one contradiction.

    .venv/bin/python scripts/generate_collection.py OUT_DIR -n 20 -y 10 --share 0.2 --seed 1

The answer key (institution, year, contradiction, rule that must fail) is OUT_DIR/generated.csv.
The work is disclosure.batch.generate.generate_collection (tests and bench/batch.py call it too).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from disclosure.batch.generate import generate_collection

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description="生成合成机构集合(含已知比例的矛盾)")
    parser.add_argument("out", type=Path, help="新集合的文件夹")
    parser.add_argument("-n", "--institutions", type=int, default=10, help="机构数")
    parser.add_argument("-y", "--years", type=int, default=3, help="每个机构的学年数")
    parser.add_argument("--share", type=float, default=0.2, help="含矛盾的机构学年比例")
    parser.add_argument("--seed", type=int, default=1, help="随机种子")
    parser.add_argument("--first-year", type=int, default=2030, help="第一个学年的起始年份")
    args = parser.parse_args()
    key = generate_collection(
        args.out, REPO, args.institutions, args.years, args.share, args.seed, args.first_year
    )
    hit = sum(1 for g in key if g.contradiction)
    print(f"{args.out}:{len(key)} 个机构学年,其中 {hit} 个含矛盾(答案见 generated.csv)")


if __name__ == "__main__":
    main()
