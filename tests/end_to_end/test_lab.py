"""The evidence opens in Jupyter: a real run of the bundled year, then a Jupyter server on that
workspace (the jupytext server extension enabled, as it is wherever jupytext is installed) serves
outputs/<year>/workbook.ipynb as a notebook through its contents API, and notebooks/workbook.py as
a notebook too. With JupyterLab installed (the [lab] extra), `disclosure lab` itself is started
and asked the same.

The workbook used to keep the source's jupytext pairing (formats: py:percent), and jupytext's
contents manager answered HTTP 500 for it: "matches none of the export formats".
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from workspaces import build_workspace, run_cli_subprocess

from disclosure.cli import LAB_CONTENTS

YEAR = "2023-2024"
WORKBOOK = f"outputs/{YEAR}/workbook.ipynb"
STARTUP_SECONDS = 120


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def jupyter_env(home: Path, token: str) -> dict[str, str]:
    """The server's environment: its own config and runtime folders (no user config read), the
    token."""
    env = dict(os.environ, JUPYTER_TOKEN=token, PYTHONIOENCODING="utf-8")
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    return env


def fetch(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def get(url: str, token: str) -> tuple[int, dict]:
    """A JSON API call: (status, model), or (status, {"message": body}) for an error."""
    status, body = fetch(url, token)
    return (status, json.loads(body)) if status == 200 else (status, {"message": body})


def wait_until_up(base: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the Jupyter server exited ({server.returncode}):\n{log.read_text()}")
        try:
            if get(f"{base}/api/status", token)[0] == 200:
                return
        except OSError:  # not listening yet
            pass
        time.sleep(0.5)
    pytest.fail(f"the Jupyter server did not answer in {STARTUP_SECONDS} s:\n{log.read_text()}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with the bundled year run (exit 0: every output written)."""
    root = build_workspace(tmp_path_factory.mktemp("lab") / "ws", repo_years=True)
    done = run_cli_subprocess("--root", root, "run", YEAR)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / WORKBOOK).is_file()
    return root


@pytest.fixture(scope="module")
def jupyter_server(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """`python -m jupyter_server` on the workspace, on a free port with a token."""
    home = tmp_path_factory.mktemp("jupyter")
    token, port = "e2e-" + os.urandom(16).hex(), free_port()
    log = home / "server.log"
    command = [
        sys.executable,
        "-m",
        "jupyter_server",
        f"--ServerApp.root_dir={root}",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--no-browser",
        "--allow-root",
        LAB_CONTENTS,  # as `disclosure lab` starts it
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=jupyter_env(home, token),
            cwd=tempfile.gettempdir(),
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, token, server, log)
        yield {"base": base, "token": token, "log": log}
    finally:
        stop(server)


def assert_opens_the_evidence(base: str, token: str, root: Path, log: Path) -> None:
    status, model = get(f"{base}/api/contents/{WORKBOOK}?content=1", token)
    assert status == 200, (status, model.get("message"), log.read_text()[-3000:])
    assert model["type"] == "notebook" and model["format"] == "json"
    nb = model["content"]
    on_disk = json.loads((root / WORKBOOK).read_text(encoding="utf-8"))
    assert [c["id"] for c in nb["cells"]] == [c["id"] for c in on_disk["cells"]]
    assert len(nb["cells"]) > 20
    assert any(c["id"] == "injected-parameters" for c in nb["cells"])
    assert "jupytext" not in nb["metadata"]
    assert nb["metadata"]["disclosure"] == on_disk["metadata"]["disclosure"]


def test_the_evidence_notebook_opens_through_the_contents_api(root, jupyter_server) -> None:
    assert_opens_the_evidence(
        jupyter_server["base"], jupyter_server["token"], root, jupyter_server["log"]
    )


def send(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, str]:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_the_evidence_cannot_be_saved_or_checkpointed_through_the_api(root, jupyter_server) -> None:
    """Ctrl-S and autosave are a PUT of the notebook; JupyterLab checkpoints with a POST. Both
    are refused under outputs/ (the server runs as root here: file modes would not stop it)."""
    base, token = jupyter_server["base"], jupyter_server["token"]
    folder = root / "outputs" / YEAR
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    status, model = get(f"{base}/api/contents/{WORKBOOK}?content=1", token)
    assert status == 200 and model["writable"] is False
    model["content"]["cells"][0]["source"] = "edited in the Lab"
    put = {"type": "notebook", "format": "json", "content": model["content"]}
    status, body = send("PUT", f"{base}/api/contents/{WORKBOOK}", token, put)
    assert status == 403 and "只读" in json.loads(body)["message"], body
    status, body = send("POST", f"{base}/api/contents/{WORKBOOK}/checkpoints", token)
    assert status == 403, body
    status, body = send("DELETE", f"{base}/api/contents/{WORKBOOK}", token)
    assert status == 403, body
    new = {"type": "file", "format": "text", "content": "x"}
    status, body = send("PUT", f"{base}/api/contents/outputs/{YEAR}/new.txt", token, new)
    assert status == 403, body
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert not list((root / "outputs").rglob(".ipynb_checkpoints"))
    # elsewhere the workspace stays editable
    status, body = send("PUT", f"{base}/api/contents/notebooks/scratch.txt", token, new)
    assert status in (200, 201), body
    assert (root / "notebooks" / "scratch.txt").read_text() == "x"
    (root / "notebooks" / "scratch.txt").unlink()


def test_the_workbook_source_opens_as_a_notebook(jupyter_server) -> None:
    """jupytext registers its contents manager itself (server extension): .py opens as notebook."""
    url = f"{jupyter_server['base']}/api/contents/notebooks/workbook.py?type=notebook&content=1"
    status, model = get(url, jupyter_server["token"])
    assert status == 200, (status, model.get("message"))
    assert model["type"] == "notebook"
    sources = ["".join(c["source"]) for c in model["content"]["cells"]]
    assert any('academic_year = "2023-2024"' in s for s in sources)


def test_the_evidence_files_are_read_only(root) -> None:
    folder = root / "outputs" / YEAR
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert len(files) > 10
    assert {p.relative_to(folder).as_posix(): p.stat().st_mode & 0o777 for p in files} == {
        p.relative_to(folder).as_posix(): 0o444 for p in files
    }


@pytest.mark.skipif(
    importlib.util.find_spec("jupyterlab") is None, reason="JupyterLab ([lab] extra) not installed"
)
def test_disclosure_lab_serves_the_workspace_at_the_printed_url(root, tmp_path: Path) -> None:
    token, port = "lab-" + os.urandom(16).hex(), free_port()
    log = tmp_path / "lab.log"
    env = jupyter_env(tmp_path, token)
    command = [sys.executable, "-m", "disclosure.cli", "--root", str(root), "lab"]
    with log.open("wb") as out:
        lab = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tempfile.gettempdir(),
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, token, lab, log)
        printed = log.read_text(encoding="utf-8")
        assert re.search(rf"http://127\.0\.0\.1:{port}/lab\?token={token}\b", printed), printed
        assert_opens_the_evidence(base, token, root, log)
        status, page = fetch(f"{base}/lab", token)
        assert status == 200 and "JupyterLab" in page
    finally:
        stop(lab)
