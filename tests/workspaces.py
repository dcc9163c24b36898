"""Temporary workspaces for tests, and the `disclosure` command in a child process.

Shared by conftest.py (as fixtures) and by the end-to-end modules (module-scoped runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
# Everything a workspace needs besides its years: the forms, the workbook and the reference
# checklist.
SHARED = ("forms", "notebooks", "data/reference")


def fixture_year(name: str) -> str:
    """The academic year of tests/fixtures/<name>/ (from its params.yaml)."""
    params = yaml.safe_load((FIXTURES_DIR / name / "params.yaml").read_text(encoding="utf-8"))
    return str(params["academic_year"])


def add_fixture_year(root: Path, name: str) -> str:
    """Copy tests/fixtures/<name>/ into the workspace: params.yaml -> params/<year>.yaml,
    raw/ -> its data_dir."""
    source = FIXTURES_DIR / name
    params = yaml.safe_load((source / "params.yaml").read_text(encoding="utf-8"))
    year = str(params["academic_year"])
    (root / "params").mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "params.yaml", root / "params" / f"{year}.yaml")
    shutil.copytree(source / "raw", root / params.get("data_dir", f"data/raw/{year}"))
    return year


def build_workspace(root: Path, fixtures: Iterable[str] = (), repo_years: bool = False) -> Path:
    """A workspace in `root`: the repository's forms, notebooks and reference data, plus fixture
    years.

    repo_years=True also copies the repository's own params/ and data/raw/ (the bundled real years),
    so a run of 2023-2024 writes its outputs under `root`, never under the repository's outputs/.
    """
    root.mkdir(parents=True, exist_ok=True)
    for part in SHARED:
        shutil.copytree(
            REPO_ROOT / part,
            root / part,
            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__"),
        )
    (root / "params").mkdir(exist_ok=True)
    if repo_years:
        for params in (REPO_ROOT / "params").glob("*.yaml"):
            shutil.copy2(params, root / "params" / params.name)
        shutil.copytree(REPO_ROOT / "data" / "raw", root / "data" / "raw", dirs_exist_ok=True)
    for name in fixtures:
        add_fixture_year(root, name)
    return root


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


def ed25519_key_pair(folder: Path) -> tuple[Path, Path]:
    """A fresh Ed25519 key pair as PEM files in `folder`: (private key.pem, public pub.pem)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    folder.mkdir(parents=True, exist_ok=True)
    private, public = folder / "key.pem", folder / "pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def report_document(year) -> dict:  # year: disclosure.pipeline.YearResult
    """The report document the notebook builds for a checked year (present.document.build)."""
    from disclosure.compute.narrative import year_context
    from disclosure.present import document, report

    data = year.data
    return document.build(
        data.profile,
        data.narrative,
        year_context(data, year.statistics),
        year.statistics,
        year.checklist,
        data.year,
        report.date_text(data.profile),
    )


def results_bundle(year) -> dict:  # year: disclosure.pipeline.YearResult
    """The results output the kernel displays for a checked year, with its report document (what
    the exporters read when a test fakes an executed notebook)."""
    from disclosure.present import bundle

    return bundle.results(
        year.statistics,
        year.checklist,
        year.categories,
        year.findings,
        document=report_document(year),
    )


def tiny_png() -> bytes:
    """A real, small PNG: the PDF copies embed the figures, so a test figure must decode."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), "steelblue").save(out, format="PNG")
    return out.getvalue()
