"""Shared fixtures: temporary workspaces built from the repository's forms and the fixture years, and
the `disclosure` command run in-process (stdout captured) or as a subprocess (for full runs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
# Everything a workspace needs besides its years: the forms, the workbook and the reference checklist.
SHARED = ("forms", "notebooks", "data/reference")


def fixture_year(name: str) -> str:
    """The academic year of tests/fixtures/<name>/ (from its params.yaml)."""
    params = yaml.safe_load((FIXTURES_DIR / name / "params.yaml").read_text(encoding="utf-8"))
    return str(params["academic_year"])


def add_fixture_year(root: Path, name: str) -> str:
    """Copy tests/fixtures/<name>/ into the workspace: params.yaml -> params/<year>.yaml, raw/ -> its data_dir."""
    source = FIXTURES_DIR / name
    params = yaml.safe_load((source / "params.yaml").read_text(encoding="utf-8"))
    year = str(params["academic_year"])
    (root / "params").mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "params.yaml", root / "params" / f"{year}.yaml")
    shutil.copytree(source / "raw", root / params.get("data_dir", f"data/raw/{year}"))
    return year


def build_workspace(root: Path, fixtures: Iterable[str] = (), repo_years: bool = False) -> Path:
    """A workspace in `root`: the repository's forms, notebooks and reference data, plus fixture years.

    repo_years=True also copies the repository's own params/ and data/raw/ (the bundled real years), so a
    run of 2023-2024 writes its outputs under `root`, never under the repository's outputs/.
    """
    root.mkdir(parents=True, exist_ok=True)
    for part in SHARED:
        shutil.copytree(
            REPO_ROOT / part, root / part, ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__")
        )
    (root / "params").mkdir(exist_ok=True)
    if repo_years:
        for params in (REPO_ROOT / "params").glob("*.yaml"):
            shutil.copy2(params, root / "params" / params.name)
        shutil.copytree(REPO_ROOT / "data" / "raw", root / "data" / "raw", dirs_exist_ok=True)
    for name in fixtures:
        add_fixture_year(root, name)
    return root


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES_DIR


@pytest.fixture
def workspace(tmp_path: Path) -> Callable[..., Path]:
    """Factory: workspace(*fixture_names, repo_years=False) -> a fresh workspace folder under tmp_path."""
    counter = iter(range(1, 1000))

    def make(*fixtures: str, repo_years: bool = False) -> Path:
        return build_workspace(tmp_path / f"ws{next(counter)}", fixtures, repo_years)

    return make


@pytest.fixture(scope="session")
def workspace_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """Same as `workspace`, usable from module- or session-scoped fixtures (one folder per call)."""

    def make(*fixtures: str, repo_years: bool = False) -> Path:
        return build_workspace(tmp_path_factory.mktemp("ws"), fixtures, repo_years)

    return make


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[int, str]]:
    """Run `disclosure <args>` in-process through disclosure.cli.main; returns (exit code, stdout).

    The current directory is an empty temporary folder, so a call without --root cannot find (and write
    into) the repository's workspace.
    """
    from disclosure.cli import main

    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path) -> tuple[int, str]:
        capsys.readouterr()  # drop anything printed before
        code = main([str(a) for a in args])
        return code, capsys.readouterr().out

    return run


def run_cli_subprocess(*args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run `python -m disclosure.cli <args>` in a child process (a real kernel, as a user runs it).

    Runs in the system temporary folder (not a workspace), so only --root decides where outputs go.
    """
    env = dict(os.environ, PYTHONIOENCODING="utf-8", MPLBACKEND="Agg")
    return subprocess.run(
        [sys.executable, "-m", "disclosure.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=tempfile.gettempdir(),
    )


@pytest.fixture(scope="session")
def cli_subprocess() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli_subprocess
