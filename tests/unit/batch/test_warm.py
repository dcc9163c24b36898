"""The warm kernel's plumbing without a kernel (the kernel: tests/end_to_end/test_warm.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure.batch import warm


@pytest.mark.parametrize("code", [warm.WARM_UP, warm.SNAPSHOT, warm.RESET])
def test_the_kernel_code_compiles(code):
    compile(code.replace("{cwd}", repr("/tmp")), "<kernel>", "exec")


def test_the_reset_restores_what_a_new_kernel_has():
    for restored in (
        "reset(new_session=True)",
        "rcParams.update",
        "reset_option",
        "sys.path[:]",
        "os.chdir(cwd)",
        "__warningregistry__",
        "cache_clear",
        'plt.close("all")',
    ):
        assert restored in warm.RESET


def test_without_a_warm_kernel_there_is_nothing_to_report():
    assert warm.environment() == {}


def test_a_run_is_lent_the_warm_kernel_instead_of_starting_one_until_released(monkeypatch):
    from disclosure.evidence import execute, launch

    started = []
    monkeypatch.setattr(launch, "start_kernel", lambda root, workbook: started.append(root))
    seen = {}

    class Held:
        km = object()
        handed = 0

        def shutdown(self):
            seen["shutdown"] = True

    held = Held()
    monkeypatch.setitem(warm._KERNEL, "k", held)
    warm._install_lender()
    warm._install_lender()  # once is enough: a second call registers nothing more
    assert execute.KERNEL_LENDERS.count(warm._lend) == 1
    assert execute._start_kernel(Path("/tmp/ws")) is held.km and held.handed == 1
    assert started == []  # no kernel of its own
    warm.release()
    assert seen["shutdown"] and "k" not in warm._KERNEL
    assert warm._lend not in execute.KERNEL_LENDERS
    execute._start_kernel(Path("/tmp/ws"))
    assert started == [Path("/tmp/ws")]  # a new kernel per run again


def test_a_lent_kernel_is_not_stopped_by_the_run_and_has_no_stderr_of_its_own(monkeypatch):
    manager = warm._lent_manager_class()(kernel_name="python3")
    stopped = []
    monkeypatch.setattr(manager, "shutdown_kernel", lambda **kw: stopped.append(kw))
    manager.stop(wait=False)
    manager.stop()
    assert stopped == [] and manager.stderr_tail() == ""
    manager.stderr_file.write("启动\n".encode() + b"".join(b"line %d\n" % i for i in range(30)))
    assert manager.stderr_tail(2) == "line 28\nline 29"


def test_the_warm_kernels_stderr_goes_to_its_file_not_the_terminal(monkeypatch):
    from jupyter_client.manager import KernelManager

    seen = {}
    monkeypatch.setattr(KernelManager, "start_kernel", lambda self, **kw: seen.update(kw))
    manager = warm._lent_manager_class()(kernel_name="python3")
    manager.start_kernel()
    assert seen["stderr"] is manager.stderr_file
