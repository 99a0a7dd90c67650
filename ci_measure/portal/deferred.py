"""An upload the warehouse could not take at once: retried a bounded number of times, and
only when the failure can go away by itself (the warehouse in use).

The file already waits in the partner's inbox under its own name, so nothing is lost when
the portal stops trying: the Dagster sensor or `ci-measure ingest` takes it, exactly once
(``ingest_file`` recognises the SHA-256), and the partner's page says it is waiting. A
failure that cannot recover (a bug, a broken file system) is logged once, with its
traceback, and not retried.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from ci_measure.config.model import Workspace
from ci_measure.portal.state import Portal, recoverable

log = logging.getLogger("ci_measure.portal")

RETRY_S = 2.0  # pause between tries (each try also waits up to the warehouse's lock timeout)
RETRY_ATTEMPTS = 30


def take_in_later(portal: Portal, ws: Workspace, path: Path, partner: str) -> threading.Thread:
    """Try the ingest again in the background; the thread is returned for tests to join."""
    thread = threading.Thread(
        target=_retry,
        args=(portal, ws, path, partner),
        name="ci-measure-deferred-ingest",
        daemon=True,
    )
    thread.start()
    return thread


def _retry(portal: Portal, ws: Workspace, path: Path, partner: str) -> None:
    from ci_measure.intake.ingest import ingest_file

    for attempt in range(1, RETRY_ATTEMPTS + 1):
        if not path.exists():  # the sensor or `ci-measure ingest` took it meanwhile
            return
        try:
            with portal.turn:
                if ingest_file(ws, path, partner) is not None:
                    log.info("deferred upload taken in (partner %s, try %d)", partner, attempt)
            return
        except Exception as failure:
            if not recoverable(failure):
                log.exception(
                    "deferred upload failed and is not retried; it waits in the inbox for "
                    "`ci-measure ingest` (partner %s)",
                    partner,
                )
                return
            log.warning("deferred upload still waiting: %s (partner %s)", failure, partner)
        time.sleep(RETRY_S)
    log.warning(
        "deferred upload not taken in after %d tries; it waits in the inbox for the sensor "
        "or `ci-measure ingest` (partner %s)",
        RETRY_ATTEMPTS,
        partner,
    )
