"""The package is grouped by stage, and each stage imports only from the stages before it:

    errors, workspace, expr  →  inputs  →  compute  →  checks  →  present
        →  evidence  →  pipeline  →  published, batch (side by side)  →  cli

Every import is counted, including those inside functions (lazy imports are still dependencies)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "disclosure"
LAYERS = {
    "errors": 0,
    "workspace": 0,
    "expr": 0,
    "inputs": 1,
    "compute": 2,
    "checks": 3,
    "present": 4,
    "evidence": 5,
    "pipeline": 6,
    "published": 7,
    "batch": 7,
    "cli": 8,
}
STAGES = ("inputs", "compute", "checks", "present", "evidence", "published", "batch")


def layer_of(module: str) -> int | None:
    """`disclosure.checks.rules` -> the layer of `checks`; None for the package itself."""
    parts = module.split(".")
    if parts[0] != "disclosure" or len(parts) == 1:
        return None
    return LAYERS[parts[1]]


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, imported disclosure module) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                raise AssertionError(
                    f"{path}:{node.lineno}: relative import; write disclosure.<stage>.<module>"
                )
            if node.module == "disclosure":  # from disclosure import pipeline, workspace
                found += [(node.lineno, f"disclosure.{a.name}") for a in node.names]
            elif node.module.startswith("disclosure."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("disclosure.")]
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    return ".".join(p for p in rel.parts if p != "__init__")


SOURCES = sorted(p for p in SRC.rglob("*.py"))


def test_the_package_holds_the_five_stages_and_the_pipeline():
    assert {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(
        STAGES
    )
    assert (SRC / "pipeline.py").is_file()
    top = {p.stem for p in SRC.glob("*.py")} - {"__init__"}
    assert top == {"cli", "pipeline", "workspace", "errors", "expr"}


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_a_module_imports_only_from_its_own_stage_or_earlier_ones(path):
    own = layer_of(module_name(path))
    if own is None:
        return
    backwards = [
        f"{module_name(path)}:{line} imports {target}"
        for line, target in imports(path)
        if (layer := layer_of(target)) is not None and layer > own
    ]
    assert not backwards, backwards


def test_the_layer_test_catches_a_backward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from disclosure.pipeline import check_year\n", encoding="utf-8")
    targets = [t for _, t in imports(bad)]
    assert targets == ["disclosure.pipeline"]
    assert layer_of("disclosure.pipeline") > layer_of("disclosure.inputs.dataset")


def test_every_module_has_a_unit_test_file_of_its_own():
    tests = Path(__file__).resolve().parent / "unit"
    missing = []
    for path in SOURCES:
        rel = path.relative_to(SRC)
        if path.name == "__init__.py":
            continue
        expected = tests / rel.parent / f"test_{path.stem}.py"
        if not expected.is_file():
            missing.append(str(expected.relative_to(tests.parent.parent)))
    assert not missing, missing
