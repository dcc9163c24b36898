"""Shared by the check tests: the real 2023-2024 year checked once, and copies of the workspace."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from disclosure import pipeline

REPO = Path(__file__).resolve().parents[3]
REAL_YEAR = "2023-2024"
WORKSPACE_PARTS = ("forms", "data", "params", "notebooks")


@pytest.fixture(scope="session")
def real_year() -> pipeline.YearResult:
    """The bundled real year, checked by the pipeline exactly as `disclosure check` does."""
    return pipeline.check_year(REPO, REAL_YEAR)


@pytest.fixture
def copy_workspace(tmp_path: Path) -> Callable[[], Path]:
    """Factory: a fresh copy of the repository's forms/, data/, params/ and notebooks/."""
    counter = iter(range(1, 1000))

    def make() -> Path:
        root = tmp_path / f"ws{next(counter)}"
        for part in WORKSPACE_PARTS:
            skip = shutil.ignore_patterns("__pycache__", "*.ipynb")
            shutil.copytree(REPO / part, root / part, ignore=skip)
        return root

    return make
