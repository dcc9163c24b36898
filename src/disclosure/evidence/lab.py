"""What `disclosure lab` serves: the workspace, with everything under outputs/ read-only.

File modes do not stop root (the documented set-up runs as root), and JupyterLab's Ctrl-S and
autosave write through the server's contents manager. This one refuses, for any path under
outputs/, every write the contents API offers: save (PUT), new files, uploads, copies into it,
renames, deletions, and checkpoints (no `.ipynb_checkpoints/` is made there); what it serves from
there is marked `writable: false`, so JupyterLab opens it as read-only. Elsewhere it is jupytext's
manager over Jupyter's own (as jupytext's server extension would build it, which leaves a class
that is already jupytext's alone); the refusals sit on top, so they reach the client as HTTP 403
rather than being wrapped by jupytext's save as an unexpected error (500).

`disclosure lab` selects it with `--ServerApp.contents_manager_class`; it needs jupyter_server,
which JupyterLab (the [lab] extra) brings."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from jupytext.async_contentsmanager import build_async_jupytext_contents_manager_class
from tornado.web import HTTPError

EVIDENCE_DIR = "outputs"
READ_ONLY = (
    "outputs/ 下是运行留下的证据,只读:不能保存、自动保存、新建、改名或删除;要修改请改输入后重新运行"
)


def is_evidence(path: str | None) -> bool:
    """Whether an API path (relative to the workspace, '/'-separated) lies under outputs/."""
    parts = [p for p in PurePosixPath((path or "").strip("/")).parts if p not in ("", ".")]
    return bool(parts) and parts[0] == EVIDENCE_DIR


def _refuse(*paths: str | None) -> None:
    if any(is_evidence(p) for p in paths):
        raise HTTPError(403, READ_ONLY)


class EvidenceContentsManager(build_async_jupytext_contents_manager_class(AsyncLargeFileManager)):  # type: ignore[misc]
    """jupytext's contents manager over Jupyter's, read-only under outputs/."""

    async def get(
        self, path: str, content: bool = True, type: Any = None, format: Any = None, **kw: Any
    ) -> Any:  # noqa: A002, E501
        model = await super().get(path, content=content, type=type, format=format, **kw)
        if is_evidence(path):
            model["writable"] = False
            for child in model.get("content") or [] if model.get("type") == "directory" else []:
                child["writable"] = False
        return model

    async def save(self, model: Any, path: str = "") -> Any:
        _refuse(path)
        return await super().save(model, path)

    async def delete_file(self, path: str) -> None:
        _refuse(path)
        await super().delete_file(path)

    async def rename_file(self, old_path: str, new_path: str) -> None:
        _refuse(old_path, new_path)
        await super().rename_file(old_path, new_path)

    async def new_untitled(self, path: str = "", type: str = "", ext: str = "") -> Any:  # noqa: A002
        _refuse(path)
        return await super().new_untitled(path, type, ext)

    async def new(self, model: Any = None, path: str = "") -> Any:
        _refuse(path)
        return await super().new(model, path)

    async def copy(self, from_path: str, to_path: str | None = None) -> Any:
        _refuse(to_path if to_path is not None else from_path)
        return await super().copy(from_path, to_path)

    async def create_checkpoint(self, path: str) -> Any:
        _refuse(path)
        return await super().create_checkpoint(path)

    async def restore_checkpoint(self, checkpoint_id: str, path: str) -> None:
        _refuse(path)
        await super().restore_checkpoint(checkpoint_id, path)

    async def delete_checkpoint(self, checkpoint_id: str, path: str) -> None:
        _refuse(path)
        await super().delete_checkpoint(checkpoint_id, path)

    async def list_checkpoints(self, path: str) -> Any:
        if is_evidence(path):
            return []  # none is ever made there
        return await super().list_checkpoints(path)
