"""`disclosure import` and `disclosure audit` from the command line on reports that cannot be read:
a scanned PDF, an encrypted PDF, an old Word .doc, an empty file and another province's form each
get a Chinese message and exit 2, and nothing is written. The seed report imports and audits."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "published" / "cqvtu_2023-2024_report.md"
OTHER_PROVINCE = (
    "某省某大学\n某大学关于2023-2024学年信息公开工作年度报告\n省教育厅：\n一、概述\n正文。\n"
    "序号\t指标\t数量\t单位\n1\t网站发布信息\t100\t条\n"
)


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


@pytest.fixture(scope="module")
def bad_reports(tmp_path_factory) -> dict[str, tuple[Path, str]]:
    import pymupdf
    from weasyprint import HTML

    folder = tmp_path_factory.mktemp("bad")
    text_pdf = folder / "text.pdf"
    HTML(string="<p style='font-family:\"Noto Sans CJK SC\"'>重庆某大学 报告</p>").write_pdf(
        text_pdf
    )
    scanned = pymupdf.open()
    page = scanned.new_page()
    page.insert_image(page.rect, pixmap=pymupdf.open(text_pdf)[0].get_pixmap(dpi=40))
    scanned.save(folder / "scanned.pdf")
    pymupdf.open(text_pdf).save(
        folder / "encrypted.pdf", encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="u", owner_pw="o"
    )
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "other.txt").write_text(OTHER_PROVINCE, encoding="utf-8")
    return {
        "scanned": (folder / "scanned.pdf", "没有文字层"),
        "encrypted": (folder / "encrypted.pdf", "PDF 已加密"),
        "doc": (folder / "old.doc", "旧版 Word(.doc)"),
        "empty": (folder / "empty.pdf", "文件为空"),
        "other-province": (folder / "other.txt", "其他省份或其他格式的报告"),
    }


CASES = ["scanned", "encrypted", "doc", "empty", "other-province"]


@pytest.mark.parametrize("case", CASES)
def test_import_of_an_unreadable_report_exits_2_and_writes_nothing(
    cli, workspace, bad_reports, case
):
    root = workspace()
    before = tree(root)
    path, message = bad_reports[case]
    code, out = cli("--root", root, "import", path)
    assert code == 2
    assert "输入有误,未生成任何输出" in out and message in out and path.name in out
    assert tree(root) == before


@pytest.mark.parametrize("case", CASES[:4])
def test_audit_of_one_unreadable_report_exits_2_and_writes_nothing(
    cli, workspace, bad_reports, tmp_path, case
):
    root = workspace()
    path, message = bad_reports[case]
    code, out = cli("--root", root, "audit", path, "--out", tmp_path / "out")
    assert code == 2 and message in out
    assert not (tmp_path / "out").exists()


def test_audit_of_a_folder_makes_each_unreadable_report_a_row(
    cli, workspace, bad_reports, tmp_path
):
    folder = next(iter(bad_reports.values()))[0].parent
    code, out = cli("--root", workspace(), "audit", folder, "--out", tmp_path / "out")
    assert code == 1  # unreadable reports and the other province's unknown form
    summary = (tmp_path / "out" / "audit_summary.csv").read_text(encoding="utf-8")
    for name in ("scanned.pdf", "encrypted.pdf", "old.doc", "empty.pdf"):
        assert f"{name},无法读取" in summary
    assert "other.txt,已审查" in summary  # read, but its form is unknown: T01 fails
    assert "审查了 6 份报告" in out  # text.pdf too


def test_import_then_check_the_seed(cli, workspace):
    root = workspace()
    code, out = cli("--root", root, "import", SEED)
    assert code == 0
    assert "重庆机电职业技术大学,2023-2024 学年,模板:重庆市格式" in out
    assert "统计表 55 行,清单 50 项" in out
    assert "  + data/raw/2023-2024/checklist.csv" in out
    params = yaml.safe_load((root / "params" / "2023-2024.yaml").read_text(encoding="utf-8"))
    assert params["data_dir"] == "data/raw/2023-2024"
    code, out = cli("--root", root, "check", "2023-2024")
    assert code == 1 and "K01" in out  # the published contradictions, now in a year of its own


def test_audit_the_seed_prints_its_failures(cli, workspace, tmp_path):
    code, out = cli("--root", workspace(), "audit", SEED, "--out", tmp_path / "out")
    assert code == 1
    for rule in ("F03p", "S01", "S03", "K01", "L01"):
        assert f"] {rule} " in out
    assert "5 项错误" in out
    assert (tmp_path / "out" / "overview.html").is_file()


def test_audit_of_a_folder_without_reports_exits_2(cli, workspace, tmp_path):
    (tmp_path / "none").mkdir()
    code, out = cli("--root", workspace(), "audit", tmp_path / "none")
    assert code == 2 and "没有可审查的报告" in out
