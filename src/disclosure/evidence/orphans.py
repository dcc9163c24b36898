"""No process outlives the run that started it.

A run's helpers (the workbook's kernel, the PDF workers) call `end_with(runner)` as they start: a
daemon thread then watches the runner and ends this process as soon as the runner is gone, however
it ended (SIGKILL included, where no handler of the runner can clean up). A runner that has exited
but not yet been reaped by its own parent (a zombie) counts as gone, and so does a new process that
reuses its id (the start time recorded here differs)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

POLL_SECONDS = 0.2  # how soon a helper notices its runner is gone (tests allow 2 s)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (field 22 of /proc/<pid>/stat), None when it has
    ended or is a zombie; "" where there is no /proc (then only its existence is checked)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()  # the name may hold spaces and brackets
    if not fields or fields[0] in ("Z", "X"):
        return None
    return fields[19] if len(fields) > 19 else ""


def alive(pid: int, started: str | None = "") -> bool:
    """Whether process `pid` runs (and, given its recorded start time, is still that process)."""
    now = _start_time(pid) if Path("/proc/self/stat").exists() else ""
    if now is None:
        return False
    if now == "":
        return answers_signal(pid)
    return not started or now == started


def answers_signal(pid: int) -> bool:
    """Whether a process `pid` exists, asked by signal 0: one we may not signal (EPERM, another
    user's) exists too."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def end_with(runner: int, poll: float = POLL_SECONDS) -> threading.Thread:
    """Watch process `runner` from a daemon thread; end this process when it is gone."""
    started = _start_time(runner) or ""

    def watch() -> None:
        while alive(runner, started):
            time.sleep(poll)
        os._exit(1)

    thread = threading.Thread(target=watch, name="end-with-runner", daemon=True)
    thread.start()
    return thread
