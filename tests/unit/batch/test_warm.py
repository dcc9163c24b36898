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


def test_a_warm_run_is_passed_the_warm_kernel_and_release_shuts_it_down(monkeypatch):
    from disclosure import pipeline

    seen = {}

    class Held:
        km = object()
        handed, runs, started = 0, 0, 1.5

        def prepare(self, cwd):
            seen["prepared"] = cwd

        def shutdown(self):
            seen["shutdown"] = True

    def run_one(root, year, strict=False, kernel=None):
        seen["run"] = (root, year, strict, kernel)
        return "outcome"

    held = Held()
    monkeypatch.setitem(warm._KERNEL, "k", held)
    monkeypatch.setattr(pipeline, "run_one", run_one)
    assert warm.run_warm(Path("/tmp/ws"), "2023-2024") == "outcome"
    assert seen["run"] == (Path("/tmp/ws"), "2023-2024", False, held.km)  # passed down, lent
    assert seen["prepared"] == Path("/tmp/ws") and held.handed == 1
    assert warm.environment()["handed"] == 1
    warm.release()
    assert seen["shutdown"] and "k" not in warm._KERNEL
    assert warm.environment() == {}
