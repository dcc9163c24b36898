"""The README says what the code does: its outputs table is the OUTPUTS registry, its tree names
every module, and it opens with the two set-up commands."""

from __future__ import annotations

import re
from pathlib import Path

from disclosure.evidence.exporters import OUTPUTS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 3)
    return README[start : end if end != -1 else None]


def test_the_outputs_table_lists_exactly_the_registry_and_the_manifest():
    listed = re.findall(r"^\| `([^`]+)` \|", section("Outputs"), flags=re.M)
    # the registry, then what is written outside it: the manifest and the timings record
    assert listed == [o.name for o in OUTPUTS] + ["manifest.json", "timings.json"]


def test_the_tree_names_every_module_of_the_package():
    tree = section("Layout")
    src = ROOT / "src" / "disclosure"
    missing = [
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if p.name != "__init__.py" and not re.search(rf"\b{re.escape(p.name)}\b", tree)
    ]
    assert not missing, missing


def test_the_quick_start_opens_with_the_run_and_test_commands():
    quick = section("Quick start")
    commands = re.findall(r"^bash scripts/bootstrap.sh && (.+)$", quick, flags=re.M)
    assert commands == [".venv/bin/disclosure run 2023-2024", ".venv/bin/python -m pytest"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/bootstrap.sh && .venv/bin/python -m pytest" in ci


LIMIT_ROW = r"^\| [^|]+ \| ([^|]+) \| `inputs/(\w+)\.py` `(\w+)` \| ([^|]+) \|$"


def test_the_limits_table_gives_the_values_and_messages_of_the_code():
    from disclosure.inputs import dataset, read, yamlio

    rows = re.findall(LIMIT_ROW, section("Evidence"), re.M)
    mb = 1024 * 1024
    assert {name: value for value, _, name, _ in rows} == {
        "MAX_BYTES": f"{read.MAX_BYTES // mb} MB",
        "MAX_XLSX_UNPACKED": f"{read.MAX_XLSX_UNPACKED // mb} MB",
        "MAX_ROWS": str(read.MAX_ROWS),
        "MAX_YAML_BYTES": f"{yamlio.MAX_YAML_BYTES // mb} MB",
        "MAX_YAML_DEPTH": str(yamlio.MAX_YAML_DEPTH),
        "MAX_PARAGRAPH_CHARS": f"{dataset.MAX_PARAGRAPH_CHARS} characters",
        "SHOWN": f"{yamlio.SHOWN} characters",
        "MAX_CELL_CHARS": f"{read.MAX_CELL_CHARS:,}",
    }
    for _, module, name, message in rows:  # the message's fixed words are in that module
        if name == "SHOWN":  # an example of quoting, not a message
            continue
        source = (ROOT / "src" / "disclosure" / "inputs" / f"{module}.py").read_text("utf-8")
        words = re.split(r"…|\d+|`|“|”|\s", message.strip())
        assert all(w in source for w in words if len(w) >= 2), (name, message)
