"""What the portal keeps between requests, on ``app.state.portal``: the workspace (reloaded
when its configuration changes), the secret key of the CSRF fields, and the one turn at the
warehouse that page reads and ingests of this process take in order."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ci_measure.config.model import Workspace
from ci_measure.errors import WarehouseBusy

log = logging.getLogger("ci_measure.portal")

PAGE_WAIT_S = 10.0  # a page waits this long for an ingest of this process, then shows less


class Busy(Exception):
    """The warehouse is in use by an ingest of this process for longer than a page waits."""


def recoverable(error: BaseException) -> bool:
    """A failure that goes away by itself: the warehouse in use (by this process, another
    ingest or a Dagster run). Anything else will fail the same way on every try."""
    return isinstance(error, Busy | WarehouseBusy | TimeoutError)


class WorkspaceHolder:
    """The workspace, reloaded when partnership.yaml or catalog.yaml changes on disk."""

    def __init__(self, workspace: Workspace | Path | str) -> None:
        if isinstance(workspace, Workspace):
            self.root = workspace.root
            self._workspace: Workspace | None = workspace
            self._stamp: tuple | None = self._mtimes()
        else:
            self.root = Path(workspace)
            self._workspace, self._stamp = None, None
        self._lock = threading.Lock()

    def _mtimes(self) -> tuple:
        return tuple(
            (self.root / n).stat().st_mtime_ns if (self.root / n).exists() else 0
            for n in ("partnership.yaml", "catalog.yaml")
        )

    def get(self) -> Workspace:
        from ci_measure.config.workspace import load_workspace

        with self._lock:
            stamp = self._mtimes()
            if self._workspace is None or stamp != self._stamp:
                try:
                    self._workspace = load_workspace(self.root)
                except Exception:
                    if self._workspace is None:
                        raise
                    # a half-edited partnership.yaml: keep serving the last good one
                    log.warning(
                        "partnership.yaml could not be reloaded; using the previous one",
                        exc_info=True,
                    )
                    return self._workspace
                self._stamp = stamp
            return self._workspace


@dataclass
class Portal:
    """The state of one portal app (one workspace)."""

    holder: WorkspaceHolder
    key: bytes
    # DuckDB allows one writer per file; page reads and ingests of this process take turns
    # (other processes, like a Dagster run, are waited for by warehouse.py).
    turn: threading.Lock = field(default_factory=threading.Lock)

    def workspace(self) -> Workspace:
        return self.holder.get()

    @contextmanager
    def page_turn(self) -> Iterator[None]:
        """The warehouse for a page: never hang on a long ingest; raise Busy instead."""
        if not self.turn.acquire(timeout=PAGE_WAIT_S):
            raise Busy
        try:
            yield
        finally:
            self.turn.release()
