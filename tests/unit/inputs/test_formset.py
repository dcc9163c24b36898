from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from disclosure.errors import InputError
from disclosure.inputs import formset
from disclosure.inputs.formset import form_digest, load_formset

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def forms(tmp_path):
    for part in ("forms", "data/reference"):
        shutil.copytree(REPO / part, tmp_path / part)
    return tmp_path


def test_the_form_counts_come_from_its_files(forms):
    loaded = load_formset(forms)
    assert loaded.n_rows == len(loaded.rows) == 55
    assert loaded.n_items == len(loaded.reference) == 50
    assert loaded.record() == {
        "edition": "chongqing",
        "title": "重庆市高校信息公开工作统计表",
        "sha256": form_digest(forms),
        "rows": 55,
        "items": 50,
    }


def test_a_form_is_read_once_per_content_and_again_after_an_edit(forms, monkeypatch):
    reads = []
    original = formset._read
    monkeypatch.setattr(formset, "_read", lambda root, d: reads.append(d) or original(root, d))
    monkeypatch.setattr(formset, "_CACHE", {})
    first = load_formset(forms)
    assert load_formset(forms) is first and len(reads) == 1
    reference = forms / "data/reference/checklist_items.csv"
    lines = reference.read_text(encoding="utf-8").splitlines(keepends=True)
    reference.write_text("".join(lines[:-1]), encoding="utf-8")  # the last item dropped
    second = load_formset(forms)
    assert len(reads) == 2 and second.digest != first.digest and second.n_items == 49


def test_workspaces_with_the_same_forms_share_one_formset(forms, tmp_path_factory, monkeypatch):
    monkeypatch.setattr(formset, "_CACHE", {})
    other = tmp_path_factory.mktemp("other")
    for part in ("forms", "data/reference"):
        shutil.copytree(forms / part, other / part)
    assert load_formset(other) is load_formset(forms)


@pytest.mark.parametrize("name", formset.FORM_FILES)
def test_every_form_file_is_in_the_digest(forms, name):
    before = form_digest(forms)
    path = forms / name
    path.write_bytes(path.read_bytes() + b"\n")
    assert form_digest(forms) != before


def test_the_edition_is_named_by_the_form(forms):
    path = forms / "forms/statistics.yaml"
    path.write_text("edition: sichuan-2025\n" + path.read_text(encoding="utf-8"), "utf-8")
    assert load_formset(forms).edition == "sichuan-2025"


def test_an_unreadable_reference_list_names_the_file(forms):
    (forms / "data/reference/checklist_items.csv").unlink()
    with pytest.raises(InputError, match="checklist_items.csv"):
        load_formset(forms)
