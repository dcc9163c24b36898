"""PDF layout in this process (one at a time) or in worker processes (`pdf_processes`)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import psutil
import pytest

from disclosure.evidence import pdf

HTML = (
    "<html><head><style>@page { size: A4 }</style></head>"
    "<body><h1>信息公开工作年度报告</h1><p>主动公开信息 335 条。</p></body></html>"
)


def test_html_to_pdf_lays_out_one_document_at_a_time(monkeypatch) -> None:
    import threading

    import weasyprint

    state = {"active": 0, "most": 0}
    inside = {"first": threading.Event(), "second": threading.Event()}
    lock = threading.Lock()

    class Layout:
        def __init__(self, string: str) -> None:
            self.string = string

        def write_pdf(self) -> bytes:
            with lock:
                state["active"] += 1
                state["most"] = max(state["most"], state["active"])
            inside[self.string].set()
            if self.string == "first":  # room for the second layout, if anything lets it in
                inside["second"].wait(timeout=1)
            with lock:
                state["active"] -= 1
            return b"%PDF-" + self.string.encode()

    monkeypatch.setattr(weasyprint, "HTML", Layout)
    results: dict[str, bytes] = {}

    def render(name: str) -> None:
        results[name] = pdf.html_to_pdf(name)

    first = threading.Thread(target=render, args=("first",))
    first.start()
    assert inside["first"].wait(timeout=60)
    second = threading.Thread(target=render, args=("second",))
    second.start()
    first.join()
    second.join()
    assert results == {"first": b"%PDF-first", "second": b"%PDF-second"}
    assert state["most"] == 1


def spawned_workers() -> set[int]:
    """This process's PDF workers: the processes its fork server forked (the server and the
    resource tracker are its own children, and stay)."""
    me = os.getpid()
    return {child.pid for child in psutil.Process().children(recursive=True) if child.ppid() != me}


def test_a_pdf_laid_out_in_a_worker_process_is_the_pdf_laid_out_here() -> None:
    here = pdf.html_to_pdf(HTML)
    assert here.startswith(b"%PDF")
    with pdf.pdf_processes(2) as pool:
        assert pool is not None
        deadline = time.monotonic() + 60  # they start beside the caller, not before it goes on
        while len(workers := spawned_workers()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) >= 2, "two worker processes were started"
        there: dict[int, bytes] = {}
        threads = [
            threading.Thread(target=lambda i=i: there.__setitem__(i, pdf.html_to_pdf(HTML, pool)))
            for i in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert there == {0: here, 1: here}
    assert not any(
        psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie" for pid in workers
    ), "the workers outlived the block"


def test_pdf_processes_with_one_worker_uses_it_and_with_none_lays_out_here() -> None:
    with pdf.pdf_processes(1) as pool:
        assert pool is not None
        assert pdf.html_to_pdf(HTML, pool).startswith(b"%PDF")
    with pdf.pdf_processes(0) as pool:
        assert pool is None
        assert pdf.html_to_pdf(HTML, pool).startswith(b"%PDF")


def test_a_daemonic_process_lays_pdfs_out_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    # Dask's worker processes are daemonic, and a daemonic process may not start children.
    monkeypatch.setattr(
        pdf.multiprocessing, "current_process", lambda: SimpleNamespace(daemon=True)
    )
    with pdf.pdf_processes(2) as pool:
        assert pool is None
        assert not spawned_workers()


def test_the_runner_does_not_import_weasyprint_while_workers_lay_pdfs_out() -> None:
    code = (
        "import sys\n"
        "from disclosure.evidence import exporters, pdf\n"
        "with pdf.pdf_processes(1) as pool:\n"
        "    exporters.prepare_render(pdfs_elsewhere=pool is not None)\n"
        "    print('weasyprint' in sys.modules)\n"
        "exporters.prepare_render()\n"
        "print('weasyprint' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"], done.stdout + done.stderr


def test_without_a_fork_server_the_workers_are_new_interpreters(monkeypatch) -> None:
    monkeypatch.setattr(pdf.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with pdf.pdf_processes(1) as pool:
        assert pool is not None
        assert pdf.html_to_pdf(HTML, pool) == pdf._layout(HTML)
        spawned = [c for c in psutil.Process().children() if "spawn_main" in " ".join(c.cmdline())]
        assert spawned, "the worker was started by spawn"


def test_where_no_worker_pool_can_be_made_pdfs_are_laid_out_here(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError(38, "Function not implemented")  # sem_open without /dev/shm

    monkeypatch.setattr(pdf, "ProcessPoolExecutor", refuse)
    with pdf.pdf_processes(2) as pool:
        assert pool is None
        assert pdf.html_to_pdf(HTML, pool) == pdf._layout(HTML)


def test_a_broken_worker_pool_falls_back_to_laying_out_here(monkeypatch) -> None:
    from concurrent.futures.process import BrokenProcessPool

    class Broken:
        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("a worker died")

    assert pdf.html_to_pdf(HTML, Broken()) == pdf._layout(HTML)
