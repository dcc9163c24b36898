"""Time `disclosure run 2023-2024` against the floor of this machine, measured in the same script.

Floor: papermill executing an empty notebook (kernel start + stop) plus nbconvert to HTML.
Both are timed the same way (in one fresh Python process each, via subprocess, N repeats) so the
ratio compares like with like. Prints both medians and their ratio; asserts nothing about seconds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

FLOOR = r"""
import nbformat, papermill as pm, tempfile, os
from nbconvert import HTMLExporter
nb = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_code_cell("academic_year = '2023-2024'", metadata={"tags": ["parameters"]})
])
nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "out.ipynb")
    pm.execute_notebook(
        nb, out, parameters={"academic_year": "2023-2024"},
        progress_bar=False, kernel_name="python3",
    )
    HTMLExporter().from_notebook_node(nbformat.read(out, as_version=4))
"""


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=False, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in ("forms", "notebooks", "params", "data"):
            shutil.copytree(ROOT / name, work / name)
        disclosure = str(Path(sys.executable).with_name("disclosure"))
        floor, run = [], []
        for _ in range(args.repeat):  # interleaved, so drift of the machine hits both alike
            floor.append(timed([sys.executable, "-c", FLOOR], work))
            run.append(timed([disclosure, "run", "2023-2024"], work))
    f, r = statistics.median(floor), statistics.median(run)
    print(f"floor (papermill empty notebook + nbconvert HTML): median {f:.2f} s over {args.repeat}")
    print(f"disclosure run 2023-2024 (all outputs incl. PDF):  median {r:.2f} s over {args.repeat}")
    print(f"ratio run / floor: {r / f:.2f}")


if __name__ == "__main__":
    main()
