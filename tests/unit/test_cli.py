"""The `disclosure` command in-process: check on real and fixture years (exit codes and what it
prints), and run, verify and archive with the kernel replaced or on hand-made output folders."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from workspaces import ed25519_key_pair

from disclosure.cli import main
from disclosure.evidence.manifest import sealed_text

SYNTHETIC = "synthetic_2030-2031"


NARRATIVE = "data/raw/2023-2024/narrative.yaml"


def without_narrative(root: Path) -> None:
    (root / NARRATIVE).unlink()


def with_unfilled_placeholder(root: Path) -> None:
    path = root / NARRATIVE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{r15}", "{internal.新媒体}", 1), encoding="utf-8")


@pytest.mark.parametrize(
    "change, says",
    [
        (without_narrative, f"{NARRATIVE}:缺少报告正文"),
        (
            with_unfilled_placeholder,
            f"{NARRATIVE}:第二部分第 2 段的占位符“{{internal.新媒体}}”在 internal.csv 中没有这一项",
        ),
    ],
    ids=["narrative-missing", "placeholder-without-data"],
)
def test_check_exits_2_naming_the_narrative_that_run_could_not_print(workspace, cli, change, says):
    root = workspace(repo_years=True)
    change(root)
    code, out = cli("--root", root, "check", "2023-2024")
    assert code == 2, out
    assert says in out
    assert not (root / "outputs").exists() or not any((root / "outputs").iterdir())


def test_check_real_year_exits_1_and_prints_the_contradictions_with_values(workspace, cli):
    root = workspace(repo_years=True)
    code, out = cli("--root", root, "check", "2023-2024")
    assert code == 1, out
    lines = out.splitlines()

    def line_of(rid: str) -> str:
        found = [x for x in lines if f"[错误] {rid} " in x]
        assert len(found) == 1, (rid, out)
        return found[0]

    # each problem in words with its values, the check's title after it; never the expression
    assert line_of("F03") == (
        "  [错误] F03 统计表第 6 行填“无”(未设专项经费项目),第 7 行却为 8000 元"
        "(校验:未设专项经费项目则专项经费应为零)"
    )
    assert "第 7 行落实专项经费 8000 元,第 6 行却填“无”(应填“有”)" in line_of("F04")
    assert "[错误] S01 第 51 行印为“50”(校验:" in line_of("S01")  # the misnumbering, nothing more
    assert "K01 清单各事项公开数量合计 178 条,已公布统计表第 11 行却为 174 条；" in line_of("K01")
    assert "若第 7 项按另一读法 3(印为“3 / 4”)计,合计 174(校验:" in line_of("K01")
    assert not any(op in x for x in lines for op in ("==", "!=", ">=", "<=", " or ", "not "))
    assert "第 11 行 重算 178 ≠ 公布 174" in line_of("P01")
    assert lines[-1] == "2023-2024:共 71 项校验,11 项错误、8 项提示未通过"
    # Failed checks grouped by cause: each consequence on its own line, right under its cause.
    assert line_of("K01").startswith("  [错误] K01 ")
    k01 = lines.index(line_of("K01"))
    assert lines[k01 + 1 : k01 + 4] == [line_of("C01"), line_of("N01"), line_of("P01")]
    assert line_of("C01") == (
        "      └ 由 K01 引起:[错误] C01 统计表第 12 行信息公开平台公开 174 条,"
        "少于第 11 行清单事项公开的 178 条(校验:信息公开平台公开数不少于清单事项公开数)"
    )
    f03 = lines.index(line_of("F03"))
    assert lines[f03 + 1 : f03 + 4] == [line_of("F03p"), line_of("F04"), line_of("F04p")]
    assert all(
        line_of(c).startswith("      └ 由 F03 引起:[错误] ") for c in ("F03p", "F04", "F04p")
    )
    assert lines[lines.index(line_of("S02")) + 1] == line_of("S03")
    assert line_of("S03").startswith("      └ 由 S02 引起:[错误] S03 ")
    causes = [x.split()[1] for x in lines if x.startswith("  [错误] ")]
    assert causes == ["F03", "K01", "S01", "S02"]
    assert len([x for x in lines if x.startswith("      └ 由 ")]) == 7  # 4 + 7 = 11 errors
    assert len([x for x in lines if x.startswith("  [提示] ")]) == 8
    assert not (root / "outputs").exists()  # check never writes outputs


def test_check_synthetic_year_exits_0(workspace, cli):
    code, out = cli("--root", workspace(SYNTHETIC), "check", "2030-2031")
    assert code == 0, out
    assert "[错误]" not in out and "[提示]" not in out


def test_check_text_in_a_checklist_count_exits_2_naming_file_row_and_column(workspace, cli):
    root = workspace(SYNTHETIC)
    path = root / "data/raw/2030-2031/checklist.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[7].startswith("2,7,3,")  # spreadsheet line 8 is item 7
    lines[7] = lines[7].replace("2,7,3,", "2,7,三,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    code, out = cli("--root", root, "check", "2030-2031")
    assert code == 2, out
    assert "输入有误" in out
    assert "data/raw/2030-2031/checklist.csv 第 8 行 列“count”:应为非负整数,实际为文本“三”" in out
    assert "[错误]" not in out  # no check ran on bad input
    assert not (root / "outputs").exists()


def test_check_unknown_year_exits_2(workspace, cli):
    code, out = cli("--root", workspace(SYNTHETIC), "check", "2040-2041")
    assert code == 2
    assert (
        "没有学年 2040-2041 的参数文件" in out and "2030-2031" in out
    )  # names the years that exist


CORRECTION_KEYS = [
    "table: {table}",
    "match: {match}",
    "field: {field}",
    "value: {value}",
    "reason: 核对原件",
    "by: 测试",
    "{on}: 2031-10-01",
]
CORRECTION = "  - {{" + ", ".join(CORRECTION_KEYS) + "}}\n"


def _with_corrections(root: Path, *lines: str) -> None:
    path = root / "params/2030-2031.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("corrections: []\n", "corrections:\n" + "".join(lines))
    path.write_text(text, encoding="utf-8")


def test_a_correction_with_a_quoted_on_key_is_applied(workspace, cli):
    root = workspace(SYNTHETIC)
    fields = {"table": "profile", "match": "{}", "field": "staff_part_time", "value": 15}
    line = CORRECTION.format(**fields, on='"on"')
    _with_corrections(root, line)
    code, out = cli("--root", root, "check", "2030-2031")
    # the correction takes effect: row 9 no longer equals the published 14, nor the prose
    assert code == 1, out
    assert "第 9 行 重算 15 ≠ 公布 14" in out


def test_a_correction_written_as_documented_is_applied(workspace, cli):
    root = workspace(SYNTHETIC)
    line = CORRECTION.format(table="profile", match="{}", field="leader", value="校长", on="on")
    _with_corrections(root, line)
    code, out = cli("--root", root, "check", "2030-2031")
    assert code == 0, out


@pytest.mark.parametrize(
    "table, match, field, value",
    [
        ("media_reports", "{title: 虚构示范大学新闻报道第 1 篇}", "count", "-3"),
        ("applications", "{id: YSQ-2030-002}", "channel", "网上"),
        ("mailbox", '{received: "2030-09-03"}', "count", "abc"),
    ],
)
def test_a_correction_to_an_invalid_value_is_refused(workspace, cli, table, match, field, value):
    root = workspace(SYNTHETIC)
    line = CORRECTION.format(table=table, match=match, field=field, value=value, on='"on"')
    _with_corrections(root, line)
    code, out = cli("--root", root, "check", "2030-2031")
    assert code == 2, out
    assert "params/2030-2031.yaml" in out and field in out


# --- run, verify and archive without a kernel ----------------------------------------------------


def _record(name: str, data: bytes) -> dict:
    return {"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def _hand_made_outputs(root: Path, year: str = "2030-2031") -> Path:
    """outputs/<year> with two files and a manifest recording them (as a run writes it)."""
    folder = root / "outputs" / year
    folder.mkdir(parents=True)
    files = {"report.pdf": b"%PDF-1.7 x", "statistics.csv": b"row,value\n1,1\n"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    outputs = [_record(name, data) for name, data in sorted(files.items())]
    manifest = {"academic_year": year, "inputs": [], "outputs": outputs}
    (folder / "manifest.json").write_text(sealed_text(manifest), encoding="utf-8")
    return folder


def test_run_without_a_year_or_all_exits_2(workspace, cli):
    code, out = cli("--root", workspace(SYNTHETIC), "run")
    assert code == 2
    assert "请给出学年" in out


def test_run_with_an_invalid_year_exits_2_before_any_kernel(workspace, cli, monkeypatch):
    from disclosure import pipeline

    monkeypatch.setattr(pipeline, "run_year", lambda *a, **kw: pytest.fail("a kernel started"))
    code, out = cli("--root", workspace(SYNTHETIC), "run", "2030-2032")
    assert code == 2
    assert "不是有效学年" in out


def test_run_prints_each_year_and_exits_with_the_worst_code(workspace, cli, monkeypatch):
    from disclosure import pipeline
    from disclosure.errors import InputError, RunFailed
    from disclosure.evidence.execute import RunResult

    root = workspace(SYNTHETIC, "broken_2031-2032")
    failed_c01 = {"id": "C01", "severity": "error", "title": "平台数", "filled": "60 >= 85"}
    findings = pd.DataFrame([{**failed_c01, "passed": False}])
    summaries = {
        "2030-2031": {"rules": 41, "errors": 0, "warnings": 0},
        "2031-2032": {"rules": 41, "errors": 1, "warnings": 0},
    }

    def run_year(root, year, strict=False, dest=None, kernel=None):
        return RunResult(year, root / "outputs" / year, summaries[year], findings)

    monkeypatch.setattr(pipeline, "run_year", run_year)
    code, out = cli("--root", root, "run", "--all")
    assert code == 0, out  # every output written: the findings are the result, not a failure
    assert "2030-2031:已写出全部输出,全部校验通过(0 项错误、0 项提示)" in out
    assert "2031-2032:已写出全部输出,有未通过的校验(1 项错误、0 项提示)" in out
    assert "  [错误] C01 60 >= 85(校验:平台数)" in out  # a finding from before `message`
    assert f"请先打开 {root / 'outputs' / '2031-2032' / 'review.pdf'}" in out

    def failing(root, year, strict=False, dest=None, kernel=None):
        if year == "2030-2031":
            raise InputError.one("params/2030-2031.yaml", "坏参数")
        raise RunFailed("内核异常终止", root / "outputs" / year / "failed")

    monkeypatch.setattr(pipeline, "run_year", failing)
    code, out = cli("--root", root, "run", "--all")
    assert code == 2, out
    assert "2030-2031:输入有误,未启动内核,未写入任何输出:" in out
    assert "  - params/2030-2031.yaml:坏参数" in out
    assert "2031-2032:运行失败,原有输出未改动。内核异常终止" in out
    assert "失败的底稿已保存" in out


def test_verify_exits_0_for_untouched_outputs_and_1_naming_a_changed_file(workspace, cli):
    root = workspace(SYNTHETIC)
    folder = _hand_made_outputs(root)
    code, out = cli("--root", root, "verify", folder)
    assert code == 0, out
    assert "全部输出与 manifest 一致" in out
    (folder / "report.pdf").write_bytes(b"%PDF-1.7 edited")
    code, out = cli("--root", root, "verify", folder)
    assert code == 1, out
    assert "report.pdf:内容与 manifest 记录的 SHA-256 不符(已被改动)" in out
    assert "有 1 处与 manifest 不符" in out


def test_verify_of_a_folder_needs_no_workspace_but_rerun_does(workspace, cli, tmp_path):
    """An archivist checks a copied outputs folder far from any workspace: no --root, and the
    current directory (cli's tmp_path) holds no params/ or forms/."""
    folder = _hand_made_outputs(workspace(SYNTHETIC))
    copy = tmp_path / "archive" / "2030-2031"
    copy.parent.mkdir()
    folder.rename(copy)
    code, out = cli("verify", copy)
    assert code == 0, out
    assert "全部输出与 manifest 一致" in out and "找不到工作区" not in out
    (copy / "statistics.csv").write_bytes(b"row,value\n1,2\n")
    code, out = cli("verify", copy)
    assert code == 1, out
    assert "statistics.csv:内容与 manifest 记录的 SHA-256 不符" in out
    code, out = cli("verify", copy, "--rerun")  # re-running needs the workspace's inputs
    assert code == 2, out
    assert "找不到工作区" in out and "--root" in out


def test_archive_exits_0_with_the_zip_and_1_refusing_tampered_outputs(workspace, cli):
    root = workspace(SYNTHETIC)
    folder = _hand_made_outputs(root)
    code, out = cli("--root", root, "archive", "2030-2031")
    assert code == 0, out
    (archive,) = (root / "outputs" / "archives").iterdir()
    assert f"已打包:{archive}" in out
    (folder / "statistics.csv").unlink()
    code, out = cli("--root", root, "archive", "2030-2031")
    assert code == 1, out
    assert "拒绝打包" in out and "statistics.csv:文件缺失" in out


def test_verify_prints_the_manifest_digest_and_checks_a_given_one(workspace, cli):
    root = workspace(SYNTHETIC)
    folder = _hand_made_outputs(root)
    digest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    code, out = cli("--root", root, "verify", folder, "--digest", digest)
    assert code == 0, out
    assert f"manifest.json 的 SHA-256:{digest}" in out
    (folder.parent / "2030-2031.sha256").write_text(f"{digest}  2030-2031/manifest.json\n")
    code, out = cli(
        "--root", root, "verify", folder, "--digest", folder.parent / "2030-2031.sha256"
    )
    assert code == 0, out
    code, out = cli("--root", root, "verify", folder, "--digest", "0" * 64)
    assert code == 1, out
    assert f"与给定的摘要 {'0' * 64} 不符" in out


def test_verify_of_a_malformed_manifest_exits_2_with_a_message(workspace, cli):
    root = workspace(SYNTHETIC)
    folder = _hand_made_outputs(root)
    (folder / "manifest.json").write_text('{"academic_year": 2030, "outputs": {}}')
    code, out = cli("--root", root, "verify", folder)
    assert code == 2, out
    assert "manifest.json 结构不完整" in out and "Traceback" not in out


def test_archive_sign_and_verify_key(workspace, cli, tmp_path):
    root = workspace(SYNTHETIC)
    folder = _hand_made_outputs(root)
    private, public = ed25519_key_pair(tmp_path / "keys")
    code, out = cli("--root", root, "archive", "2030-2031", "--sign", private)
    assert code == 0, out
    assert f"已签名:{folder.parent / '2030-2031.sig'}" in out
    code, out = cli("--root", root, "verify", folder, "--key", public)
    assert code == 0, out
    other = ed25519_key_pair(tmp_path / "other")[1]
    code, out = cli("--root", root, "verify", folder, "--key", other)
    assert code == 1, out
    assert "签名无效" in out


def test_archive_with_a_bad_key_or_year_exits_2(workspace, cli, tmp_path):
    root = workspace(SYNTHETIC)
    _hand_made_outputs(root)
    (tmp_path / "key.pem").write_text("not a key")
    code, out = cli("--root", root, "archive", "2030-2031", "--sign", tmp_path / "key.pem")
    assert code == 2 and "无法读取私钥" in out, out
    code, out = cli("--root", root, "archive", "../2030-2031")
    assert code == 2 and "不是有效学年" in out, out
    assert not (root / "outputs" / "archives").exists()


def test_run_prints_the_manifest_digest(workspace, cli, monkeypatch):
    from disclosure import pipeline
    from disclosure.evidence.execute import RunResult

    root = workspace(SYNTHETIC)

    def run_year(root, year, strict=False, dest=None, kernel=None):
        return RunResult(
            year,
            root / "outputs" / year,
            {"rules": 1, "errors": 0, "warnings": 0},
            pd.DataFrame(columns=["id", "severity", "title", "filled", "passed"]),
            digest="ab" * 32,
        )

    monkeypatch.setattr(pipeline, "run_year", run_year)
    code, out = cli("--root", root, "run", "2030-2031")
    assert code == 0, out
    assert f"manifest.json 的 SHA-256:{'ab' * 32}" in out
    assert f"{root / 'outputs' / '2030-2031'}.sha256" in out
    assert "已有证据" not in out  # a first run: nothing kept, nothing superseded


@pytest.mark.parametrize(
    ("kept", "said"),
    [
        ("unchanged", "已登记的摘要和已有签名仍然有效"),
        ("superseded", "已移至 /ws/outputs/superseded/2030-2031-abababababab,未删除"),
    ],
)
def test_run_says_whether_the_earlier_evidence_was_kept_or_superseded(
    workspace, cli, monkeypatch, kept, said
):
    from disclosure import pipeline
    from disclosure.evidence.execute import RunResult

    root = workspace(SYNTHETIC)

    def run_year(root, year, strict=False, dest=None, kernel=None):
        old = Path("/ws/outputs/superseded/2030-2031-abababababab")
        return RunResult(
            year,
            root / "outputs" / year,
            {"rules": 1, "errors": 0, "warnings": 0},
            pd.DataFrame(columns=["id", "severity", "title", "filled", "passed"]),
            digest="ab" * 32,
            kept=kept,
            superseded=old if kept == "superseded" else None,
        )

    monkeypatch.setattr(pipeline, "run_year", run_year)
    code, out = cli("--root", root, "run", "2030-2031")
    assert code == 0 and said in out, out
    other = "已登记的摘要和已有签名仍然有效" if kept == "superseded" else "未删除"
    assert other not in out


def test_run_that_cannot_write_its_outputs_exits_1_with_a_message(workspace, cli, monkeypatch):
    from disclosure import pipeline

    root = workspace(SYNTHETIC)

    def disk_full(root, year, strict=False, dest=None, kernel=None):
        raise OSError(errno.ENOSPC, "No space left on device", str(root / "outputs"))

    monkeypatch.setattr(pipeline, "run_year", disk_full)
    code, out = cli("--root", root, "run", "2030-2031")
    assert code == 1, out
    assert "运行失败,原有输出未改动。无法写入输出" in out and "磁盘空间已满" in out
    assert "No space left" not in out and "Traceback" not in out


# --- lab: JupyterLab on the workspace, never really started here ---------------------------------


@pytest.fixture
def launcher(monkeypatch):
    """Replace the exec of JupyterLab: record the command and environment, return 0."""
    from disclosure import cli as module

    calls: list[tuple[list[str], dict[str, str]]] = []

    def launch(command: list[str], env: dict[str, str]) -> int:
        calls.append((command, env))
        return 0

    monkeypatch.setattr(module, "_launch", launch)
    monkeypatch.delenv("JUPYTER_TOKEN", raising=False)
    # JupyterLab is the optional [lab] extra, absent in CI: pretend it is installed, since nothing
    # is started here (the test without it overrides this again).
    import importlib.machinery
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        if name == "jupyterlab":
            return importlib.machinery.ModuleSpec("jupyterlab", None)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    return calls


@pytest.mark.parametrize("euid, allow_root", [(0, True), (1000, False)])
def test_lab_starts_jupyterlab_of_this_python_on_the_workspace(
    workspace, cli, launcher, monkeypatch, euid, allow_root
):
    import os
    import sys

    monkeypatch.setattr(os, "geteuid", lambda: euid, raising=False)
    root = workspace(SYNTHETIC)
    code, out = cli("--root", root, "lab")
    assert code == 0, out
    ((command, env),) = launcher
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={root}" in command
    assert "--no-browser" in command and "--port=8888" in command
    assert "--ServerApp.port_retries=0" in command  # the printed port is the port it serves
    assert ("--allow-root" in command) is allow_root
    token = env["JUPYTER_TOKEN"]
    assert len(token) >= 32 and not any(token in part for part in command)  # not visible in ps
    assert f"http://127.0.0.1:8888/lab?token={token}" in out
    assert "启动 JupyterLab" in out and "notebooks/workbook.py" in out


def test_lab_takes_a_port_and_keeps_a_token_already_set(workspace, cli, launcher, monkeypatch):
    monkeypatch.setenv("JUPYTER_TOKEN", "my-own-token")
    code, out = cli("--root", workspace(SYNTHETIC), "lab", "--port", "9123")
    assert code == 0, out
    ((command, env),) = launcher
    assert "--port=9123" in command and "--port=8888" not in command
    assert env["JUPYTER_TOKEN"] == "my-own-token"
    assert "http://127.0.0.1:9123/lab?token=my-own-token" in out


def test_lab_without_jupyterlab_says_how_to_install_it_and_exits_2(
    workspace, cli, launcher, monkeypatch
):
    import importlib.util

    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == "jupyterlab" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    code, out = cli("--root", workspace(SYNTHETIC), "lab")
    assert code == 2, out
    assert "未安装 JupyterLab" in out and "bash scripts/bootstrap.sh --lab" in out
    assert launcher == []


def test_lab_help_is_in_chinese(capsys):
    from disclosure.cli import main

    with pytest.raises(SystemExit) as done:
        main(["lab", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "--port" in out and "端口" in out


# --- collections: init --institution, check --collection, batch ---------------------------------


@pytest.fixture
def generated(tmp_path):
    from disclosure.batch.generate import generate_collection

    folder = tmp_path / "province"
    repo = Path(__file__).resolve().parents[2]
    key = generate_collection(folder, repo, 2, 1, 0.5, seed=11)
    return folder, key


def test_init_institution_creates_its_workspace_in_the_collection(generated, cli):
    folder, _ = generated
    code, out = cli("--root", folder, "init", "2030-2031", "--institution", "NEW1")
    assert code == 0, out
    assert "institutions/NEW1/forms" in out and "NEW1 的 2030-2031" in out
    assert (folder / "institutions/NEW1/forms").is_symlink()
    code, out = cli("--root", folder, "init", "2030-2031", "--institution", "NEW1")
    assert code == 2 and "已存在" in out


def test_init_institution_finds_the_collection_upward(generated, cli, monkeypatch):
    folder, _ = generated
    monkeypatch.chdir(folder / "institutions")
    code, out = cli("init", "2031-2032", "--institution", "NEW2")
    assert code == 0, out
    assert (folder / "institutions/NEW2/params/2031-2032.yaml").is_file()


def test_check_collection_prints_each_failing_institution_year_and_exits_1(generated, cli):
    folder, key = generated
    code, out = cli("--root", folder, "check", "--collection")
    bad = [g for g in key if g.contradiction]
    assert code == (1 if bad else 0), out
    for g in bad:
        assert f"{g.institution} {g.year}:" in out and g.rule in out
    assert f"共 {len(key)} 个机构学年" in out and f"{len(bad)} 个有错误级校验未通过" in out


def test_check_collection_of_one_consistent_year_exits_0(generated, cli):
    folder, key = generated
    clean = [g for g in key if not g.contradiction]
    code, out = cli("--root", folder, "check", "--collection", clean[0].year)
    assert code == (1 if len(clean) < len(key) else 0), out  # the year holds every institution
    code, out = cli("--root", folder, "check", "--collection", "2099-2100")
    assert code == 2 and "没有学年 2099-2100" in out


def test_check_without_a_year_or_collection_exits_2(workspace, cli):
    code, out = cli("--root", workspace(SYNTHETIC), "check")
    assert code == 2 and "--collection" in out


def test_batch_outside_a_collection_exits_2(cli, tmp_path):
    code, out = cli("batch", tmp_path)
    assert code == 2 and "collection.yaml" in out


def test_batch_writes_the_summary_and_exits_with_the_worst_code(generated, cli, monkeypatch):
    from disclosure.batch import progress
    from disclosure.batch.run import Outcome

    folder, key = generated
    seen = {}

    def fake(items, scheduler, workers, warm, force):
        seen.update(scheduler=scheduler, workers=workers, keys=[i.key for i in items])
        return [Outcome(i.institution, i.year, "passed") for i in items[:-1]] + [
            Outcome(items[-1].institution, items[-1].year, "failed_checks", errors=1)
        ]

    monkeypatch.setattr(progress, "show_batch", fake)
    code, out = cli("batch", folder, "--scheduler", "tcp://127.0.0.1:1", "--workers", "3")
    assert code == 1, out
    assert seen == {
        "scheduler": "tcp://127.0.0.1:1",
        "workers": 3,
        "keys": [f"{g.institution}/{g.year}" for g in key],
    }
    from disclosure.batch.run import read_record

    recorded = {o.key: o.status for o in read_record(folder)}
    assert len(recorded) == len(key) and recorded[seen["keys"][-1]] == "failed_checks"
    summary = (folder / "batch_summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(summary) == 1 + len(key) and "未通过校验" in "".join(summary)


def test_batch_help_is_in_chinese(capsys):
    from disclosure.cli import main

    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    out = capsys.readouterr().out
    assert "--scheduler" in out and "调度器地址" in out and "工作进程数" in out


# --- verify: digests, keys, archives, an interrupted swap ---------------------------------------


def test_verify_refuses_a_malformed_digest_with_exit_2(workspace, cli):
    root = workspace(SYNTHETIC)
    folder = _hand_made_outputs(root)
    for bad in ("abc", "g" * 64, "0" * 63):
        code, out = cli("verify", folder, "--digest", bad)
        assert code == 2 and "摘要格式不对:应为 64 位十六进制" in out, out
    digest = hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    code, out = cli("verify", folder, "--digest", digest.upper())  # any case
    assert code == 0 and "与登记的摘要一致" in out, out


def test_verify_refuses_a_private_key_in_chinese_and_confirms_a_valid_signature(
    workspace, cli, tmp_path
):
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        PublicFormat,
        load_pem_public_key,
    )

    root = workspace(SYNTHETIC)
    folder = _hand_made_outputs(root)
    private, public = ed25519_key_pair(tmp_path / "keys")
    assert cli("--root", root, "archive", "2030-2031", "--sign", private)[0] == 0
    code, out = cli("verify", folder, "--key", private)
    assert code == 2 and "这是私钥,不是公钥" in out, out
    raw = load_pem_public_key(public.read_bytes()).public_bytes(Encoding.Raw, PublicFormat.Raw)
    code, out = cli("verify", folder, "--key", public)  # no workspace needed
    assert code == 0, out
    assert f"签名有效(公钥指纹 SHA256:{hashlib.sha256(raw).hexdigest()})" in out
    other = ed25519_key_pair(tmp_path / "other")[1]
    code, out = cli("verify", folder, "--key", other)
    assert code == 1 and "签名有效" not in out and "签名无效" in out, out


def test_verify_of_a_manifest_that_is_not_json_says_so_in_chinese(workspace, cli):
    folder = _hand_made_outputs(workspace(SYNTHETIC))
    (folder / "manifest.json").write_text("{", encoding="utf-8")
    code, out = cli("verify", folder)
    assert code == 2 and "manifest.json 已损坏:不是有效的 JSON(第 1 行第 2 列)" in out, out
    assert "Expecting" not in out


def _rezip(source: Path, target: Path, change) -> Path:  # noqa: ANN001
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        entries = {i.filename: zin.read(i) for i in zin.infolist()}
        for name, data in change(entries).items():
            zout.writestr(name, data)
    return target


def test_verify_checks_an_archive_directly(workspace, cli, tmp_path):
    root = workspace(SYNTHETIC)
    _hand_made_outputs(root)
    private, public = ed25519_key_pair(tmp_path / "keys")
    assert cli("--root", root, "archive", "2030-2031", "--sign", private)[0] == 0
    (archive,) = (root / "outputs" / "archives").iterdir()
    code, out = cli("verify", archive, "--key", public)
    assert code == 0, out
    assert "全部输出与 manifest 一致(含全部输入)" in out and "签名有效" in out
    forged = _rezip(
        archive, tmp_path / "forged.zip", lambda e: {**e, "outputs/report.pdf": b"%PDF forged"}
    )
    code, out = cli("verify", forged, "--key", public)
    assert code == 1 and "report.pdf:内容与 manifest 记录的 SHA-256 不符" in out, out
    extra = _rezip(archive, tmp_path / "extra.zip", lambda e: {**e, "inputs/params/x.yaml": b"x"})
    code, out = cli("verify", extra)
    assert code == 1 and "inputs/params/x.yaml:manifest 中没有记录的输入文件" in out, out
    unsigned = _rezip(
        archive,
        tmp_path / "unsigned.zip",
        lambda e: {k: v for k, v in e.items() if k != "manifest.json.sig"},
    )
    code, out = cli("verify", unsigned, "--key", public)
    assert code == 1 and "zip 中没有签名" in out, out
    escaping = _rezip(archive, tmp_path / "escape.zip", lambda e: {**e, "../evil.txt": b"x"})
    code, out = cli("verify", escaping)
    assert code == 2 and "不合规的条目" in out, out
    assert not (tmp_path / "evil.txt").exists()
    (tmp_path / "not.zip").write_bytes(b"not a zip")
    code, out = cli("verify", tmp_path / "not.zip")
    assert code == 2 and "无法读取为 zip 文件" in out, out


def test_verify_names_the_command_after_a_swap_interrupted_between_its_renames(workspace, cli):
    root = workspace(SYNTHETIC)
    folder = _hand_made_outputs(root)
    folder.rename(folder.with_name(".old-2030-2031-99999"))
    code, out = cli("verify", folder)
    assert code == 1, out
    assert f"运行 disclosure --root {root} run 2030-2031 即可恢复" in out
    assert ".old-2030-2031-99999" in out


def test_overview_of_an_audit_folder_and_of_a_folder_that_is_neither(cli, tmp_path):
    from disclosure.published import audit

    out = tmp_path / "audited"
    out.mkdir()
    audit.write_outputs(out, [audit.ReportAudit("x.doc", audit.READ_FAILED, message="旧版 Word")])
    code, said = cli("overview", out)
    assert code == 0 and "总览(1 个学校学年)" in said
    assert "x.doc" in (out / "commission.html").read_text(encoding="utf-8")
    code, said = cli("overview", tmp_path / "nothing")
    assert code == 2 and "既不是机构集合" in said


def test_new_makes_a_workspace_and_a_collection_from_the_workspace_given(workspace, cli, tmp_path):
    root = workspace()
    code, out = cli("--root", root, "new", tmp_path / "school")
    assert code == 0, out
    assert "已新建工作区" in out and "disclosure init" in out
    assert (tmp_path / "school/forms/rules.yaml").read_bytes() == (
        root / "forms/rules.yaml"
    ).read_bytes()
    code, out = cli("--root", root, "new", "--collection", tmp_path / "province")
    assert code == 0, out
    assert (tmp_path / "province/collection.yaml").is_file()
    assert (tmp_path / "province/institutions").is_dir()
    code, out = cli("--root", root, "new", "--collection", tmp_path / "province")
    assert code == 2 and "文件夹已存在且不为空" in out


def test_help_usage_and_errors_are_in_chinese(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("用法:disclosure ")
    assert "显示本帮助并退出" in shown and "命令:" in shown and "例:disclosure new" in shown
    assert "usage" not in shown and "show this help" not in shown
    with pytest.raises(SystemExit) as exc:
        main(["init"])
    assert exc.value.code == 2
    said = capsys.readouterr().err
    assert "disclosure init:错误:缺少必需的参数:学年" in said and "error" not in said


def test_version_prints_the_package_version(capsys):
    from disclosure import __version__

    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"disclosure {__version__}\n"
