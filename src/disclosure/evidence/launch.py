"""What a run imports and starts before the notebook executes, kept to what the run uses.

- `lean_jsonschema`: nbformat imports jsonschema, and jsonschema imports every optional format
  plugin it finds (rfc3987_syntax builds a grammar on import: seconds). JupyterLab's dependencies
  (jupyter-events → jsonschema[format-nongpl]) install them; nbformat never checks a `format`, so
  the run imports jsonschema with those plugins hidden. JupyterLab itself is untouched: it runs in
  its own process, and a process that imported jsonschema before is left as it is.
- `lean_jupytext`: jupytext, on import, builds its Jupyter contents managers from jupyter_server
  (JupyterLab's server) when it is installed; the run only reads the py:percent workbook.
- `WorkbookKernel`: the workbook's kernel (ipykernel, same interpreter), started by the runner
  while it validates the inputs. It is launched through this module (`python -m
  disclosure.evidence.launch MODULES -f CONNECTION_FILE`), which imports the workbook's modules
  before the kernel listens and leaves out debugpy (a batch kernel is never debugged). The cells
  still run their own imports and show them; they just find the modules loaded.
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# jsonschema's optional format checkers (jsonschema/_format.py imports each under
# suppress(ImportError)); none is used by nbformat, which validates without a format checker.
FORMAT_PLUGINS = (
    "rfc3987_syntax",
    "rfc3987",
    "rfc3986_validator",
    "rfc3339_validator",
    "fqdn",
    "idna",
    "webcolors",
    "jsonpointer",
    "uri_template",
    "isoduration",
)
# jupytext's contents managers for Jupyter servers (its __init__ imports them under
# try/except ImportError), and the servers they are built from when installed.
SERVER_PACKAGES = (
    "jupytext.sync_contentsmanager",
    "jupytext.async_contentsmanager",
    "jupyter_server",
    "notebook",
)
# Imported by the workbook's cells inside functions (show.chart_setup, show.figures), so not found
# among its import statements.
ALSO_PRELOAD = ("disclosure.present.charts", "matplotlib.figure", "matplotlib.backends.backend_agg")
# What ipykernel imports only to offer it: the debugger (debugpy, ~0.3 s).
KERNEL_LEAVES_OUT = ("debugpy",)


@contextmanager
def hidden(names: tuple[str, ...]) -> Iterator[None]:
    """While inside, `import name` raises ImportError for every name not yet imported; after, the
    names are importable again (modules that tried meanwhile keep what they decided)."""
    blocked = [name for name in names if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]  # the documented import stopper
    try:
        yield
    finally:
        for name in blocked:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


def lean_jsonschema() -> None:
    """Import jsonschema without its optional format plugins, unless it is imported already."""
    if "jsonschema" in sys.modules:
        return
    with hidden(FORMAT_PLUGINS):
        import jsonschema  # noqa: F401


def lean_jupytext() -> None:
    """Import jupytext without its Jupyter contents managers (it builds them from jupyter_server or
    notebook when either is installed), unless it is imported already; `jupytext.read` is all a
    run uses."""
    if "jupytext" in sys.modules:
        return
    with hidden(SERVER_PACKAGES):
        import jupytext  # noqa: F401


def lean_imports() -> None:
    """What the runner imports, without what only JupyterLab uses; call before nbformat/jupytext
    are imported (a module imported already is left as it is)."""
    lean_jsonschema()
    lean_jupytext()


# --- the workbook's kernel ---------------------------------------------------------------------


def workbook_imports(source: Path) -> list[str]:
    """The modules a py:percent workbook imports (its import statements, in order), plus those
    its cells import inside functions; [] when the source does not parse as Python."""
    try:
        tree = ast.parse(source.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return list(dict.fromkeys([*found, *ALSO_PRELOAD]))


def preload(names: list[str]) -> None:
    """Import each name (a module, or `package.attribute` whose package is imported instead);
    a name that fails is left for its cell to report."""
    for name in names:
        try:
            importlib.import_module(name)
        except ImportError:
            parent = name.rpartition(".")[0]
            if parent:
                try:
                    importlib.import_module(parent)
                except Exception:  # noqa: BLE001  # the cell that imports it shows the error
                    pass
        except Exception:  # noqa: BLE001
            pass


def kernel_command(modules: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "disclosure.evidence.launch",
        ",".join(modules),
        "-f",
        "{connection_file}",
    ]


def _kernel_manager_class() -> type:
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import KernelManager

    class WorkbookKernel(KernelManager):
        """ipykernel launched through this module; nbclient gets asynchronous clients (as from
        its own kernel manager); `stop` closes them and shuts the kernel down."""

        client_class = "jupyter_client.asynchronous.AsyncKernelClient"  # type: ignore[assignment]

        def __init__(self, modules: list[str], **kwargs: Any) -> None:
            super().__init__(kernel_name="python3", **kwargs)
            self._workbook_spec = KernelSpec(
                argv=kernel_command(modules), display_name="Python 3", language="python"
            )
            self._clients: list[Any] = []
            self._stopping: threading.Thread | None = None
            # The kernel's stderr (ipykernel's log lines, interpreter noise at exit) goes here,
            # not to the user's terminal; `stderr_tail` gives it back when the kernel died.
            self.stderr_file = tempfile.TemporaryFile()  # noqa: SIM115  # closed by _shutdown

        def stderr_tail(self, lines: int = 20) -> str:
            """The last lines the kernel wrote to stderr ('' once it has been shut down)."""
            if self.stderr_file.closed:
                return ""
            self.stderr_file.flush()
            self.stderr_file.seek(0)
            text = self.stderr_file.read().decode("utf-8", errors="replace")
            return "\n".join(text.strip().splitlines()[-lines:])

        @property
        def kernel_spec(self) -> KernelSpec:  # type: ignore[override]
            return self._workbook_spec

        def client(self, **kwargs: Any) -> Any:
            kc = super().client(**kwargs)
            self._clients.append(kc)
            return kc

        def stop(self, wait: bool = True) -> None:
            """Close the clients and shut the kernel down gracefully (as nbclient does), removing
            its connection file. With wait=False the shutdown goes on in a thread (the runner
            renders meanwhile); a later stop() waits for it, a second one does nothing more."""
            if self._stopping is None:
                for kc in self._clients:
                    kc.stop_channels()
                self._clients.clear()
                self._stopping = threading.Thread(target=self._shutdown, name="kernel-stop")
                self._stopping.start()
            if wait:
                self._stopping.join()

        def _shutdown(self) -> None:
            try:
                if self.has_kernel:
                    self.shutdown_kernel(now=False)
            except Exception:  # noqa: BLE001  # a kernel that will not stop is killed
                if self.has_kernel:
                    self.shutdown_kernel(now=True)
            finally:
                self.cleanup_resources()
                self.stderr_file.close()
                close_thread_loop()

    return WorkbookKernel


def close_thread_loop() -> None:
    """Close the event loop jupyter_client's synchronous calls made for this thread, if any and
    not running. Left open, it is closed whenever the garbage collector reaches it, possibly
    after its sockets, and prints a traceback ("Exception ignored in BaseEventLoop.__del__")."""
    import asyncio

    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:  # no loop in this thread
        return
    if not loop.is_running() and not loop.is_closed():
        loop.close()


def start_kernel(root: Path, workbook: Path) -> Any:
    """Start the workbook's kernel in `root` and return its manager (call `.stop()` when done);
    it imports the workbook's modules while the caller goes on."""
    manager = _kernel_manager_class()(workbook_imports(workbook))
    # nbclient passes the same when it starts a kernel itself: no history file on disk.
    manager.start_kernel(
        cwd=str(root),
        extra_arguments=["--HistoryManager.hist_file=:memory:"],
        stderr=manager.stderr_file,
    )
    return manager


def kernel_main(argv: list[str]) -> None:
    """`python -m disclosure.evidence.launch MODULES -f CONNECTION_FILE`: load, then serve."""
    modules, rest = (argv[0], argv[1:]) if argv and not argv[0].startswith("-") else ("", argv)
    from disclosure.evidence.orphans import end_with

    end_with(os.getppid())  # the runner started this kernel: it ends with it, even when killed
    # As ipykernel_launcher: the working directory is not on sys.path while the kernel loads
    # (IPython adds it back for the cells).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    for name in KERNEL_LEAVES_OUT:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    preload([m for m in modules.split(",") if m])
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=rest)


if __name__ == "__main__":
    kernel_main(sys.argv[1:])
