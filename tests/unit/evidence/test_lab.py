"""The Lab's contents manager: read-only under outputs/, Jupyter's own elsewhere (the server
itself: tests/end_to_end/test_lab.py, through the REST API)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tornado.web import HTTPError

from disclosure.evidence.lab import EvidenceContentsManager, is_evidence


@pytest.mark.parametrize(
    ("path", "evidence"),
    [
        ("outputs/2023-2024/workbook.ipynb", True),
        ("/outputs/2023-2024", True),
        ("outputs", True),
        ("./outputs/x.txt", True),
        ("notebooks/workbook.py", False),
        ("outputs.txt", False),
        ("data/outputs/x.csv", False),
        ("", False),
        (None, False),
    ],
)
def test_what_lies_under_outputs_is_evidence(path, evidence) -> None:
    assert is_evidence(path) is evidence


@pytest.fixture
def manager(tmp_path: Path) -> EvidenceContentsManager:
    (tmp_path / "outputs" / "2023-2024").mkdir(parents=True)
    (tmp_path / "outputs" / "2023-2024" / "report.html").write_text("old", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    return EvidenceContentsManager(root_dir=str(tmp_path))


TEXT = {"type": "file", "format": "text", "content": "new"}


def test_a_save_under_outputs_is_refused_and_the_file_kept(manager, tmp_path) -> None:
    with pytest.raises(HTTPError) as refused:
        asyncio.run(manager.save(dict(TEXT), "outputs/2023-2024/report.html"))
    assert refused.value.status_code == 403
    assert (tmp_path / "outputs/2023-2024/report.html").read_text(encoding="utf-8") == "old"


def test_a_save_elsewhere_is_written(manager, tmp_path) -> None:
    asyncio.run(manager.save(dict(TEXT), "notebooks/a.txt"))
    assert (tmp_path / "notebooks/a.txt").read_text(encoding="utf-8") == "new"


def test_what_is_served_from_outputs_is_marked_read_only(manager) -> None:
    served = asyncio.run(manager.get("outputs/2023-2024/report.html"))
    folder = asyncio.run(manager.get("outputs/2023-2024"))
    other = asyncio.run(manager.get("notebooks"))
    assert served["writable"] is False
    assert [c["writable"] for c in folder["content"]] == [False]
    assert other["writable"] is True


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.delete_file("outputs/2023-2024/report.html"),
        lambda m: m.rename_file("outputs/2023-2024/report.html", "notebooks/r.html"),
        lambda m: m.rename_file("notebooks", "outputs/notebooks"),
        lambda m: m.new_untitled("outputs/2023-2024", type="file"),
        lambda m: m.new(dict(TEXT), "outputs/2023-2024/n.txt"),
        lambda m: m.copy("outputs/2023-2024/report.html", "outputs/2023-2024/c.html"),
        lambda m: m.create_checkpoint("outputs/2023-2024/report.html"),
        lambda m: m.restore_checkpoint("checkpoint", "outputs/2023-2024/report.html"),
        lambda m: m.delete_checkpoint("checkpoint", "outputs/2023-2024/report.html"),
    ],
)
def test_every_write_under_outputs_is_refused(manager, tmp_path, call) -> None:
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    with pytest.raises(HTTPError):
        asyncio.run(call(manager))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


def test_no_checkpoint_is_listed_under_outputs_and_one_is_made_elsewhere(manager, tmp_path) -> None:
    assert asyncio.run(manager.list_checkpoints("outputs/2023-2024/report.html")) == []
    asyncio.run(manager.save(dict(TEXT), "notebooks/a.txt"))
    asyncio.run(manager.create_checkpoint("notebooks/a.txt"))
    assert len(asyncio.run(manager.list_checkpoints("notebooks/a.txt"))) == 1


def test_a_copy_out_of_outputs_is_allowed(manager, tmp_path) -> None:
    asyncio.run(manager.copy("outputs/2023-2024/report.html", "notebooks"))
    assert (tmp_path / "notebooks" / "report.html").read_text(encoding="utf-8") == "old"
