"""Reports for the published-report tests: the real seed report (kept in tests/fixtures/published)
and small documents written on the fly in each format."""

from __future__ import annotations

from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "published" / "cqvtu_2023-2024_report.md"


@pytest.fixture(scope="session")
def seed() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def pdf_from_html(html: str, target: Path) -> Path:
    """A PDF with a text layer, laid out by WeasyPrint (the project's own PDF engine)."""
    from weasyprint import HTML

    HTML(string=html).write_pdf(target)
    return target


@pytest.fixture(scope="session")
def make_pdf():
    return pdf_from_html
