"""A bug in ci-measure is ours: logged with its traceback, never blamed on a partner's file.

The traceback goes to stderr through ``logging`` and is appended to
``<workspace>/logs/ci-measure.log`` (created readable by its owner only: a traceback can
quote cells of a partner's file). The file that met the bug is left where it was, so it is
taken in once the bug is fixed.
"""

from __future__ import annotations

import logging
import os
import traceback
from pathlib import Path

from ci_measure import clock
from ci_measure.errors import InternalError

log = logging.getLogger("ci_measure.internal")
LOG_FILE = Path("logs") / "ci-measure.log"


def log_internal_error(root: Path, error: InternalError, what: str) -> Path | None:
    """Log ``error`` (with the traceback of its cause) to stderr and the workspace's log file.

    Returns the log file, or None when it could not be written (the stderr line remains).
    """
    cause = error.__cause__ or error
    lines = traceback.format_exception(type(cause), cause, cause.__traceback__)
    log.error("internal error while %s: %s", what, error.args[0], exc_info=cause)
    path = Path(root) / LOG_FILE
    text = f"{clock.for_machines(clock.utc_now())} internal error while {what}\n{''.join(lines)}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(handle, 0o600)
            os.write(handle, text.encode("utf-8"))
        finally:
            os.close(handle)
    except OSError:
        return None
    return path
