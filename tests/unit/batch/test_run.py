"""Resume decisions, outcomes, counts and the summary, without a kernel (the batch itself runs in
tests/end_to_end/test_batch.py)."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pandas as pd
import pytest

from disclosure import pipeline
from disclosure.batch.collection import institution_years
from disclosure.batch.run import (
    RECORD_FILE,
    SUMMARY_COLUMNS,
    SUMMARY_FILE,
    SUMMARY_HEADERS,
    SUMMARY_XLSX,
    Outcome,
    Progress,
    exit_code,
    failure_rows,
    read_record,
    run_batch,
    run_task,
    summary_csv,
    up_to_date,
    write_summary,
)
from disclosure.checks.findings import COLUMNS
from disclosure.errors import InputError
from disclosure.evidence.manifest import sealed_text
from disclosure.evidence.outputs import RESULT_FILES
from disclosure.inputs.provenance import file_record, versions
from disclosure.pipeline import STATUS_ZH


@pytest.fixture
def finished(small_collection, tmp_path):
    """A copy of the collection whose first institution-year has outputs and a manifest as
    `disclosure run` writes them (inputs from the loader, outputs hashed, versions)."""
    folder, _ = small_collection
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, symlinks=True)
    item = institution_years(copy)[0]
    out = item.root / "outputs" / item.year
    out.mkdir(parents=True)
    (out / "statistics.csv").write_text("row,value\n1,有\n", encoding="utf-8")
    # findings.csv and findings.json as `disclosure run` writes them (its exporters: the CSV for
    # Excel, with a BOM and Chinese words; the JSON with true/false/null)
    findings = [
        {"id": "A06", "severity": "error", "passed": False},
        {"id": "K06", "severity": "warning", "passed": False},
        {"id": "K07", "severity": "warning", "passed": False},
        {"id": "A01", "severity": "error", "passed": True},
        {"id": "A07", "severity": "error", "passed": None},
    ]
    results = {"findings": [{c: f.get(c, "") for c in COLUMNS} for f in findings]}
    for name in ("findings.csv", "findings.json"):
        (out / name).write_bytes(RESULT_FILES[name](results))
    manifest = {
        "academic_year": item.year,
        "summary": {"rules": 5, "errors": 1, "warnings": 2},
        "inputs": pipeline.load(item.root, item.year).inputs,
        "outputs": [
            file_record(out / n, out) for n in ("statistics.csv", "findings.csv", "findings.json")
        ],
        "versions": versions(),
    }
    (out / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")
    return item


def test_verified_outputs_of_unchanged_inputs_are_up_to_date(finished):
    fresh, manifest = up_to_date(finished)
    assert fresh and manifest["summary"]["errors"] == 1


def test_no_outputs_or_a_broken_manifest_is_not_up_to_date(finished, small_collection):
    other = institution_years(finished.root.parents[1])[1]
    assert up_to_date(other) == (False, None)
    (finished.root / "outputs" / finished.year / "manifest.json").write_text("{", encoding="utf-8")
    assert up_to_date(finished) == (False, None)


def test_a_tampered_output_is_run_again(finished):
    target = finished.root / "outputs" / finished.year / "statistics.csv"
    target.write_text("row,value\n1,无\n", encoding="utf-8")
    assert up_to_date(finished)[0] is False


def test_a_recorded_path_leaving_the_workspace_is_run_again_not_read(finished):
    path = finished.root / "outputs" / finished.year / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("seal")
    manifest["inputs"][0]["path"] = "../../../collection.yaml"
    path.write_text(sealed_text(manifest), encoding="utf-8")
    assert up_to_date(finished)[0] is False


@pytest.mark.parametrize(
    "change",
    ["raw file", "params", "shared form", "new raw file"],
)
def test_a_changed_or_added_input_is_run_again(finished, change):
    root, year = finished.root, finished.year
    if change == "raw file":
        with (root / "data/raw" / year / "withheld.csv").open("a", encoding="utf-8") as f:
            f.write("新增,涉及个人隐私,1\n")
    elif change == "params":
        with (root / "params" / f"{year}.yaml").open("a", encoding="utf-8") as f:
            f.write("# edited\n")
    elif change == "shared form":  # edited once, in the collection: every institution sees it
        with (root.parents[1] / "forms" / "rules.yaml").open("a", encoding="utf-8") as f:
            f.write("\n# edited\n")
    else:
        (root / "data/raw" / year / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    assert up_to_date(finished)[0] is False


def test_another_years_params_leave_a_finished_year_up_to_date(finished):
    # each year stands alone: its manifest records only its own params
    (finished.root / "params" / "2099-2100.yaml").write_text("academic_year: 2099-2100\n", "utf-8")
    assert up_to_date(finished)[0] is True


def test_other_package_versions_are_run_again(finished):
    path = finished.root / "outputs" / finished.year / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("seal")
    manifest["versions"]["disclosure-workbook"] = "0.0.0-old"
    path.write_text(sealed_text(manifest), encoding="utf-8")
    assert up_to_date(finished)[0] is False


def test_a_batch_of_up_to_date_years_starts_no_cluster_and_reports_them_skipped(finished):
    seen = []
    outcomes = run_batch([finished], workers=1, on_outcome=lambda o, p: seen.append(p.skipped))
    assert [o.status for o in outcomes] == ["skipped"] and seen == [1]
    assert (outcomes[0].errors, outcomes[0].warnings) == (1, 2)
    assert outcomes[0].failed_rules == ("A06",)  # from the kept findings.json
    assert exit_code(outcomes) == 1  # the kept outputs failed an error check


def test_a_kept_year_that_failed_an_error_check_resumes_whatever_findings_csv_looks_like(finished):
    """The regression of issue 19: findings.csv gained a BOM and a batch rerun died with
    KeyError 'id'. The verdict is read from findings.json; findings.csv is display text."""
    out = finished.root / "outputs" / finished.year
    assert (out / "findings.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # as run writes it
    outcomes = run_batch([finished], workers=1)
    assert outcomes[0].status == "skipped" and outcomes[0].failed_rules == ("A06",)


def test_a_kept_year_whose_verdict_cannot_be_read_back_is_not_skipped(finished, monkeypatch):
    from disclosure.batch import run as batch_run
    from disclosure.errors import InputError

    def unreadable(folder):
        raise InputError.one(str(folder), "x")

    monkeypatch.setattr(batch_run, "read_verdict", unreadable)
    monkeypatch.setattr(batch_run, "local_cluster", lambda workers: pytest.fail("ran") or None)
    with pytest.raises(pytest.fail.Exception, match="ran"):
        run_batch([finished], workers=1)


def test_a_task_with_bad_input_comes_back_as_an_outcome(small_collection, tmp_path):
    folder, _ = small_collection
    item = institution_years(folder)[0]
    outcome = run_task(str(item.root), "2090-2091", item.institution)
    assert outcome.status == "bad_input" and outcome.exit_code == 2
    assert "2090-2091" in outcome.message and outcome.worker


@pytest.mark.parametrize(
    ("status", "errors", "code"),
    [
        ("passed", 0, 0),
        ("skipped", 0, 0),
        ("skipped", 1, 1),
        ("failed_checks", 2, 1),
        ("run_failed", 0, 1),
        ("crashed", 0, 1),
        ("bad_input", 0, 2),
    ],
)
def test_exit_codes(status, errors, code):
    assert Outcome("A", "2030-2031", status, errors=errors).exit_code == code


def test_the_exit_code_is_the_worst_and_zero_for_nothing():
    outcomes = [Outcome("A", "y", "passed"), Outcome("B", "y", "bad_input")]
    assert exit_code(outcomes) == 2 and exit_code([]) == 0


def test_progress_counts_and_time_left():
    counts = Progress(4, started=0.0)
    assert counts.eta() is None  # nothing run yet
    counts.add(Outcome("A", "y", "skipped"))
    assert counts.eta() is None  # a skipped year says nothing about the pace
    counts.add(Outcome("B", "y", "passed"))
    counts.add(Outcome("C", "y", "failed_checks", errors=1))
    assert (counts.done, counts.failed, counts.skipped, counts.finished) == (1, 1, 1, 3)
    left = counts.eta()
    assert left is not None and left > 0
    counts.add(Outcome("D", "y", "passed"))
    assert counts.eta() == 0.0


def test_the_summary_lists_every_year_and_the_failure_rows_only_the_failed(tmp_path):
    outcomes = [
        Outcome("A", "2030-2031", "passed", seconds=1.234, evidence="/o/A"),
        Outcome("B", "2030-2031", "failed_checks", errors=2, failed_rules=("A06", "P01")),
        Outcome("C", "2030-2031", "run_failed", message="第 3 个执行单元格出错", evidence="/f"),
    ]
    text = summary_csv(outcomes)
    assert text.startswith("\ufeff机构,学年,结果,")  # a BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(rows[0]) == [SUMMARY_HEADERS[c] for c in SUMMARY_COLUMNS]
    assert [(r["机构"], r["结果"], r["用时(秒)"]) for r in rows] == [
        ("A", STATUS_ZH["passed"], "1.23"),
        ("B", STATUS_ZH["failed_checks"], "0.0"),
        ("C", STATUS_ZH["run_failed"], "0.0"),
    ]
    assert rows[1]["未通过的错误规则"] == "A06 P01"
    assert failure_rows(outcomes) == [
        ("B", "2030-2031", "未通过校验", "未通过的错误级校验:A06、P01", ""),
        ("C", "2030-2031", "运行失败", "第 3 个执行单元格出错", "/f"),
    ]
    target = write_summary(tmp_path, outcomes)
    assert target.read_text(encoding="utf-8") == summary_csv(outcomes)
    sheet = pd.read_excel(tmp_path / SUMMARY_XLSX, dtype=str)
    assert list(sheet["结果"]) == [STATUS_ZH[o.status] for o in outcomes]
    assert read_record(tmp_path) == outcomes


def test_a_later_run_of_some_years_keeps_the_other_years_rows(tmp_path):
    first = [Outcome("B", "2030-2031", "passed"), Outcome("A", "2031-2032", "passed")]
    write_summary(tmp_path, first)
    again = Outcome("A", "2031-2032", "failed_checks", errors=1, failed_rules=("P01",))
    write_summary(tmp_path, [again, Outcome("A", "2030-2031", "skipped")])
    kept = read_record(tmp_path)
    assert [o.key for o in kept] == ["A/2030-2031", "A/2031-2032", "B/2030-2031"]
    assert kept[1] == again and kept[2] == first[0]  # the latest wins; the others stay
    text = (tmp_path / SUMMARY_FILE).read_text(encoding="utf-8-sig")
    assert len(text.splitlines()) == 4 and "B,2030-2031,校验通过" in text


def test_an_unreadable_batch_record_is_named(tmp_path):
    assert read_record(tmp_path) == []
    (tmp_path / RECORD_FILE).write_text('[{"institution": "A"}]', encoding="utf-8")
    with pytest.raises(InputError, match=RECORD_FILE):
        read_record(tmp_path)
    (tmp_path / RECORD_FILE).write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="无法读取批量运行记录"):
        write_summary(tmp_path, [])


def _daemonic() -> bool:
    import multiprocessing

    return multiprocessing.current_process().daemon


def test_local_cluster_workers_are_not_daemonic_so_a_run_may_start_processes() -> None:
    import dask
    from distributed import Client

    from disclosure.batch.run import local_cluster

    before = dask.config.get("distributed.worker.daemon")
    cluster = local_cluster(1)
    try:
        with Client(cluster) as client:
            assert list(client.run(_daemonic).values()) == [False]
    finally:
        cluster.close()
    assert dask.config.get("distributed.worker.daemon") == before  # set for the cluster only


def test_the_batch_record_of_a_year_is_that_years_outcome_with_its_institution():
    import pandas as pd

    from disclosure.pipeline import STATUS_ZH, YearOutcome

    findings = pd.DataFrame(
        {
            "id": ["A06", "Y01", "A01"],
            "severity": ["error", "warning", "error"],
            "passed": [False, False, True],
        }
    )
    year = YearOutcome(
        "2030-2031",
        "failed_checks",
        summary={"rules": 3, "errors": 1, "warnings": 1},
        out_dir="/ws/outputs/2030-2031",
        findings=findings,
    )
    got = Outcome.of(year, "S0001", "host:1", 2.5)
    assert (got.institution, got.year, got.status) == ("S0001", "2030-2031", "failed_checks")
    assert (got.errors, got.warnings, got.failed_rules) == (1, 1, ("A06",))
    assert (got.evidence, got.worker, got.seconds) == ("/ws/outputs/2030-2031", "host:1", 2.5)
    bad = Outcome.of(YearOutcome("y", "bad_input", problems=("a", "b")), "S", "w", 0)
    assert bad.message == "a；b" and bad.exit_code == 2
    assert set(STATUS_ZH) >= {
        "passed",
        "failed_checks",
        "bad_input",
        "run_failed",
        "crashed",
        "skipped",
    }
