"""End to end: `disclosure run` executes the workbook with papermill and writes every output.

One full run per year, shared by the tests of this module (module-scoped fixtures); each in a
temporary copy of the workspace, so the repository's outputs/ is never touched.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from test_fixture_years import SYNTHETIC, derive_statistics
from workspaces import build_workspace, run_cli_subprocess

pytestmark = pytest.mark.e2e

OUTPUT_FILES = (
    "workbook.ipynb",
    "audit.html",
    "report.html",
    "report.pdf",
    "report.docx",
    "review.html",
    "review.pdf",
    "statistics.xlsx",
    "statistics.csv",
    "checklist.csv",
    "findings.csv",
    "findings.json",
    "manifest.json",
)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def failed(findings: list[dict[str, str]], severity: str) -> set[str]:
    return {f["id"] for f in findings if f["passed"] == "否" and f["severity"] == severity}


@pytest.fixture(scope="module")
def real_run(workspace_factory, cli_subprocess):  # type: ignore[no-untyped-def]
    root = workspace_factory(repo_years=True)
    done = cli_subprocess("--root", root, "run", "2023-2024")
    return root, root / "outputs" / "2023-2024", done


@pytest.fixture(scope="module")
def synthetic_run(workspace_factory, cli_subprocess):  # type: ignore[no-untyped-def]
    root = workspace_factory("synthetic_2030-2031")
    done = cli_subprocess("--root", root, "run", "2030-2031")
    return root, root / "outputs" / "2030-2031", done


# --------------------------------------------------------------------------------------------------
# (a) the bundled real year
# --------------------------------------------------------------------------------------------------


def test_real_year_run_exits_0_and_writes_into_the_copy(real_run) -> None:  # type: ignore[no-untyped-def]
    root, out, done = real_run
    # every output written: exit 0, though the seed report contradicts itself (by design)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2023-2024:已写出全部输出,有未通过的校验(11 项错误、8 项提示)" in done.stdout
    assert f"请先打开 {out / 'review.pdf'}" in done.stdout
    assert str(out) in done.stdout  # outputs went to the temporary copy, not the repository


def test_real_year_writes_every_output(real_run) -> None:  # type: ignore[no-untyped-def]
    _root, out, _done = real_run
    for name in OUTPUT_FILES:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert {
        "publications_by_channel.png",
        "checklist_by_category.png",
        "media_by_prominence.png",
    } <= set(figures)
    assert all((out / "figures" / f).read_bytes().startswith(b"\x89PNG") for f in figures)
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")
    assert not any(p.name.startswith(".staging") for p in out.parent.iterdir())
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["academic_year"] == "2023-2024"
    assert manifest["summary"]["errors"] > 0
    listed = {o["path"] for o in manifest["outputs"]}
    assert set(OUTPUT_FILES) - {"manifest.json"} <= listed
    for o in manifest["outputs"]:
        assert hashlib.sha256((out / o["path"]).read_bytes()).hexdigest() == o["sha256"], o["path"]


def test_real_year_statistics_equal_the_published_table_except_rows_11_and_54(real_run) -> None:  # type: ignore[no-untyped-def]
    root, out, _done = real_run
    stats = read_csv(out / "statistics.csv")
    printed = read_csv(root / "data/raw/2023-2024/reported_statistics.csv")
    assert [int(r["row"]) for r in stats] == list(range(1, 56))
    assert len(printed) == 55
    for s, p in zip(stats, printed, strict=True):
        row = int(s["row"])
        if row == 11:  # checklist items sum to 178; the report prints 174
            assert (s["value"], p["value"], s["agrees"]) == ("178", "174", "否")
        elif row == 54:
            # fee policy kept as printed "0 元"; the table prints 0 with unit 元: equal once the
            # unit is added
            assert (s["value"], p["value"], p["unit"]) == ("0 元", "0", "元")
            assert re.sub(r"\s+", "", s["value"]) == p["value"] + p["unit"]
            assert s["agrees"] == "是"
        else:
            assert s["value"] == p["value"], row
            assert s["agrees"] == "是", row
        assert s["reported"] == p["value"] and s["printed_no"] == p["printed_no"], row
    assert [s["row"] for s in stats if s["agrees"] == "否"] == ["11"]


def test_real_year_findings_list_the_known_contradictions(real_run) -> None:  # type: ignore[no-untyped-def]
    _root, out, _done = real_run
    findings = read_csv(out / "findings.csv")
    errors, warnings = failed(findings, "error"), failed(findings, "warning")
    assert errors & {"F03", "F04"}  # special funding 8000 yuan although the project is 无
    assert "S01" in errors  # printed row number 50 twice
    assert errors & {"S02", "S03"}  # row 54 is neither 收费 nor 不收费
    assert "K01" in errors  # checklist total 178 vs row 11 174
    assert {"K05", "K06", "K07"} <= warnings
    by_id = {f["id"]: f for f in findings}
    assert "8000" in by_id["F03"]["filled"]
    assert by_id["K01"]["filled"].startswith("178 == 174")
    assert (
        json.loads((out / "findings.json").read_text(encoding="utf-8"))
        and {
            f["id"]
            for f in json.loads((out / "findings.json").read_text(encoding="utf-8"))
            if f["passed"] is False
        }
        == errors | warnings
    )


def test_real_year_notebook_has_no_error_output(real_run) -> None:  # type: ignore[no-untyped-def]
    _root, out, _done = real_run
    nb = nbformat.read(out / "workbook.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)  # every cell ran
    assert [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"] == []
    injected = [c for c in code if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'academic_year = "2023-2024"' in injected[0].source


def test_real_year_audit_html_shows_all_code_and_embeds_images(real_run) -> None:  # type: ignore[no-untyped-def]
    _root, out, _done = real_run
    page = (out / "audit.html").read_text(encoding="utf-8")
    text = html.unescape(
        re.sub(r"<[^>]+>", "", page)
    )  # code is syntax-highlighted: compare the visible text
    nb = nbformat.read(out / "workbook.ipynb", as_version=4)
    missing = [c.source[:60] for c in nb.cells if c.cell_type == "code" and c.source not in text]
    assert missing == []
    assert page.count("data:image/png") >= 3
    assert "<script src=" not in page.lower()


# --------------------------------------------------------------------------------------------------
# (b) the synthetic year end to end
# --------------------------------------------------------------------------------------------------


def test_synthetic_year_run_exits_0_with_independently_derived_statistics(synthetic_run) -> None:  # type: ignore[no-untyped-def]
    _root, out, done = synthetic_run
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2030-2031:已写出全部输出,全部校验通过(0 项错误、0 项提示)" in done.stdout
    expected = derive_statistics(SYNTHETIC / "raw")
    stats = read_csv(out / "statistics.csv")
    assert {int(r["row"]): r["value"] for r in stats} == {n: str(v) for n, v in expected.items()}
    assert {r["agrees"] for r in stats} == {"是"}


def test_synthetic_year_outputs_are_complete_and_pass(synthetic_run) -> None:  # type: ignore[no-untyped-def]
    _root, out, _done = synthetic_run
    for name in OUTPUT_FILES:
        assert (out / name).is_file(), name
    assert (
        out / "figures" / "applications.png"
    ).is_file()  # drawn only in a year with applications
    findings = read_csv(out / "findings.csv")
    assert findings and {f["passed"] for f in findings if f["id"] not in ("D01", "Y01")} == {"是"}
    assert {f["passed"] for f in findings if f["id"] in ("D01", "Y01")} == {""}  # not applicable
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "虚构示范大学" in report and "未通过校验" not in report
    assert "收到信息公开申请 36 件" in report  # the prose is filled from the rebuilt table
    nb = nbformat.read(out / "workbook.ipynb", as_version=4)
    assert [
        o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"
    ] == []


# --------------------------------------------------------------------------------------------------
# (c) bad parameters stop before any kernel starts and write nothing
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def no_kernel(monkeypatch):  # type: ignore[no-untyped-def]
    """Fail the test if a notebook execution is attempted; a kernel started while the inputs
    were validated must be stopped."""
    import papermill

    import disclosure.evidence.execute

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a kernel was started")

    started = []
    start = disclosure.evidence.execute._start_kernel

    def record(root):  # type: ignore[no-untyped-def]
        started.append(start(root))
        return started[-1]

    monkeypatch.setattr(disclosure.evidence.execute, "_start_kernel", record)
    monkeypatch.setattr(disclosure.evidence.execute, "_execute", refuse)
    monkeypatch.setattr(papermill, "execute_notebook", refuse)
    yield
    assert not [k for k in started if k.is_alive()], "a kernel was left running"


def _set_params(root: Path, old: str, new: str) -> None:
    path = root / "params/2030-2031.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize(
    "change, year, message",
    [
        (None, "2099-2100", "没有学年 2099-2100 的参数文件"),
        (None, "2030-2032", "不是有效学年"),
        (
            ("data_dir: data/raw/2030-2031", "data_dir: data/raw/2030-2031-missing"),
            "2030-2031",
            "参数“data_dir”指向的文件夹“data/raw/2030-2031-missing”不存在",
        ),
        (
            ("yoy_threshold: 0.5", "yoy_threshold: 0.5\ncolour: red"),
            "2030-2031",
            "未知参数“colour”",
        ),
    ],
    ids=["unknown-year", "malformed-year", "missing-data-folder", "unknown-parameter"],
)
def test_bad_parameters_exit_2_before_any_kernel(
    workspace, cli, no_kernel, change, year, message
) -> None:  # type: ignore[no-untyped-def]
    root = workspace("synthetic_2030-2031")
    if change:
        _set_params(root, *change)
    code, out = cli("--root", root, "run", year)
    assert code == 2, out
    assert message in out
    assert "输入有误" in out
    assert not (root / "outputs").exists()


def test_bad_parameter_leaves_previous_outputs_unchanged(synthetic_run, cli_subprocess) -> None:  # type: ignore[no-untyped-def]
    root, out, done = synthetic_run
    assert done.returncode == 0
    before = {
        p.relative_to(root): p.read_bytes() for p in (root / "outputs").rglob("*") if p.is_file()
    }
    params = root / "params/2030-2031.yaml"
    original = params.read_text(encoding="utf-8")
    try:
        params.write_text(original + "colour: red\n", encoding="utf-8")
        bad = cli_subprocess("--root", root, "run", "2030-2031")
    finally:
        params.write_text(original, encoding="utf-8")
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert "2030-2031:输入有误,未启动内核,未写入任何输出" in bad.stdout
    assert "未知参数“colour”" in bad.stdout
    after = {
        p.relative_to(root): p.read_bytes() for p in (root / "outputs").rglob("*") if p.is_file()
    }
    assert after == before


# --------------------------------------------------------------------------------------------------
# (c) a new year started with `disclosure init`, as a user would: the words follow the register
# --------------------------------------------------------------------------------------------------

APPLICATIONS = """id,received,channel,applicant,topic,concluded,outcome,fee,count,note
YSQ-2024-001,2024-10-08,当面,公民,招生,是,同意公开,,1,
YSQ-2025-002,2025-03-12,电子邮件,公民,财务,是,同意公开,,1,
YSQ-2025-003,2025-05-20,电子邮件,法人,其他,是,信息不存在,,1,
"""


@pytest.fixture(scope="module")
def new_year(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = build_workspace(tmp_path_factory.mktemp("init") / "ws", repo_years=True)
    assert run_cli_subprocess("--root", root, "init", "2024-2025").returncode == 0
    new, old = root / "data/raw/2024-2025", root / "data/raw/2023-2024"
    # the office fills the year: its registers (here last year's publications and internal
    # counts), three applications, and the head of the document
    for name in ("publications.csv", "internal.csv"):
        shutil.copyfile(old / name, new / name)
    (new / "applications.csv").write_text(APPLICATIONS, encoding="utf-8")
    profile = (new / "profile.yaml").read_text(encoding="utf-8")
    profile = profile.replace("document_number: ''", "document_number: 重机电文〔2025〕41号")
    profile = profile.replace("signer: ''", "signer: 石晓辉")
    profile = profile.replace("report_date: ''", "report_date: '2025-10-20'")
    (new / "profile.yaml").write_text(profile, encoding="utf-8")
    done = run_cli_subprocess("--root", root, "run", "2024-2025")
    assert done.returncode == 0, done.stdout + done.stderr
    return root / "outputs" / "2024-2025", done


def test_a_new_year_with_three_applications_states_them_and_never_says_none(new_year) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    out, done = new_year
    pdf = subprocess.run(
        ["pdftotext", str(out / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    word = "".join(p.text for p in Document(str(out / "report.docx")).paragraphs)
    html = (out / "report.html").read_text(encoding="utf-8")
    for copy in ("".join(pdf.split()), "".join(word.split()), html):
        assert "共收到信息公开申请3件" in copy.replace(" ", ""), copy[:200]
        assert "当面提交1件" in copy.replace(" ", "") and "电子邮件提交2件" in copy.replace(" ", "")
        assert "未收到" not in copy
    stats = {r["row"]: r for r in read_csv(out / "statistics.csv")}
    assert stats["19"]["value"] == "3"
    findings = {f["id"]: f for f in read_csv(out / "findings.csv")}
    assert findings["N05"]["passed"] == "是"  # the sentences agree with the table
    assert findings["H05"]["passed"] == "是"  # 〔2025〕 in a 2024-2025 report
