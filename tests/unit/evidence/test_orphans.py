"""Helpers end with the process that started them (evidence.orphans)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil

from disclosure.evidence import orphans


def test_a_running_process_is_alive_and_an_ended_one_is_not() -> None:
    assert orphans.alive(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not orphans.alive(child.pid)


def test_a_zombie_is_gone_and_a_reused_id_is_another_process() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert not orphans.alive(child.pid)  # exited, not yet reaped
    child.wait()
    me = orphans._start_time(os.getpid())
    assert orphans.alive(os.getpid(), me)
    assert not orphans.alive(os.getpid(), str(int(me) + 1))  # same id, another start time


HELPER = """
import os, sys, time
from disclosure.evidence.orphans import end_with
end_with(int(sys.argv[1]))
print(os.getpid(), flush=True)
time.sleep(60)
"""
RUNNER = """
import subprocess, sys, time
helper = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(__import__("os").getpid())])
time.sleep(60)
"""


def test_a_helper_ends_within_a_second_after_its_runner_is_killed() -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    runner = subprocess.Popen([sys.executable, "-c", RUNNER, HELPER], env=env)
    deadline = time.monotonic() + 30
    while not (helpers := psutil.Process(runner.pid).children()):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    helper = helpers[0]
    time.sleep(0.5)
    assert helper.is_running()  # the runner lives: so does the helper
    runner.kill()
    runner.wait()
    # Gone, or a zombie: an orphan is re-parented to PID 1, which need not reap it at once (in a
    # container PID 1 may never), and psutil's wait() would wait for the reaping, not the exit.
    deadline = time.monotonic() + 1 + 2 * orphans.POLL_SECONDS
    while not ended(helper):
        assert time.monotonic() < deadline, "the helper outlived its runner"
        time.sleep(0.02)


def ended(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
