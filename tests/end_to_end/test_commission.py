"""The commission's view as a commission gets it: a generated collection of 6 institutions × 2
years run by `disclosure batch --overview` (one year of each, so the other six are named as not
yet run), a folder of 6 posted reports (3 laid out by the project's renderer, the seed, and two
the importer cannot read) audited by `disclosure audit`, then `disclosure overview` over both.

Kept small: six real notebook runs on warm kernels; the reports are rendered without a kernel.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from published_reports import render_year, variant
from workspaces import build_workspace

from disclosure.batch.generate import generate_collection
from disclosure.batch.run import read_record

from .test_batch import env

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "tests" / "fixtures" / "published" / "cqvtu_2023-2024_report.md"
pytestmark = pytest.mark.e2e


def disclosure(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "disclosure.cli", *map(str, args)]
    return subprocess.run(command, env=env(), capture_output=True, text=True, timeout=900)


def posted_reports(folder: Path, workspace: Path) -> list[str]:
    folder.mkdir()
    for n, (injection, fmt) in enumerate(
        [(None, "pdf"), ("late-report", "html"), ("prose-number", "docx")]
    ):
        year = variant(workspace, injection, n)
        data = render_year(workspace, year, (fmt,))
        (folder / f"r{n}.{fmt}").write_bytes(data[fmt])
    shutil.copy2(SEED, folder / "seed.md")
    (folder / "empty.pdf").write_bytes(b"")  # the importer's corpus: unreadable reports
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    return sorted(p.name for p in folder.iterdir())


def school_rows(html: str) -> list[list[str]]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body)
    ]


def test_one_overview_names_every_school_year_and_every_link_resolves(tmp_path):
    collection = tmp_path / "province"
    key = generate_collection(collection, REPO, institutions=6, years=2, share=0.5, seed=3)
    first = min(g.year for g in key)
    assert any(g.contradiction for g in key if g.year == first)  # some of the run years fail
    batch = disclosure("batch", collection, "--year", first, "--warm", "--overview")
    assert batch.returncode == 1, batch.stdout + batch.stderr
    terminal = batch.stdout + batch.stderr
    assert "IPKernelApp" not in terminal and "without encryption" not in terminal
    assert (collection / "overview" / "commission.html").is_file()
    province = (collection / "overview" / "province.html").read_text(encoding="utf-8")
    assert all(f"合成第{n}大学" in province for n in range(1, 7))  # it names every school
    assert {o.key for o in read_record(collection)} == {
        f"{g.institution}/{g.year}" for g in key if g.year == first
    }

    workspace = build_workspace(tmp_path / "ws", ["synthetic_2030-2031"])
    names = posted_reports(tmp_path / "posted", workspace)
    audited = tmp_path / "audited"
    audit = disclosure("--root", workspace, "audit", tmp_path / "posted", "--out", audited)
    assert audit.returncode == 1, audit.stdout + audit.stderr

    mail = tmp_path / "mail"
    view = disclosure("overview", collection, audited, "--out", mail)
    assert view.returncode == 0, view.stdout + view.stderr
    assert "IPKernelApp" not in view.stdout + view.stderr
    html = (mail / "commission.html").read_text(encoding="utf-8")
    assert (mail / "commission.pdf").read_bytes()[:4] == b"%PDF"
    rows = school_rows(html)
    assert len(rows) == 12 + 6
    named = {(r[0], r[1]) for r in rows if r[2] == "重建的工作区"}
    schools = {f"合成第{n}大学" for n in range(1, 7)}
    assert named == {(s, y) for s in schools for y in {g.year for g in key}}
    posted = [r for r in rows if r[2] == "已公布的报告"]
    assert {r[0] for r in posted} >= {"empty.pdf", "old.doc", "重庆机电职业技术大学"}
    assert sum(r[3] == "尚无输出" for r in rows) == 6  # the years the batch was not asked to run
    errors = [int(r[4]) if r[4] else -1 for r in rows]
    assert errors == sorted(errors, reverse=True)  # the table opens sorted by errors
    assert errors[0] > 0 and "table.sortable" in html  # and sorts again on a click
    links = re.findall(r'href="([^"]+)"', html)
    assert len(links) >= 6 * 2 + 6
    for link in links:
        assert not link.startswith(("/", "file:", "http")), link
        assert (mail / unquote(link).partition("#")[0]).resolve().is_file(), link
    details = (audited / "overview.html").read_text(encoding="utf-8")
    for link in links:
        if "overview.html#" in link:
            assert f'id="{link.partition("#")[2]}"' in details
    assert len(names) == 6 and "逾期" in html
