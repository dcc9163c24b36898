from __future__ import annotations

import os

import pytest

from disclosure import pipeline
from disclosure.batch.collection import (
    COLLECTION_FILE,
    create_collection,
    find_collection,
    init_institution,
    institution_years,
    institutions,
)
from disclosure.errors import InputError

from .conftest import REPO


@pytest.fixture
def empty(tmp_path):
    return create_collection(tmp_path / "coll", REPO, name="测试集合")


def test_a_new_collection_holds_the_shared_forms_and_no_institution(empty):
    assert (empty / COLLECTION_FILE).read_text(encoding="utf-8").count("测试集合") == 1
    for part in ("forms/rules.yaml", "notebooks/workbook.py", "data/reference/checklist_items.csv"):
        assert (empty / part).read_bytes() == (REPO / part).read_bytes()
    assert institutions(empty) == []
    with pytest.raises(InputError, match="已存在"):
        create_collection(empty, REPO)


def test_init_institution_links_the_shared_forms_and_scaffolds_the_year(empty):
    written = init_institution(empty, "10642", "2030-2031")
    root = empty / "institutions" / "10642"
    assert (root / "forms").is_symlink() and os.readlink(root / "forms") == "../../forms"
    assert os.readlink(root / "data" / "reference") == "../../../data/reference"
    assert (root / "params" / "2030-2031.yaml") in written
    # the shared forms are the ones read: an edit of the collection's forms reaches the institution
    assert (root / "forms" / "rules.yaml").read_bytes() == (empty / "forms/rules.yaml").read_bytes()
    # a second year of the same institution keeps its links
    more = init_institution(empty, "10642", "2031-2032")
    assert not any(p.is_symlink() for p in more)
    assert [i.key for i in institution_years(empty)] == ["10642/2030-2031", "10642/2031-2032"]
    assert [i.key for i in institution_years(empty, ["2031-2032"])] == ["10642/2031-2032"]


def test_an_institution_year_that_exists_or_a_bad_code_is_refused(empty):
    init_institution(empty, "A1", "2030-2031")
    with pytest.raises(InputError, match="已存在"):
        init_institution(empty, "A1", "2030-2031")
    for code in ("../x", "-a", "a b", "", "x" * 65):
        with pytest.raises(InputError, match="机构代码"):
            init_institution(empty, code, "2030-2031")
    init_institution(empty, "x" * 64, "2030-2031")  # the longest code allowed


def test_the_collection_is_found_from_inside_an_institution(empty, tmp_path):
    init_institution(empty, "A1", "2030-2031")
    assert find_collection(empty / "institutions" / "A1" / "params") == empty.resolve()
    with pytest.raises(InputError, match="collection.yaml"):
        find_collection(tmp_path)


def test_an_institution_is_an_ordinary_workspace(small_collection):
    folder, key = small_collection
    first = institution_years(folder)[0]
    assert first.root == folder / "institutions" / key[0].institution
    assert pipeline.check_year(first.root, first.year).data.year == first.year
