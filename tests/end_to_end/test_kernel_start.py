"""The workbook's kernel started early (disclosure.evidence.launch.start_kernel): a real ipykernel
in the workspace, with the workbook's modules loaded and debugpy left out, stopped cleanly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from workspaces import build_workspace

from disclosure.evidence.launch import start_kernel
from disclosure.workspace import WORKBOOK


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workspace(tmp_path_factory.mktemp("ws"), repo_years=True)


def run_code(manager, code: str) -> str:
    """Execute `code` in the kernel; its stdout."""
    from jupyter_client.blocking import BlockingKernelClient

    client = BlockingKernelClient(parent=manager, **manager.get_connection_info(session=True))
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        out: list[str] = []
        client.execute_interactive(
            code,
            timeout=120,
            output_hook=lambda m: (
                out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None
            ),
        )
        return "".join(out)
    finally:
        client.stop_channels()


def test_the_early_kernel_has_the_workbook_modules_and_no_debugger(root) -> None:
    manager = start_kernel(root, root / WORKBOOK)
    try:
        pid = manager.provisioner.process.pid
        code = (
            "import json, os, sys\n"
            "print(json.dumps({'cwd': os.getcwd(), 'python': sys.executable,\n"
            "  'loaded': [m in sys.modules for m in ('pandas', 'disclosure.pipeline',\n"
            "    'disclosure.present.charts', 'matplotlib.backends.backend_agg')],\n"
            "  'debugpy': sys.modules.get('debugpy', 'absent') is None,\n"
            "  'pyplot': 'matplotlib.pyplot' in sys.modules}))\n"
        )
        seen = json.loads(run_code(manager, code))
    finally:
        manager.stop()
    assert Path(seen["cwd"]).resolve() == root.resolve()
    assert seen["loaded"] == [True, True, True, True]
    assert seen["debugpy"] is True  # stopped at import: ipykernel runs without its debugger
    assert seen["pyplot"] is False
    with pytest.raises(ProcessLookupError):  # the kernel process is gone (and reaped)
        os.kill(pid, 0)
    assert not Path(manager.connection_file).exists()
    manager.stop()  # a second stop does nothing
