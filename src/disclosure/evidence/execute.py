"""Execute a year's workbook with papermill and write its evidence: staging folder, registered
exporters, manifest, then an atomic swap over outputs/<year>."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from disclosure import workspace as paths
from disclosure.checks.findings import summary
from disclosure.errors import FontMissing, InputError, RunFailed
from disclosure.evidence.manifest import jsonable, keep_failed, manifest, sealed_text
from disclosure.evidence.orphans import answers_signal
from disclosure.evidence.verify import (
    FAILED_DIR,
    MANIFEST,
    TIMINGS,
    digest_file,
    digest_line,
    signature_file,
)
from disclosure.present.bundle import findings_of
from disclosure.workspace import inside, write_bytes, write_text

INJECTED_CELL_ID = "injected-parameters"
# Evidence is not edited in place: every file under outputs/<year>/ is written read-only. Folders
# stay writable by their owner, so the atomic swap, the .staging-* cleanup and reruns still work.
OUTPUT_MODE = 0o444


@dataclass
class RunResult:
    year: str
    out_dir: Path
    summary: dict[str, int]
    findings: Any = None  # the executed notebook's findings table (pandas DataFrame)
    stages: dict[str, float] = field(default_factory=dict)
    digest: str = ""  # SHA-256 of manifest.json, also written to outputs/<year>.sha256
    kept: str = "new"  # new | unchanged (the earlier evidence kept) | superseded (it was moved)
    superseded: Path | None = None  # where the earlier, different evidence now is


@dataclass
class RunContext:
    """What one run holds while it executes, passed down from the caller (never module state).

    `kernel`: the kernel manager the workbook runs in (an object with the kernel manager's
    interface, `stop(wait)` and `stderr_tail()`); None: the run starts its own while it validates.
    A kernel the caller passes (batch's warm kernel) is lent: the run neither starts nor stops
    it."""

    kernel: Any = None
    lent: bool = False

    def stop_kernel(self, wait: bool = True) -> None:
        """Close the run's own kernel (wait=False: in the background; a later call waits for
        that shutdown, and does nothing more). A lent kernel stays for its owner."""
        if self.kernel is not None and not self.lent:
            self.kernel.stop(wait=wait)


def execute_year(
    root: Path,
    year: str,
    strict: bool,
    dest: Path | None,
    validate: Callable[[Path, str], Any],
    kernel: Any = None,
) -> RunResult:
    """Validate with `validate` (while the kernel starts), execute, render, write; see
    pipeline.run_year. `kernel`: a started kernel to run in, lent by the caller (RunContext)."""
    started = datetime.now(timezone.utc)
    stages: dict[str, float] = {}
    clock = time.perf_counter()
    ctx = RunContext(kernel, lent=kernel is not None)
    if ctx.kernel is None:
        ctx.kernel = _start_kernel(root)  # it boots and loads the modules during validation
    try:
        data = validate(
            root, year
        )  # params and every input, all problems at once; nothing computed twice
        _font_or_stop()
    except BaseException:
        ctx.stop_kernel()  # bad input: the kernel never ran a cell; nothing is written
        raise
    stages["validate"] = time.perf_counter() - clock
    final = dest or inside(root, f"{paths.OUTPUTS_DIR}/{year}", "输出文件夹")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        lock = YearLock(final)  # one run per year; what a killed run left is restored or removed
        staging = lock.staging()
    except BaseException:
        ctx.stop_kernel()  # another run holds the year, or outputs/ is not writable: no cell ran
        raise
    try:
        clock = time.perf_counter()
        try:
            nb, error = _execute(root, year, strict, ctx.kernel)
        finally:
            ctx.stop_kernel(wait=False)  # it shuts down while the outputs render
        stages["execute"] = time.perf_counter() - clock
        if error is not None:
            failed = keep_failed(nb, final, started, stages, root, data.inputs, error)
            raise RunFailed(error, failed)
        findings = findings_of(nb)
        outcome = summary(findings)
        nb.metadata["disclosure"] = {
            "summary": outcome,
            "title": f"{data.profile.get('institution', '')}{year}学年信息公开工作年度报告",
            # for the PDF copies (present.typeset): figures in the publication copy, and the
            # corrections the review copy lists
            "report_figures": bool(data.params.report_figures),
            "corrections": corrections_record(data),
        }
        clock = time.perf_counter()
        from disclosure.evidence.exporters import render_outputs  # (loaded during execution)

        for name, content in render_outputs(nb).items():
            write_bytes(staging / name, content, mode=OUTPUT_MODE)
        stages["render"] = time.perf_counter() - clock
        record = manifest(root, data.inputs, staging, year, outcome)
        record["parameters"] = jsonable(asdict(data.params))
        record["corrections"] = jsonable([asdict(c) for c in data.corrections])
        write_text(staging / MANIFEST, sealed_text(record), mode=OUTPUT_MODE)
        if same_evidence(staging, final):
            kept, superseded = "unchanged", None  # the registered digest and signature hold
            shutil.rmtree(final / FAILED_DIR, ignore_errors=True)  # a later failure, now passed
        else:
            superseded = _swap(staging, final)
            kept = "superseded" if superseded is not None else "new"
        digest = publish_digest(final)
        record_timings(final, started, stages, kept)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        ctx.stop_kernel()
        lock.release()
    return RunResult(year, final, outcome, findings, stages, digest, kept, superseded)


def same_evidence(staging: Path, final: Path) -> bool:
    """Whether the new run's manifest is byte for byte the one in `final`, and every output there
    still hashes as it records: then the new run is the same evidence (manifests hold no time)."""
    old, new = final / MANIFEST, staging / MANIFEST
    if final.is_symlink() or not old.is_file() or old.read_bytes() != new.read_bytes():
        return False
    from disclosure.evidence.verify import verify_outputs

    return not [d for d in verify_outputs(final) if not d.path.startswith(FAILED_DIR)]


def record_timings(final: Path, started: datetime, stages: dict[str, float], kept: str) -> None:
    """Append this run's times to outputs/<year>/timings.json: a log beside the evidence, outside
    the manifest, its seal and digest (README: "Proof over content")."""
    path = final / TIMINGS
    runs: list[Any] = []
    try:
        previous = json.loads(path.read_text(encoding="utf-8"))
        runs = list(previous.get("runs", [])) if isinstance(previous, dict) else []
    except (OSError, ValueError):
        pass
    runs.append(
        {
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "stages_seconds": {k: round(v, 3) for k, v in stages.items()},
            "evidence": kept,
        }
    )
    text = json.dumps({"academic_year": final.name, "runs": runs}, ensure_ascii=False, indent=1)
    write_text(path, text + "\n", mode=OUTPUT_MODE)


def corrections_record(data: Any) -> dict[str, Any]:
    """The year's corrections to raw data as the workbook's table shows them (columns, rows)."""
    from disclosure.present.show import corrections_table

    table = corrections_table(data)
    return {"columns": list(table.columns), "rows": jsonable(table.values.tolist())}


def _font_or_stop() -> None:
    """Figures need the CJK font; say so before a kernel starts rather than draw boxes."""
    from disclosure.present.charts import cjk_font_file

    try:
        cjk_font_file()
    except FontMissing as exc:
        raise InputError.one("字体", str(exc)) from None


def _start_kernel(root: Path) -> Any:
    """The workbook's kernel, started now in `root` (see evidence.launch.start_kernel)."""
    from disclosure.evidence.launch import start_kernel

    return start_kernel(root, root / paths.WORKBOOK)


def _execute(root: Path, year: str, strict: bool, kernel: Any = None) -> tuple[Any, str | None]:
    """Execute the workbook in `kernel` (a started kernel manager; None: papermill starts one)
    and return the normalised notebook and the error, if any. The caller stops `kernel`.
    Meanwhile the renderers load (and Typst scans the fonts)."""
    import jupytext
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from disclosure.evidence.exporters import prepare_render

    warming = threading.Thread(target=prepare_render, name="prepare-render", daemon=True)
    warming.start()  # the renderers load while the kernel computes (the runner only waits)
    source = jupytext.read(root / paths.WORKBOOK, fmt="py:percent")
    error = None
    ran: dict[str, Any] = {}  # the engine keeps the notebook it runs here, even half-run
    nb = None
    try:
        # No output path: papermill writes nothing (a full disk cannot truncate the evidence
        # here); the notebook comes back as an object, or from `ran` when a cell failed.
        nb = pm.execute_notebook(
            source,
            None,
            parameters={"academic_year": year, "strict": strict},
            cwd=str(root),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            report_mode=False,
            engine_name=_evidence_engine(),
            request_save_on_cell_execute=False,
            keep_notebook=ran,
            **({"km": kernel} if kernel is not None else {}),
        )
    except PapermillExecutionError as exc:
        error = f"第 {exc.exec_count} 个执行单元格出错:{exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel death, timeouts: nbclient raises several types
        error = f"内核异常终止或执行失败:{type(exc).__name__}: {exc}"
        tail = kernel.stderr_tail() if kernel is not None else ""
        if tail:
            error += f"\n内核的错误输出(最后几行):\n{tail}"
    finally:
        warming.join()
    if nb is None:  # a cell failed or the kernel died: keep the cells that did run
        nb = ran.get("nb") or source
    # As written to and read from a file: the same node types whichever way it came back.
    return normalise(nbformat.reads(nbformat.writes(nb), as_version=4)), error


def _evidence_engine() -> str:
    """Register, once, a papermill engine that keeps the notebook it runs in the dict the caller
    passes as `keep_notebook` (an engine keyword argument of pm.execute_notebook).

    When the kernel dies papermill writes nothing. Saving after every cell would keep the cells that
    ran, but doubled the execution time (a ~1 MB notebook written ~70 times); this costs nothing.
    """
    from papermill.engines import NBClientEngine, papermill_engines

    if "disclosure" not in papermill_engines._engines:

        class EvidenceEngine(NBClientEngine):
            @classmethod
            def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):  # type: ignore[no-untyped-def]
                keep = kwargs.pop("keep_notebook", None)
                if keep is not None:
                    keep["nb"] = nb_man.nb
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)

        papermill_engines.register("disclosure", EvidenceEngine)
    return "disclosure"


def normalise(nb: Any) -> Any:
    """Move volatile values out of the evidence so identical inputs give an identical notebook, and
    drop the source's jupytext pairing so the evidence opens in Jupyter as a plain notebook."""
    nb.metadata.pop("papermill", None)
    # The source's jupytext pairing (formats: py:percent) would make Jupyter's jupytext contents
    # manager look for a paired .py beside the evidence and refuse to open it (HTTP 500): the
    # evidence is a plain notebook.
    nb.metadata.pop("jupytext", None)
    for index, cell in enumerate(nb.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        # jupytext gives new random ids on every read of the .py source; number them instead.
        cell["id"] = (
            INJECTED_CELL_ID
            if "injected-parameters" in cell.metadata.get("tags", [])
            else f"cell-{index:03d}"
        )
    return nb


def _swap(staging: Path, final: Path) -> Path | None:
    """Replace outputs/<year> by the completed staging folder; the old one survives until then,
    and is then kept under outputs/superseded/ (returned), never deleted.

    Three steps, each one rename (step 3: the signature, then the folder). A kill between them is
    repaired by the next run (YearLock.recover): after step 1 the old folder is renamed back;
    after step 2 it is moved to superseded/. `disclosure verify` names that command meanwhile.
    """
    old = None
    if final.exists():
        old = final.with_name(f"{OLD_PREFIX}{final.name}-{os.getpid()}")
        final.rename(old)  # step 1
    staging.rename(final)  # step 2
    return None if old is None else supersede(old, final)  # step 3


SUPERSEDED_DIR = "superseded"  # outputs/superseded/<year>-<first 12 hex of its digest>/


def supersede(old: Path, final: Path) -> Path | None:
    """Move an earlier output folder of `final`'s year to outputs/superseded/<year>-<digest>/,
    with its signature and digest file beside it; a folder without a manifest is removed."""
    if not (old / MANIFEST).is_file():
        shutil.rmtree(old, ignore_errors=True)
        return None
    digest = digest_line(old).split()[0]
    kept = final.parent / SUPERSEDED_DIR / f"{final.name}-{digest[:12]}"
    kept.parent.mkdir(exist_ok=True)
    signature = signature_file(final)
    if signature.is_file():  # only the old folder was ever signed: the new one is not yet
        signature.replace(signature_file(kept))
    if kept.exists():  # the same evidence was kept before
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.rename(kept)
    publish_digest(kept)
    return kept


# --- one run per year, and the repair of what a killed run left -----------------------------------

LOCK_PREFIX, STAGING_PREFIX, OLD_PREFIX = ".lock-", ".staging-", ".old-"


class YearLock:
    """An exclusive lock on outputs/.lock-<year> (flock; released by the kernel when the process
    dies, so a kill never leaves it held). A second run of the same year refuses at once with
    RunFailed naming the process that holds it. Taking the lock repairs what a killed run left:
    staging folders whose owner process is gone are removed, an old output folder is renamed back
    when outputs/<year> is missing (a kill between the two renames of the swap) or else removed,
    and outputs/<year>.sha256 is rewritten to match the manifest actually there."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.path = final.with_name(f"{LOCK_PREFIX}{final.name}")
        self.fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(self.fd)
        except OSError:
            os.lseek(self.fd, 0, os.SEEK_SET)
            holder = os.read(self.fd, 32).decode("ascii", "replace").strip() or "未知"
            self.release()
            raise RunFailed(
                f"学年 {final.name} 正由另一次运行(进程 {holder})写入 {final};同一学年不能同时"
                "运行两次,请等它结束后再运行",
                None,
            ) from None
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.write(self.fd, f"{os.getpid()}\n".encode("ascii"))
        try:
            self.recover()
        except BaseException:
            self.release()
            raise

    def staging(self) -> Path:
        """A new staging folder named with this process's id, so others can tell it is alive."""
        try:
            prefix = f"{STAGING_PREFIX}{self.final.name}-{os.getpid()}-"
            staging = Path(tempfile.mkdtemp(prefix=prefix, dir=self.final.parent))
            staging.chmod(0o755)  # mkdtemp makes 0700; the year folder is meant to be shared
        except BaseException:
            self.release()
            raise
        return staging

    def recover(self) -> None:
        final, parent = self.final, self.final.parent
        for stale in parent.glob(f"{STAGING_PREFIX}{final.name}-*"):
            if not _alive(_owner(stale.name, f"{STAGING_PREFIX}{final.name}-")):
                shutil.rmtree(stale, ignore_errors=True)
        for old in sorted(parent.glob(f"{OLD_PREFIX}{final.name}-*")):
            if _alive(_owner(old.name, f"{OLD_PREFIX}{final.name}-")):
                continue
            if not final.exists() and not final.is_symlink():
                old.rename(final)  # killed between the swap's two renames: the old outputs return
            else:
                supersede(old, final)  # killed after the swap: the old outputs are kept aside
        for partial in parent.glob(f".{digest_file(final).name}.*"):  # write_bytes' temporary
            partial.unlink(missing_ok=True)
        kept = parent / SUPERSEDED_DIR
        for partial in kept.glob(f".{final.name}-*"):  # killed while writing a digest there
            partial.unlink(missing_ok=True)
        for folder in kept.glob(f"{final.name}-*"):
            if folder.is_dir() and (folder / MANIFEST).is_file():
                publish_digest(folder)
        if (final / MANIFEST).is_file():
            publish_digest(final)
        else:
            digest_file(final).unlink(missing_ok=True)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor releases the lock
            self.fd = None


def _lock(fd: int) -> None:
    if os.name == "nt":  # pragma: no cover - the project runs on Linux; Windows locks one byte
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _owner(name: str, prefix: str) -> int | None:
    """The process id in `.staging-<year>-<pid>-xxxx` / `.old-<year>-<pid>`; None if absent."""
    head = name[len(prefix) :].split("-", 1)[0]
    return int(head) if head.isascii() and head.isdigit() else None


def _alive(pid: int | None) -> bool:
    """Whether process `pid` still runs. The year lock already excludes another run of the year;
    this also spares a folder of a live process that runs an older version without the lock."""
    if pid is None or pid == os.getpid():
        return False if pid is None else True
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) would terminate the process there
        return False
    return answers_signal(pid)


def publish_digest(final: Path) -> str:
    """Write outputs/<year>.sha256 (sha256sum format) beside the folder; return the digest."""
    line = digest_line(final)
    target = digest_file(final)
    if not target.is_file() or target.read_text(encoding="utf-8") != line:
        write_text(target, line, mode=OUTPUT_MODE)
    return line.split()[0]
