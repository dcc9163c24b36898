"""PDF layout (WeasyPrint), in this process or in worker processes.

WeasyPrint is pure Python, so two PDFs laid out by two threads of one process take as long as one
after the other. A run therefore opens `pdf_processes` before its kernel executes: the workers
import WeasyPrint meanwhile, and the report and review PDFs are then laid out at once, each in its
own process, while the runner renders the other outputs. Kept apart from the exporters so that
opening the workers imports nothing heavy."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

# One WeasyPrint layout at a time in a process: each holds ~200 MB while it lays a report out, and
# two at once (report.pdf beside review.pdf) took the runner past 400 MB; other outputs still
# render beside it.
_ONE_PDF_AT_A_TIME = threading.Lock()


def html_to_pdf(html: str, pool: ProcessPoolExecutor | None = None) -> bytes:
    """The HTML laid out by WeasyPrint: in a worker process of `pool` (what `pdf_processes`
    yields) when given, else here (one layout at a time). The bytes are the same either way."""
    if pool is not None:
        try:
            return pool.submit(_layout, html).result()
        except (BrokenProcessPool, RuntimeError):  # a worker died or could not start: do it here
            pass
    with _ONE_PDF_AT_A_TIME:
        return _layout(html)


def _layout(html: str) -> bytes:
    from weasyprint import HTML

    # No base_url: every image is embedded, so nothing is fetched.
    return HTML(string=html).write_pdf() or b""


def _pdf_worker_ready(runner: int) -> None:
    """A PDF worker's start: it ends with the runner (process `runner`), however the runner
    ends; WeasyPrint imported (it looks up its C libraries on import)."""
    import signal

    from disclosure.evidence.orphans import end_with

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    end_with(runner)
    import weasyprint  # noqa: F401


def _started() -> int:
    return os.getpid()


@contextmanager
def pdf_processes(count: int = 2) -> Iterator[ProcessPoolExecutor | None]:
    """Yields a pool of `count` worker processes started now, for `html_to_pdf(html, pool)`: they
    import WeasyPrint while the caller does something else (the kernel executes) and several PDFs
    are laid out at once on several cores: WeasyPrint is pure Python, and threads of one process
    share one interpreter lock. Yields None (PDFs are then laid out in this process) where a
    process may not start children (a daemonic worker, e.g. Dask's) or when `count` < 1. The
    workers end with this process, even when it is killed (evidence.orphans)."""
    if count < 1 or multiprocessing.current_process().daemon:
        yield None
        return
    # Not fork: the caller holds a kernel manager's threads and sockets. A fork server is a clean
    # process that imports WeasyPrint once and forks each worker from itself; where there is none
    # (Windows), each worker is a new interpreter.
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["weasyprint", __name__])
    else:
        context = multiprocessing.get_context("spawn")
    try:
        pool = ProcessPoolExecutor(
            count, mp_context=context, initializer=_pdf_worker_ready, initargs=(os.getpid(),)
        )
    except (OSError, NotImplementedError):  # no process semaphores here (e.g. no /dev/shm)
        yield None
        return

    def start() -> None:
        # Each submit without an idle worker starts a process; the first also waits for the
        # fork server to import WeasyPrint, so this runs beside the caller, not in its way.
        try:
            for _ in range(count):
                pool.submit(_started)
        except RuntimeError:  # the block ended first: the pool is shut down
            pass

    starting = threading.Thread(target=start, name="pdf-workers", daemon=True)
    starting.start()
    try:
        yield pool
    finally:
        starting.join()
        pool.shutdown(wait=True, cancel_futures=True)


def weasyprint_version() -> str:
    """WeasyPrint's version, from its installed metadata (importing it takes a second or more)."""
    from importlib.metadata import version

    return version("weasyprint")
