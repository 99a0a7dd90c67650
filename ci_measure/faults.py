"""Named fault points, so tests can kill or starve ``ingest`` at an exact step.

Production code calls :func:`point` at the steps whose order makes a crash harmless (see
``ci_measure.intake.ingest``). It does nothing unless the process was started with

* ``CI_MEASURE_CRASH_AT=<name>``: the process kills itself with SIGKILL at that point
  (no cleanup, no ``finally``, exactly like a power cut or the OOM killer), or
* ``CI_MEASURE_FAIL_AT=<name>``: :func:`point` raises ``OSError(ENOSPC)`` there, as a full
  disk would.

``<name>#<n>`` acts at the n-th time the point is reached (the n-th file), e.g.
``inside_transaction#2``. The variables are read once, at import: a disabled point costs
one comparison with None. Tests running in-process call :func:`configure` after changing
the environment.
"""

from __future__ import annotations

import errno
import os
import signal

CRASH_ENV = "CI_MEASURE_CRASH_AT"
FAIL_ENV = "CI_MEASURE_FAIL_AT"

# Every point the core calls, in the order one file passes them (documented in docs/reliability.md).
POINTS = (
    "after_lock",  # the ingest lock is held, nothing read yet
    "inside_migration",  # the warehouse's tables created or migrated, before COMMIT
    "after_read",  # the file is validated, nothing written yet
    "archive_tmp",  # the archive copy is written to its temporary name, not yet renamed
    "after_archive",  # the archive copy is in place
    "inside_transaction",  # submission and cells inserted, before COMMIT
    "after_commit",  # COMMIT done, connection still open (WAL not yet checkpointed)
    "after_close",  # the warehouse connection is closed
    "receipt_tmp",  # a receipt file is written to its temporary name, not yet renamed
    "after_receipt_txt",
    "after_receipt_json",
    "after_receipt_html",
    "before_unlink",  # every receipt is written, the file is still in the inbox
    "after_unlink",  # the file has left the inbox, the lock is still held
)

_crash_at: tuple[str, int] | None = None
_fail_at: tuple[str, int] | None = None
_hits: dict[str, int] = {}


def _parse(value: str | None) -> tuple[str, int] | None:
    if not value:
        return None
    name, _, nth = value.partition("#")
    return name.strip(), int(nth) if nth.strip().isdigit() else 1


def configure() -> None:
    """(Re)read the environment and reset the hit counts; called at import."""
    global _crash_at, _fail_at
    _crash_at = _parse(os.environ.get(CRASH_ENV))
    _fail_at = _parse(os.environ.get(FAIL_ENV))
    _hits.clear()


def point(name: str) -> None:
    """A named step: nothing happens unless a test asked for a crash or a failure here."""
    if _crash_at is None and _fail_at is None:
        return
    hits = _hits[name] = _hits.get(name, 0) + 1
    if _crash_at == (name, hits):
        os.kill(os.getpid(), signal.SIGKILL)
    if _fail_at == (name, hits):
        raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} (simulated at {name})")


configure()
