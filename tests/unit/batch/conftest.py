"""A small generated collection, made once for the batch tests (no kernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure.batch.generate import generate_collection

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def small_collection(tmp_path_factory: pytest.TempPathFactory):
    """3 institutions × 2 years, half of them contradicted: (folder, answer key)."""
    folder = tmp_path_factory.mktemp("collection") / "province"
    key = generate_collection(folder, REPO, institutions=3, years=2, share=0.5, seed=7)
    return folder, key
