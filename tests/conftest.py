"""Shared fixtures: temporary workspaces built from the repository's forms and the fixture years,
and the `disclosure` command run in-process (stdout captured) or as a subprocess (for full
runs)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from workspaces import FIXTURES_DIR, REPO_ROOT, build_workspace, run_cli_subprocess


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES_DIR


@pytest.fixture
def workspace(tmp_path: Path) -> Callable[..., Path]:
    """Factory: workspace(*fixture_names, repo_years=False) -> a fresh workspace folder under
    tmp_path."""
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
def cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, str]]:
    """Run `disclosure <args>` in-process through disclosure.cli.main; returns (exit code, stdout).

    The current directory is an empty temporary folder, so a call without --root cannot find (and
    write into) the repository's workspace.
    """
    from disclosure.cli import main

    monkeypatch.chdir(tmp_path)

    def run(*args: str | Path) -> tuple[int, str]:
        capsys.readouterr()  # drop anything printed before
        code = main([str(a) for a in args])
        return code, capsys.readouterr().out

    return run


@pytest.fixture(scope="session")
def cli_subprocess() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli_subprocess
