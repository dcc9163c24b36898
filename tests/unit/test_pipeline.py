"""The pipeline of one year and of many (disclosure.pipeline), without a kernel: check_year's stages
on the real year, the previous year found in a workspace, and run_many's outcome of each year."""

from __future__ import annotations

import dataclasses
import errno
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml
from workspaces import REPO_ROOT, build_workspace

from disclosure import pipeline
from disclosure.compute.checklist import checklist_categories
from disclosure.errors import InputError, Problem, RunFailed
from disclosure.evidence.execute import RunResult

YEAR = "2023-2024"
SYNTHETIC = "synthetic_2030-2031"
BROKEN = "broken_2031-2032"


@pytest.fixture(scope="module")
def result() -> pipeline.YearResult:
    return pipeline.check_year(REPO_ROOT, YEAR)


def catalogue_ids() -> list[str]:
    """The ids of forms/rules.yaml, read without the package."""
    rules = yaml.safe_load((REPO_ROOT / "forms" / "rules.yaml").read_text(encoding="utf-8"))
    return [rule["id"] for family in rules["families"].values() for rule in family["rules"]]


def set_param(root: Path, year: str, key: str, value: str) -> None:
    path = root / "params" / f"{year}.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    params[key] = value
    path.write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")


# --- check_year ------------------------------------------------------------------------------


def test_stages_are_named_in_their_order() -> None:
    assert pipeline.STAGES == ("load", "rebuild", "previous", "checklist", "categories", "check")


def test_year_result_holds_the_stage_results_in_order() -> None:
    fields = [f.name for f in dataclasses.fields(pipeline.YearResult)]
    assert fields == ["data", "statistics", "checklist", "categories", "previous", "findings"]


def test_check_year_rebuilds_the_55_rows_beside_the_previous_year(result) -> None:
    assert result.data.year == YEAR
    assert result.statistics["row"].tolist() == list(range(1, 56))
    assert "previous" in result.statistics.columns
    assert result.statistics["previous"].isna().all()
    assert result.statistics.loc[result.statistics["row"] == 11, "value"].item() == 178


def test_check_year_summarises_the_checklist_it_built(result) -> None:
    assert len(result.checklist) == 50
    pd.testing.assert_frame_equal(result.categories, checklist_categories(result.checklist))


def test_check_year_runs_every_check_of_the_catalogue_once(result) -> None:
    ids = result.findings["id"].tolist()
    assert sorted(ids) == sorted(catalogue_ids())
    assert len(ids) == len(set(ids)) == 71


def test_check_year_lists_failed_errors_first_then_failed_warnings(result) -> None:
    findings = result.findings
    failed = findings[findings["passed"].map(lambda p: p is False)]
    assert failed["id"].tolist() == [
        *["C01", "F03", "F03p", "F04", "F04p", "K01", "N01", "P01", "S01", "S02", "S03"],
        *["H04", "K03w", "K05", "K06", "K07", "K08", "K09", "N07"],
    ]
    assert findings["id"].tolist()[:19] == failed["id"].tolist()


def test_check_year_without_a_previous_year_names_it_and_does_not_apply_y01(result) -> None:
    assert result.previous == pipeline.Previous("2022-2023", None)
    y01 = result.findings.set_index("id").loc["Y01"]
    assert y01["passed"] is None


def test_check_year_of_bad_input_raises_before_any_check(tmp_path) -> None:
    root = build_workspace(tmp_path / "ws", [SYNTHETIC])
    (root / "data/raw/2030-2031/profile.yaml").unlink()
    with pytest.raises(InputError, match="profile.yaml"):
        pipeline.check_year(root, "2030-2031")


# --- previous --------------------------------------------------------------------------------


def test_previous_of_a_year_whose_previous_year_has_no_params_is_none() -> None:
    data = pipeline.load(REPO_ROOT, YEAR)
    assert pipeline.previous(data) == pipeline.Previous("2022-2023", None)


def test_previous_finds_the_academic_year_before_by_default(tmp_path) -> None:
    root = build_workspace(tmp_path / "ws", [SYNTHETIC, BROKEN])
    before = pipeline.previous(pipeline.load(root, "2031-2032"))
    assert before.year == "2030-2031"
    assert before.statistics is not None
    synthetic = pipeline.check_year(root, "2030-2031").statistics
    assert before.statistics["value"].tolist() == synthetic["value"].tolist()


def test_previous_honours_the_previous_year_parameter(tmp_path) -> None:
    root = build_workspace(tmp_path / "ws", [SYNTHETIC], repo_years=True)
    set_param(root, "2030-2031", "previous_year", YEAR)
    before = pipeline.previous(pipeline.load(root, "2030-2031"))
    assert before.year == YEAR
    assert before.statistics.loc[before.statistics["row"] == 10, "value"].item() == 335
    result = pipeline.check_year(root, "2030-2031")
    assert result.statistics.loc[result.statistics["row"] == 10, "previous"].item() == 335
    assert result.findings.set_index("id").loc["Y01", "passed"] is not None  # Y01 now applies


@pytest.mark.parametrize(
    "named, says",
    [
        (
            "2020-2021",
            "参数“previous_year”指定的上一学年 2020-2021 没有参数文件 params/2020-2021.yaml;"
            "请添加该学年,或删去 previous_year(没有上一学年时不作跨学年对比)",
        ),
        (
            "2032-2033",
            "参数“previous_year”为“2032-2033”,晚于本学年 2031-2032;"
            "上一学年应早于本学年(如 2030-2031)",
        ),
    ],
    ids=["missing", "later"],
)
def test_previous_year_parameter_naming_a_missing_or_later_year_is_an_input_error(
    tmp_path, named, says
) -> None:
    root = build_workspace(tmp_path / "ws", [SYNTHETIC, BROKEN])
    set_param(root, "2031-2032", "previous_year", named)
    for step in (pipeline.load, pipeline.check_year):
        with pytest.raises(InputError) as exc:
            step(root, "2031-2032")
        assert [str(p) for p in exc.value.problems] == [f"params/2031-2032.yaml:{says}"]


def test_previous_year_parameter_naming_an_unreadable_year_is_an_input_error(tmp_path) -> None:
    root = build_workspace(tmp_path / "ws", [SYNTHETIC, BROKEN])
    set_param(root, "2031-2032", "previous_year", "2030-2031")
    (root / "data/raw/2030-2031/profile.yaml").unlink()
    with pytest.raises(InputError) as exc:
        pipeline.previous(pipeline.load(root, "2031-2032"))
    assert [str(p) for p in exc.value.problems] == [
        "params/2031-2032.yaml:参数“previous_year”指定的学年 2030-2031 的数据有误:"
        "data/raw/2030-2031/profile.yaml:缺少学校概况文件 profile.yaml"
    ]


def test_an_unreadable_previous_year_gives_none_instead_of_failing(tmp_path) -> None:
    root = build_workspace(tmp_path / "ws", [SYNTHETIC, BROKEN])
    (root / "data/raw/2030-2031/profile.yaml").unlink()
    before = pipeline.previous(pipeline.load(root, "2031-2032"))
    assert before == pipeline.Previous("2030-2031", None)
    assert pipeline.check_year(root, "2031-2032").previous.statistics is None


# --- run_many --------------------------------------------------------------------------------


BAD_ROW = Problem("a.csv", "坏行", row=3)
SUMMARIES = {
    "2030-2031": {"rules": 41, "errors": 0, "warnings": 2},
    "2031-2032": {"rules": 41, "errors": 8, "warnings": 2},
}


@pytest.fixture
def fake_runs(monkeypatch) -> list[tuple[str, bool]]:
    """pipeline.run_year replaced: two years run, one has bad input, one fails in the kernel."""
    calls: list[tuple[str, bool]] = []
    findings = pd.DataFrame({"id": ["C01"], "passed": [False]})

    def run_year(
        root: Path, year: str, strict: bool = False, dest: Path | None = None, kernel=None
    ):
        calls.append((year, strict))
        if year == "2029-2030":
            raise InputError([Problem("params/2029-2030.yaml", "坏参数"), BAD_ROW])
        if year == "2032-2033":
            raise RunFailed(
                "第 5 个执行单元格出错:ValueError: boom", Path("/ws/outputs/2032-2033/failed")
            )
        return RunResult(year, root / "outputs" / year, SUMMARIES[year], findings)

    monkeypatch.setattr(pipeline, "run_year", run_year)
    return calls


def test_run_many_maps_each_outcome_to_its_status_in_the_order_given(fake_runs) -> None:
    years = ["2031-2032", "2029-2030", "2030-2031", "2032-2033"]
    outcomes = pipeline.run_many(Path("/ws"), years, strict=True, jobs=1)
    assert [(o.year, o.status) for o in outcomes] == [
        ("2031-2032", "failed_checks"),
        ("2029-2030", "bad_input"),
        ("2030-2031", "passed"),
        ("2032-2033", "run_failed"),
    ]
    assert fake_runs == [(year, True) for year in years]


def test_run_many_keeps_summary_folder_and_findings_of_a_completed_year(fake_runs) -> None:
    failed, passed = pipeline.run_many(Path("/ws"), ["2031-2032", "2030-2031"])
    assert failed.summary == SUMMARIES["2031-2032"]
    assert failed.out_dir == "/ws/outputs/2031-2032"
    assert failed.findings["id"].tolist() == ["C01"]
    assert passed.summary == SUMMARIES["2030-2031"] and passed.problems == ()
    assert passed.seconds >= 0 and passed.message == "" and passed.failed_dir == ""


def test_run_many_gives_each_input_problem_of_a_bad_year_as_text(fake_runs) -> None:
    (bad,) = pipeline.run_many(Path("/ws"), ["2029-2030"])
    assert bad.problems == ("params/2029-2030.yaml:坏参数", "a.csv 第 3 行:坏行")
    assert bad.summary == {} and bad.out_dir == "" and bad.findings is None


def test_run_many_gives_the_message_and_kept_notebook_of_a_failed_run(fake_runs) -> None:
    (failed,) = pipeline.run_many(Path("/ws"), ["2032-2033"])
    assert failed.message == "第 5 个执行单元格出错:ValueError: boom"
    assert failed.failed_dir == "/ws/outputs/2032-2033/failed"
    assert failed.summary == {}


def test_run_many_passes_strict_false_by_default(fake_runs) -> None:
    pipeline.run_many(Path("/ws"), ["2030-2031"])
    assert fake_runs == [("2030-2031", False)]


def test_run_one_of_a_run_failed_without_a_kept_notebook_has_no_failed_dir(monkeypatch) -> None:
    def run_year(root, year, strict=False, dest=None, kernel=None):
        raise RunFailed("内核异常终止", None)

    monkeypatch.setattr(pipeline, "run_year", run_year)
    outcome = pipeline.run_one(Path("/ws"), "2030-2031")
    assert (outcome.status, outcome.message, outcome.failed_dir) == (
        "run_failed",
        "内核异常终止",
        "",
    )


def test_run_pairs_runs_each_workspace_year_pair_in_order(monkeypatch) -> None:
    seen = []

    def fake_one(root, year, strict=False):
        seen.append((root, year))
        return pipeline.YearOutcome(
            year, "passed", summary={"rules": 1, "errors": 0, "warnings": 0}
        )

    monkeypatch.setattr(pipeline, "run_one", fake_one)
    pairs = [(Path("/a"), "2023-2024"), (Path("/b"), "2023-2024"), (Path("/a"), "2022-2023")]
    outcomes = pipeline.run_pairs(pairs)
    assert seen == pairs
    assert [o.year for o in outcomes] == ["2023-2024", "2023-2024", "2022-2023"]


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (errno.ENOSPC, "磁盘空间已满"),
        (errno.EFBIG, "文件超过系统允许的大小上限"),
        (errno.EROFS, "文件系统为只读"),
        (errno.EACCES, "没有写入权限"),
        (errno.EIO, "系统错误 EIO"),
    ],
)
def test_a_write_that_fails_is_a_run_failed_outcome_said_in_chinese(monkeypatch, code, said):
    def run_year(root, year, strict=False, dest=None, kernel=None):
        raise OSError(code, os.strerror(code), "/ws/outputs/2023-2024/report.pdf")

    monkeypatch.setattr(pipeline, "run_year", run_year)
    outcome = pipeline.run_one(Path("/ws"), "2023-2024")
    assert outcome.status == "run_failed"
    assert outcome.message == (
        f"无法写入输出(/ws/outputs/2023-2024/report.pdf):{said};请处理后重新运行"
    )
    assert os.strerror(code) not in outcome.message  # no English detail


def test_run_one_passes_the_lent_kernel_down(monkeypatch):
    seen = {}

    def run_year(root, year, strict=False, dest=None, kernel=None):
        seen["kernel"] = kernel
        raise pipeline.InputError.one("x", "y")

    monkeypatch.setattr(pipeline, "run_year", run_year)
    lent = object()
    pipeline.run_one(Path("/ws"), "2023-2024", kernel=lent)
    assert seen["kernel"] is lent


# --- a run refuses words its figures cannot draw (issue 26) ---------------------------------------


def test_load_drawable_refuses_an_institution_and_a_figure_label_no_font_draws(tmp_path) -> None:
    root = build_workspace(tmp_path / "ws", repo_years=True)
    profile = root / f"data/raw/{YEAR}/profile.yaml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace("institution: 重庆机电职业技术大学", "institution: 重庆$机电$𠀀大学")
    profile.write_text(text, encoding="utf-8")
    form = root / "forms/statistics.yaml"
    caption = "主动公开信息(按渠道)"
    assert caption in form.read_text(encoding="utf-8")
    form.write_text(
        form.read_text(encoding="utf-8").replace(caption, "主动公开信息\ue000", 1), encoding="utf-8"
    )
    with pytest.raises(InputError) as caught:
        pipeline.load_drawable(root, YEAR)
    assert [str(p) for p in caught.value.problems] == [
        f"data/raw/{YEAR}/profile.yaml:“institution”中的字“𠀀”(U+20000)在图表字体中没有字形,"
        "图中会显示为方框;请改用通行的写法(生僻字可用常用字或拼音代替)",
        "forms/statistics.yaml:“图表 publications_by_channel”中的字“\ue000”(U+E000)在图表字体中"
        "没有字形,图中会显示为方框;请改用通行的写法(生僻字可用常用字或拼音代替)",
    ]


def test_load_drawable_of_drawable_words_is_load(tmp_path) -> None:
    root = build_workspace(tmp_path / "ws", repo_years=True)
    profile = root / f"data/raw/{YEAR}/profile.yaml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace("institution: 重庆机电职业技术大学", "institution: 重庆$机电$ $x^2$")
    profile.write_text(text, encoding="utf-8")
    data = pipeline.load_drawable(root, YEAR)
    assert data.profile["institution"] == "重庆$机电$ $x^2$"


def test_load_drawable_leaves_a_missing_font_to_the_run(tmp_path, monkeypatch) -> None:
    from disclosure.errors import FontMissing
    from disclosure.present import charts

    def missing() -> None:
        raise FontMissing("no font")

    monkeypatch.setattr(charts, "cjk_font_file", missing)
    monkeypatch.setattr(charts, "undrawable", lambda text: pytest.fail("fonts were read"))
    root = build_workspace(tmp_path / "ws", repo_years=True)
    assert pipeline.load_drawable(root, YEAR).year == YEAR
