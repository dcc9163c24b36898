"""Warm kernels: one kernel per worker process, with pandas, matplotlib and the package imported
once, reused by every institution-year that worker runs.

A year runs exactly as `disclosure run` runs it (`pipeline.run_one` → `evidence.execute`: the same
papermill engine, the same outputs); only the kernel is not new. Before each year the kernel is put
back into the state a new kernel would be in:

- a clean namespace and the execution counter back at 1 (`InteractiveShell.reset(new_session=
  True)`), so the executed notebook numbers its cells 1, 2, ... as a new kernel does — the
  evidence is not renumbered afterwards, the kernel really counts from 1;
- figures closed, matplotlib's rcParams and pandas' options as they were right after start-up,
  `sys.path`, the environment and the working folder as papermill would start a kernel there;
- warnings shown again (each module's "already shown" registry cleared), every `functools` cache of
  the package cleared.

The kernel's own metadata (`kernelspec`, `language_info`) comes from the same kernel binary, so it
is the same; tests/end_to_end/test_warm.py compares every output byte for byte with a new kernel's.

How it plugs in: `run_warm` passes the warm kernel down (`pipeline.run_one(..., kernel=)` →
`evidence.execute.RunContext`), so the run starts no kernel of its own and hands papermill this one
(`km=`); a lent kernel is not stopped at the end of the run: it stays for the next year, which
`prepare` resets it for. Like a run's own kernel it is launched through `evidence.launch`, so it
ends with the worker process that started it, even when that process is killed.
"""

from __future__ import annotations

import atexit
import json
import tempfile
import time
from pathlib import Path
from typing import Any

WARM_UP = """
import matplotlib
import matplotlib.pyplot
import pandas
import disclosure.pipeline, disclosure.present.bundle, disclosure.present.report
import disclosure.present.show, disclosure.present.charts, disclosure.compute.narrative
"""

# Kept outside the user namespace (which each reset clears): a module of its own in the kernel.
SNAPSHOT = """
def __disclosure_snapshot():
    import os, sys, types, warnings
    import matplotlib
    keep = types.ModuleType("_disclosure_warm")
    keep.state = {
        "rc": dict(matplotlib.rcParams),
        "path": list(sys.path),
        "environ": dict(os.environ),
        "filters": list(warnings.filters),
    }
    sys.modules["_disclosure_warm"] = keep
__disclosure_snapshot()
del __disclosure_snapshot
"""

# Run silently (no history, no execution count) before each year.
RESET = """
def __disclosure_reset(cwd):
    import functools, gc, os, sys, warnings
    import matplotlib, matplotlib.pyplot as plt, pandas as pd
    state = sys.modules["_disclosure_warm"].state
    plt.close("all")
    get_ipython().reset(new_session=True)  # namespace, Out/_ caches, execution_count = 1
    matplotlib.rcParams.update(state["rc"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.reset_option("all")
    sys.path[:] = state["path"]
    os.environ.clear()
    os.environ.update(state["environ"])
    os.chdir(cwd)
    warnings.filters[:] = state["filters"]
    warnings._filters_mutated()
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
        if getattr(module, "__name__", "").startswith("disclosure"):
            for value in list(vars(module).values()):
                if isinstance(value, functools._lru_cache_wrapper):
                    value.cache_clear()
    gc.collect()
__disclosure_reset({cwd})
"""


class KernelError(RuntimeError):
    pass


class WarmKernel:
    """One kernel of this process, started once, reset before each use."""

    def __init__(self, kernel_name: str = "python3"):
        self.km = _lent_manager_class()(kernel_name=kernel_name)
        self.started = 0.0
        self.runs = 0  # years prepared for
        self.handed = 0  # runs this kernel was lent to
        self._start()

    def _start(self) -> None:
        clock = time.perf_counter()
        self.km.start_kernel()
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)
        self._run(WARM_UP + SNAPSHOT)
        self.started = time.perf_counter() - clock

    def _run(self, code: str) -> None:
        reply = self.kc.execute_interactive(
            code, silent=True, store_history=False, timeout=120, output_hook=lambda msg: None
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise KernelError(f"{content.get('ename')}: {content.get('evalue')}")

    def alive(self) -> bool:
        return bool(self.km.is_alive())

    def prepare(self, cwd: Path) -> None:
        """The state of a new kernel started in `cwd` (see the module's docstring)."""
        self.kc.stop_channels()
        if not self.alive():  # a notebook killed it: start another, warm it up again
            self._start()
        else:  # a client of its own each time (papermill's client of the last run is gone)
            self.kc = self.km.client()
            self.kc.start_channels()
            self.kc.wait_for_ready(timeout=120)
        self._run(RESET.replace("{cwd}", json.dumps(str(cwd.resolve()))))
        self.runs += 1

    def shutdown(self) -> None:
        try:
            self.kc.stop_channels()
            self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001  at exit, nothing more to do
            pass


def _lent_manager_class() -> type:
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import KernelManager

    from disclosure.evidence.launch import kernel_command

    class LentKernelManager(KernelManager):
        """The warm kernel's manager, lent to each run (which does not stop it). It is launched
        through evidence.launch (it ends with this process). Its stderr (ipykernel's log lines)
        goes to a temporary file, not to the batch's terminal; `stderr_tail` gives the last lines
        of it."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.stderr_file = tempfile.TemporaryFile()  # noqa: SIM115  # lives with the worker
            self._spec = KernelSpec(
                argv=kernel_command([]), display_name="Python 3", language="python"
            )

        @property
        def kernel_spec(self) -> KernelSpec:  # type: ignore[override]
            return self._spec

        def start_kernel(self, **kw: Any) -> None:
            super().start_kernel(stderr=self.stderr_file, **kw)

        def stderr_tail(self, lines: int = 20) -> str:
            self.stderr_file.flush()
            self.stderr_file.seek(0)
            text = self.stderr_file.read().decode("utf-8", errors="replace")
            return "\n".join(text.strip().splitlines()[-lines:])

    return LentKernelManager


_KERNEL: dict[str, WarmKernel] = {}


def kernel() -> WarmKernel:
    """This process's warm kernel, started on first use and shut down at exit."""
    if "k" not in _KERNEL:
        _KERNEL["k"] = WarmKernel()
        atexit.register(_KERNEL["k"].shutdown)
    return _KERNEL["k"]


def release() -> None:
    """Shut this process's warm kernel down; the next run_warm starts another."""
    held = _KERNEL.pop("k", None)
    if held is not None:
        held.shutdown()


def run_warm(root: Path, year: str, strict: bool = False) -> Any:
    """pipeline.run_one in this process's warm kernel, lent to it (a pipeline.YearOutcome)."""
    from disclosure.pipeline import run_one

    held = kernel()
    held.prepare(root)
    held.handed += 1
    return run_one(root, year, strict, kernel=held.km)


def environment() -> dict[str, Any]:
    """What the warm kernel of this process has done (for benchmarks)."""
    held = _KERNEL.get("k")
    if held is None:
        return {}
    return {"started_seconds": held.started, "runs": held.runs, "handed": held.handed}


__all__ = ["WarmKernel", "environment", "kernel", "release", "run_warm"]
