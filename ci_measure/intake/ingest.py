"""Take files in: validate, archive, load, receipt, and only then leave the inbox (SPEC §7.1, §8).

The order of the steps is what makes a crash harmless:

1. validate (nothing written yet);
2. copy the bytes to ``archive/<sha256><ext>`` (atomic rename; idempotent);
3. one warehouse transaction records the submission and its cells;
4. write the receipts to ``outbox/<partner>/`` (atomic renames);
5. remove the file from the inbox.

A crash before 3 leaves the file waiting in the inbox; after 3, a rerun finds (partner, SHA-256)
in the warehouse and only redoes steps 4-5. One ingest at a time holds ``.ingest.lock``,
so two processes never take in the same file twice; the others wait their turn (for a
bounded time, saying so) and then find the file gone. A failure of the program (a full
disk, an unwritable folder) stops the ingest with one line and leaves the file waiting.
Leftover ``.*.tmp`` files of a crash are never read (dot files are not submissions).

With a shared warehouse (SPEC §12) the lock orders this workspace's inbox only; another
machine may commit the same (partner, SHA-256) first. Step 3 then finds it inside its own
transaction (a conflicting commit is retried by the warehouse) and the file is receipted
``already_received`` instead of being loaded twice.

``faults.point`` marks the steps a test can crash or fail at (docs/reliability.md).
"""

from __future__ import annotations

import fcntl
import json
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ci_measure import atomic, clock, faults, warehouse
from ci_measure.config.model import Workspace
from ci_measure.errors import CiMeasureError, Problem, WarehouseBusy, unknown_partner, usage_error
from ci_measure.intake.cpr import mask
from ci_measure.intake.inbox import (
    Snapshot,
    clear_snapshots,
    discard,
    listed,
    private_umask,
    secure,
    settle_seconds,
    settled,
    snapshot,
    unchanged,
)
from ci_measure.intake.receipt import Receipt, render_html, render_text
from ci_measure.intake.validate import sha256_of, validate_file
from ci_measure.safe_text import archive_suffix, short_stem

RECEIPT_SUFFIXES = (".json", ".txt", ".html")
WAIT_MESSAGE_AFTER_S = 2.0
TURN_S = 0.1  # pause after a file while another process waits for its turn


class IngestFailed(CiMeasureError, OSError):
    """The program (not the partner's file) failed: full disk, unwritable folder, I/O error.

    An OSError too, so callers catching OSError keep working.
    """

    code = "ingest_failed"


@contextmanager
def ingest_lock(workspace: Workspace, timeout: float | None = None) -> Iterator[None]:
    """Serialise ingests of one workspace across processes (released by the OS on a crash).

    Waits its turn for at most ``timeout`` seconds (default: the warehouse's lock timeout),
    saying so on stderr after two seconds, then raises WarehouseBusy.

    Turns are taken in rotation: a waiting process holds a shared lock on ``.ingest.queue``,
    and a process that finishes a file while someone waits pauses before its next file, so
    an ingest of many files cannot starve another ingest, a Dagster run or the portal until
    they time out. (The kernel drops a killed waiter's shared lock: nothing goes stale.)
    """
    timeout = warehouse.LOCK_TIMEOUT_S if timeout is None else timeout
    workspace.root.mkdir(parents=True, exist_ok=True)
    with private_umask(), open(workspace.root / ".ingest.lock", "a+") as handle:
        _acquire(workspace, handle, timeout)
        try:
            secure(workspace)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    if _someone_waits(workspace):
        time.sleep(TURN_S)  # the waiting process polls every 20 ms: it gets the next turn


def _acquire(workspace: Workspace, handle, timeout: float) -> None:  # noqa: ANN001
    start = time.monotonic()
    told = False
    queued = None
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if queued is None:
                    queued = open(workspace.root / ".ingest.queue", "a+")  # noqa: SIM115
                    fcntl.flock(queued, fcntl.LOCK_SH)
                waited = time.monotonic() - start
                if waited >= timeout:
                    raise WarehouseBusy(
                        f"another ingest (or Dagster run) in {workspace.root} has been taking files in "
                        f"for more than {timeout:.0f} s; it takes in the waiting files too - "
                        "run ingest again when it has finished"
                    ) from None
                if not told and waited > WAIT_MESSAGE_AFTER_S:
                    print("waiting for another ingest to finish…", file=sys.stderr)
                    told = True
                time.sleep(0.02)
    finally:
        if queued is not None:
            queued.close()  # leaves the queue (releases the shared lock)


def _someone_waits(workspace: Workspace) -> bool:
    """True while another process waits for the ingest lock (holds ``.ingest.queue`` shared)."""
    try:
        with open(workspace.root / ".ingest.queue", "a+") as queue:
            try:
                fcntl.flock(queue, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(queue, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def receipt_stem(receipt: Receipt) -> str:
    """``<file name without extension, at most 180 bytes>.<first 8 hex of the SHA-256>``."""
    return f"{short_stem(mask(receipt.file))}.{receipt.sha256[:8]}"


def write_receipts(workspace: Workspace, receipt: Receipt) -> Path:
    """The receipt as JSON, text and HTML in ``outbox/<partner>/``; returns the JSON path.

    A rejected file also comes back as ``<stem>.marked.xlsx`` with the offending cells marked
    (never for personal data); that copy is a courtesy and never fails the ingest.
    """
    from ci_measure.intake.returned import write_returned

    folder = workspace.outbox / receipt.partner
    stem = receipt_stem(receipt)
    atomic.write_text(folder / f"{stem}.txt", render_text(receipt), fault="receipt_tmp")
    faults.point("after_receipt_txt")
    atomic.write_text(folder / f"{stem}.json", receipt.to_json(), fault="receipt_tmp")
    faults.point("after_receipt_json")
    returned = write_returned(workspace, receipt)
    html = render_html(receipt, returned=returned.name if returned else None)
    atomic.write_text(folder / f"{stem}.html", html, fault="receipt_tmp")
    faults.point("after_receipt_html")
    return folder / f"{stem}.json"


def pending_files(
    workspace: Workspace, partner: str | None = None, settle: float | None = None
) -> list[tuple[str, Path]]:
    """Complete files waiting in the inbox, oldest first (modification time, then name) -
    SPEC §7.1. A file still being written (changed less than ``settle`` seconds ago, default
    ``CI_MEASURE_SETTLE_S``) is left for a later round; see :mod:`ci_measure.intake.inbox`.
    """
    settle = settle_seconds() if settle is None else settle
    now = time.time()
    found = [
        (info.st_mtime, path.name, code, path)
        for code, path, info in listed(workspace, partner)
        if settled(info, settle, now)
    ]
    return [(code, path) for _, _, code, path in sorted(found)]


SETTLE_WAIT_S = 60.0  # how long `ingest` waits for files still being written


def ingest_inbox(workspace: Workspace, partner: str | None = None) -> list[Receipt]:
    """Process every waiting file; each is handled (and committed) on its own.

    Files still being written are waited for (each until unchanged for the settle time, at
    most SETTLE_WAIT_S in all), then left for the next round with a word on stderr.
    """
    receipts: list[Receipt] = []
    taken: set[Path] = set()
    deadline = time.monotonic() + settle_seconds() + SETTLE_WAIT_S
    while True:
        for code, path in pending_files(workspace, partner):
            if path in taken:
                continue
            receipt = ingest_file(workspace, path, code)
            if receipt is not None:
                receipts.append(receipt)
                taken.add(path)
        busy = [p for _, p, _ in listed(workspace, partner) if p not in taken]
        if not busy:
            return receipts
        if time.monotonic() > deadline:
            print(
                f"{len(busy)} fil(er) skrives stadig og tages med næste gang / "
                f"{len(busy)} file(s) still being written, left for the next ingest",
                file=sys.stderr,
            )
            return receipts
        time.sleep(0.2)


def ingest_external(workspace: Workspace, source: Path, partner: str) -> Receipt:
    """A file named on the command line is copied into the partner's inbox, then processed."""
    known = workspace.partnership.partner(partner)
    if known is None:
        raise unknown_partner(partner, [p.code for p in workspace.partnership.partners])
    if not source.is_file():
        raise usage_error(f"filen findes ikke: {source}", f"no such file: {source}")
    target = workspace.inbox / known.code / source.name
    if target.exists() and sha256_of(target) != sha256_of(source):
        target = target.with_name(f"{source.stem}.{uuid.uuid4().hex[:8]}{source.suffix}")
    sha256 = sha256_of(source)
    for _ in range(EXTERNAL_ATTEMPTS):
        try:
            atomic.copy_file(source, target)
        except OSError as failure:
            raise IngestFailed(f"could not copy {source} into the inbox: {failure}") from None
        receipt = ingest_file(workspace, target, known.code, tell_resent=True)
        if receipt is None:  # another process took the same file in meanwhile
            receipt = _taken_by_another(workspace, known.code, sha256, target)
        if receipt is not None:
            return receipt
    raise IngestFailed(
        f"could not take in {mask(source.name)} ({known.code}): the file kept changing or "
        "disappearing from the inbox; run ingest again"
    )


EXTERNAL_ATTEMPTS = 5  # copies of a named file into the inbox before giving up


def _taken_by_another(
    workspace: Workspace, partner: str, sha256: str, path: Path
) -> Receipt | None:
    """The receipt of a file another process took in while we waited for our turn, marked
    ``already_received``; None if it is not in the warehouse (then we copy it in again)."""
    with warehouse.writer(workspace.warehouse) as con:
        earlier = warehouse.find_submission(con, partner, sha256)
    return None if earlier is None else _already_received(earlier, path, partner, always=True)


def ingest_file(
    workspace: Workspace, path: Path, partner: str, tell_resent: bool = False
) -> Receipt | None:
    """Take one inbox file in; None if another process already did.

    ``tell_resent``: the receipt returned for a file already in the warehouse says
    ``already_received`` even under the same name (a file named on the command line).

    A failure of the program (OSError, a DuckDB I/O error) raises IngestFailed with one line;
    the file then stays in the inbox, and the next ingest finishes the work.
    """
    with ingest_lock(workspace):
        clear_snapshots(workspace)
        try:
            taken = snapshot(workspace, path)  # read once, through one handle, never a link
        except OSError as failure:
            raise IngestFailed(
                f"could not read {mask(path.name)} ({partner}): {failure}; "
                "the file stays in the inbox; run ingest again when the problem is fixed"
            ) from None
        if taken is None:
            return None  # gone, not a regular file, or changed while read: next round
        _TAKEN[taken.copy] = taken
        try:
            return _ingest_locked(workspace, taken.copy, partner, tell_resent)
        except (OSError, duckdb.Error) as failure:
            if isinstance(failure, CiMeasureError):
                raise
            where = (
                "the file stays in the inbox; run ingest again when the problem is fixed"
                if path.exists()
                else "the file was already taken in"
            )
            raise IngestFailed(
                f"could not take in {mask(path.name)} ({partner}): {failure}; {where}"
            ) from None
        finally:
            _TAKEN.pop(taken.copy, None)
            discard(taken)


# Snapshot being taken in -> what was read, so the inbox file is removed only if unchanged.
_TAKEN: dict[Path, Snapshot] = {}


def leave_inbox(path: Path) -> None:
    """The last step of a file: its snapshot goes, and the inbox file too if it is still the
    file that was read (a newer version written meanwhile stays for the next round)."""
    taken = _TAKEN.get(path)
    path.unlink(missing_ok=True)
    if taken is not None and unchanged(taken):
        taken.original.unlink(missing_ok=True)


def _ingest_locked(workspace: Workspace, path: Path, partner: str, tell_resent: bool) -> Receipt:
    faults.point("after_lock")
    sha256 = sha256_of(path)
    with warehouse.writer(workspace.warehouse) as con:
        earlier = warehouse.find_submission(con, partner, sha256)
    if earlier is not None:
        receipt = _already_received(earlier, path, partner, _taken_elsewhere(workspace, earlier))
    else:
        receipt = _take_in(workspace, path, partner)
    write_receipts(workspace, receipt)
    faults.point("before_unlink")
    leave_inbox(path)
    faults.point("after_unlink")
    if earlier is not None and tell_resent:
        return _already_received(earlier, path, partner, always=True)
    return receipt


def _taken_elsewhere(workspace: Workspace, earlier: dict) -> bool:
    """Taken in by another workspace sharing the warehouse (another machine): its archive copy
    is not here. (After a crash of our own, the copy is here: the receipt is re-issued as it was.)"""
    return (
        earlier["archive_path"] is not None
        and not (workspace.root / earlier["archive_path"]).exists()
    )


def _already_received(earlier: dict, path: Path, partner: str, always: bool = False) -> Receipt:
    """Same bytes again from the same partner (or a rerun after a crash): recorded once,
    receipt re-issued; marked ``already_received`` under another name (or ``always``)."""
    receipt = Receipt.from_dict(json.loads(earlier["receipt"]))
    if always or earlier["file_name"] != mask(path.name):
        when = clock.for_people(earlier["received_at"])  # Danish time, the zone named
        receipt.note = "already_received"
        receipt.file = mask(path.name)
        receipt.warnings = receipt.warnings + [
            Problem.make("already_received", detail=f"{earlier['file_name']}, {when}")
        ]
    return receipt


def _take_in(workspace: Workspace, path: Path, partner: str) -> Receipt:
    validation = validate_file(path, workspace, partner)
    faults.point("after_read")
    receipt = validation.receipt
    receipt.received_at = warehouse.utc_now().isoformat()
    personal = any(p.code == "personal_data" for p in receipt.errors)
    archive_path = None
    if personal:
        receipt.status = "deleted"  # content never kept (SPEC §8)
    else:
        archived = workspace.archive / f"{receipt.sha256}{archive_suffix(path.name)}"
        if not archived.exists():
            atomic.copy_file(path, archived, fault="archive_tmp")
        faults.point("after_archive")
        archive_path = str(archived.relative_to(workspace.root))
    with warehouse.writer(workspace.warehouse) as con:
        earlier = warehouse.record_submission(con, receipt, archive_path, validation.observations)
    faults.point("after_close")
    if earlier is not None:  # another process (machine) committed the same file first
        return _already_received(earlier, path, partner, always=True)
    return receipt
