from __future__ import annotations

import pandas as pd

from disclosure import pipeline
from disclosure.batch.check import check_loaded, load_stack
from disclosure.batch.collection import institution_years


def test_the_collection_check_equals_the_per_year_check_of_each_year(small_collection):
    folder, key = small_collection
    items = institution_years(folder)
    loaded = load_stack(items)
    assert loaded.bad_input == {} and len(loaded.stack) == len(items) and loaded.seconds > 0
    findings = check_loaded(loaded, folder, "all")
    for item in items:
        got = findings[
            (findings["institution"] == item.institution) & (findings["year"] == item.year)
        ]
        expected = pipeline.check_year(item.root, item.year).findings
        pd.testing.assert_frame_equal(
            got.drop(columns=["institution", "year"]).reset_index(drop=True),
            expected,
            check_dtype=False,
        )


def test_a_year_with_bad_input_is_set_aside_with_its_problems(small_collection, tmp_path):
    import shutil

    folder, _ = small_collection
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, symlinks=True)
    item = institution_years(copy)[0]
    (item.root / "data/raw" / item.year / "applications.csv").write_text(
        "id,received\nA,not a date\n", encoding="utf-8"
    )
    loaded = load_stack(institution_years(copy))
    assert list(loaded.bad_input) == [item.key]
    assert any("applications.csv" in p for p in loaded.bad_input[item.key])
    assert len(loaded.stack) == len(institution_years(copy)) - 1
