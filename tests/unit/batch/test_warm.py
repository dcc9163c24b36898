"""The warm kernel's plumbing without a kernel (the kernel: tests/end_to_end/test_warm.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from papermill.engines import NBClientEngine, papermill_engines

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


def test_the_stand_in_engine_hands_papermill_the_warm_kernel_and_is_released(monkeypatch):
    seen = {}

    def execute(cls, nb_man, kernel_name, **kwargs):
        seen.update(kwargs)
        return "executed"

    monkeypatch.setattr(NBClientEngine, "execute_managed_notebook", classmethod(execute))

    class Held:
        km = object()
        handed = 0

        def shutdown(self):
            seen["shutdown"] = True

    held = Held()
    warm._install_engine()
    monkeypatch.setitem(warm._KERNEL, "k", held)
    engine = papermill_engines.get_engine("disclosure")
    assert engine.execute_managed_notebook(SimpleNamespace(nb={}), "python3", cwd="x") == "executed"
    assert seen["km"] is held.km and held.handed == 1
    warm.release()
    assert seen["shutdown"] and "k" not in warm._KERNEL
    seen.clear()
    papermill_engines.get_engine("disclosure").execute_managed_notebook(
        SimpleNamespace(nb={}), "python3"
    )
    assert "km" not in seen  # the evidence engine again: a new kernel per run
