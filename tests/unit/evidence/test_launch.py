"""What a run imports and starts (disclosure.evidence.launch), without a kernel: jsonschema without
its optional format plugins, the workbook's imports found for the kernel to preload, the kernel's
command line. The real kernel is started in tests/end_to_end/test_kernel_start.py."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from workspaces import REPO_ROOT

from disclosure.evidence import launch
from disclosure.evidence.launch import (
    FORMAT_PLUGINS,
    hidden,
    kernel_command,
    lean_jsonschema,
    preload,
    workbook_imports,
)

SRC = str(Path(launch.__file__).resolve().parents[2])


def fresh_python(code: str) -> dict:
    """Run `code` in a new interpreter with this source first on the path; it prints JSON."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- hiding modules ----------------------------------------------------------------------------


def test_hidden_stops_the_import_inside_and_allows_it_after(tmp_path, monkeypatch) -> None:
    (tmp_path / "plugin_for_test.py").write_text("VALUE = 7\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "plugin_for_test", raising=False)
    with hidden(("plugin_for_test",)):
        with pytest.raises(ImportError):
            import plugin_for_test  # noqa: F401
    import plugin_for_test

    assert plugin_for_test.VALUE == 7
    monkeypatch.delitem(sys.modules, "plugin_for_test")


def test_hidden_leaves_an_imported_module_alone() -> None:
    module = sys.modules["json"]
    with hidden(("json",)):
        import json as again

        assert again is module
    assert sys.modules["json"] is module


def test_lean_jsonschema_does_nothing_once_jsonschema_is_imported() -> None:
    import jsonschema  # noqa: F401  # (nbformat in this process imported it already)

    before = dict(sys.modules)
    lean_jsonschema()
    assert sys.modules == before


def test_lean_jsonschema_imports_no_format_plugin_and_nbformat_still_validates() -> None:
    installed = [n for n in FORMAT_PLUGINS if importlib.util.find_spec(n) is not None]
    code = (
        "import json, sys\n"
        "from disclosure.evidence.launch import lean_jsonschema, FORMAT_PLUGINS\n"
        "lean_jsonschema()\n"
        "import nbformat\n"
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
        "loaded = [n for n in FORMAT_PLUGINS if sys.modules.get(n) is not None]\n"
        "stoppers = [n for n in FORMAT_PLUGINS if n in sys.modules and sys.modules[n] is None]\n"
        "print(json.dumps({'loaded': loaded, 'stoppers': stoppers}))\n"
    )
    assert fresh_python(code) == {"loaded": [], "stoppers": []}
    if "rfc3987_syntax" in installed:  # JupyterLab's dependencies put it there: the plain import
        plain = "import json, sys, jsonschema; print(json.dumps('rfc3987_syntax' in sys.modules))"
        assert fresh_python(plain) is True


def test_the_format_plugins_are_importable_again_after_the_lean_import() -> None:
    installed = [
        n for n in ("fqdn", "webcolors", "jsonpointer") if importlib.util.find_spec(n) is not None
    ]
    if not installed:
        pytest.skip("no jsonschema format plugin installed")
    code = (
        "import importlib, json\n"
        "from disclosure.evidence.launch import lean_jsonschema\n"
        "lean_jsonschema()\n"
        f"print(json.dumps([importlib.import_module(n).__name__ for n in {installed!r}]))\n"
    )
    assert fresh_python(code) == installed


# --- the workbook's kernel ------------------------------------------------------------------------


def test_workbook_imports_are_the_import_statements_and_the_figure_modules() -> None:
    found = workbook_imports(REPO_ROOT / "notebooks" / "workbook.py")
    assert found[:3] == [
        "disclosure.pipeline",
        "disclosure.checks.findings.summary",
        "disclosure.compute.narrative.year_context",
    ]
    assert {"disclosure.present.show", "disclosure.workspace.find_root"} <= set(found)
    assert found[-3:] == list(launch.ALSO_PRELOAD)
    assert len(found) == len(set(found))


def test_workbook_imports_of_a_source_that_is_not_python_are_none(tmp_path) -> None:
    source = tmp_path / "workbook.py"
    source.write_text("%matplotlib inline\nimport pandas\n", encoding="utf-8")
    assert workbook_imports(source) == []
    assert workbook_imports(tmp_path / "missing.py") == []


def test_preload_imports_modules_and_the_package_of_an_attribute(monkeypatch) -> None:
    for name in ("colorsys", "wave"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    preload(["colorsys", "wave.open", "no_such_module_for_test", "no_such_package.attr"])
    assert "colorsys" in sys.modules and "wave" in sys.modules
    assert "no_such_module_for_test" not in sys.modules


def test_kernel_command_runs_this_module_with_the_modules_and_the_connection_file() -> None:
    assert kernel_command(["pandas", "disclosure.pipeline"]) == [
        sys.executable,
        "-m",
        "disclosure.evidence.launch",
        "pandas,disclosure.pipeline",
        "-f",
        "{connection_file}",
    ]


def test_lean_jupytext_reads_the_workbook_as_the_plain_import_does() -> None:
    read = (
        "import json, sys\n"
        "PRELUDE"
        "import jupytext\n"
        f"nb = jupytext.read({str(REPO_ROOT / 'notebooks' / 'workbook.py')!r}, fmt='py:percent')\n"
        "cells = [(c.cell_type, c.source, dict(c.metadata)) for c in nb.cells]\n"
        "servers = [m for m in ('jupyter_server', 'jupytext.sync_contentsmanager')\n"
        "           if sys.modules.get(m) is not None]\n"
        "print(json.dumps({'cells': cells, 'servers': servers}))\n"
    )
    lean = fresh_python(
        read.replace(
            "PRELUDE", "from disclosure.evidence.launch import lean_imports\nlean_imports()\n"
        )
    )
    plain = fresh_python(read.replace("PRELUDE", ""))
    assert lean["cells"] == plain["cells"] and len(lean["cells"]) > 40
    assert lean["servers"] == []
    if importlib.util.find_spec("jupyter_server") is not None:  # JupyterLab's server installed
        assert plain["servers"] == ["jupyter_server", "jupytext.sync_contentsmanager"]


def _in_a_thread(work):  # noqa: ANN001, ANN202
    import threading

    box = {}
    thread = threading.Thread(target=lambda: box.update(result=work()))
    thread.start()
    thread.join()
    return box["result"]


def test_close_thread_loop_closes_the_loop_made_for_this_thread() -> None:
    import asyncio

    def work():  # noqa: ANN202
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        launch.close_thread_loop()
        return loop.is_closed()

    assert _in_a_thread(work) is True


def test_close_thread_loop_leaves_a_running_loop_and_a_thread_without_one_alone() -> None:
    import asyncio

    def running():  # noqa: ANN202
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)

        async def inside() -> bool:
            launch.close_thread_loop()
            return loop.is_closed()

        closed_while_running = loop.run_until_complete(inside())
        loop.close()
        return closed_while_running

    assert _in_a_thread(running) is False
    assert _in_a_thread(lambda: launch.close_thread_loop()) is None  # no loop: nothing raised
