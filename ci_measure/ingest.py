"""Take files in: validate, archive, load, receipt, and only then leave the inbox (SPEC §7.1, §8).

The order of the steps is what makes a crash harmless:

1. validate (nothing written yet);
2. copy the bytes to ``archive/<sha256><ext>`` (atomic rename; idempotent);
3. one warehouse transaction records the submission and its cells;
4. write the receipts to ``outbox/<partner>/`` (atomic renames);
5. remove the file from the inbox.

A crash before 3 leaves the file waiting in the inbox; after 3, a rerun finds the SHA-256
in the warehouse and only redoes steps 4-5. One ingest at a time holds ``.ingest.lock``,
so two processes never take in the same file twice.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ci_measure import warehouse
from ci_measure.errors import Problem, UsageError
from ci_measure.model import Workspace
from ci_measure.receipt import Receipt, render_html, render_text
from ci_measure.validate import sha256_of, validate_file

RECEIPT_SUFFIXES = (".json", ".txt", ".html")


@contextmanager
def ingest_lock(workspace: Workspace) -> Iterator[None]:
    """Serialise ingests of one workspace across processes (released by the OS on a crash)."""
    workspace.root.mkdir(parents=True, exist_ok=True)
    with open(workspace.root / ".ingest.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def _atomic_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    shutil.copyfile(source, temporary)
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def receipt_stem(receipt: Receipt) -> str:
    return f"{Path(receipt.file).stem}.{receipt.sha256[:8]}"


def write_receipts(workspace: Workspace, receipt: Receipt) -> Path:
    """The receipt as JSON, text and HTML in ``outbox/<partner>/``; returns the JSON path.

    A rejected file also comes back as ``<stem>.marked.xlsx`` with the offending cells marked
    (never for personal data); that copy is a courtesy and never fails the ingest.
    """
    from ci_measure.returned import write_returned

    folder = workspace.outbox / receipt.partner
    stem = receipt_stem(receipt)
    _atomic_write(folder / f"{stem}.txt", render_text(receipt).encode("utf-8"))
    _atomic_write(folder / f"{stem}.json", receipt.to_json().encode("utf-8"))
    returned = write_returned(workspace, receipt)
    html = render_html(receipt, returned=returned.name if returned else None)
    _atomic_write(folder / f"{stem}.html", html.encode("utf-8"))
    return folder / f"{stem}.json"


def pending_files(workspace: Workspace, partner: str | None = None) -> list[tuple[str, Path]]:
    """Files waiting in the inbox, oldest first (modification time, then name) - SPEC §7.1."""
    found: list[tuple[float, str, str, Path]] = []
    for p in workspace.partnership.partners:
        if partner and p.code.upper() != partner.upper():
            continue
        folder = workspace.inbox / p.code
        if not folder.is_dir():
            continue
        for path in folder.iterdir():
            if path.name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            found.append((path.stat().st_mtime, path.name, p.code, path))
    return [(code, path) for _, _, code, path in sorted(found)]


def ingest_inbox(workspace: Workspace, partner: str | None = None) -> list[Receipt]:
    """Process every waiting file; each is handled (and committed) on its own."""
    receipts = []
    for code, path in pending_files(workspace, partner):
        receipt = ingest_file(workspace, path, code)
        if receipt is not None:
            receipts.append(receipt)
    return receipts


def ingest_external(workspace: Workspace, source: Path, partner: str) -> Receipt:
    """A file named on the command line is copied into the partner's inbox, then processed."""
    known = workspace.partnership.partner(partner)
    if known is None:
        raise UsageError(f"unknown partner {partner!r}")
    if not source.is_file():
        raise UsageError(f"no such file: {source}")
    target = workspace.inbox / known.code / source.name
    if target.exists() and sha256_of(target) != sha256_of(source):
        target = target.with_name(f"{source.stem}.{uuid.uuid4().hex[:8]}{source.suffix}")
    _atomic_copy(source, target)
    receipt = ingest_file(workspace, target, known.code)
    assert receipt is not None  # we just put it there
    return receipt


def ingest_file(workspace: Workspace, path: Path, partner: str) -> Receipt | None:
    """Take one inbox file in; None if another process already did."""
    with ingest_lock(workspace):
        if not path.exists():
            return None
        sha256 = sha256_of(path)
        with warehouse.writer(workspace.warehouse_path) as con:
            earlier = warehouse.find_submission(con, sha256)
        if earlier is not None:
            receipt = _already_received(earlier, path, partner)
        else:
            receipt = _take_in(workspace, path, partner)
        write_receipts(workspace, receipt)
        path.unlink(missing_ok=True)
        return receipt


def _already_received(earlier: dict, path: Path, partner: str) -> Receipt:
    """Same bytes again (or a rerun after a crash): recorded once, receipt re-issued."""
    receipt = Receipt.from_dict(json.loads(earlier["receipt"]))
    if earlier["file_name"] != path.name or receipt.partner != partner:
        when = str(earlier["received_at"])[:19]
        receipt.note = "already_received"
        receipt.file = path.name
        receipt.warnings = receipt.warnings + [
            Problem.make("already_received", detail=f"{earlier['file_name']}, {when} UTC")
        ]
    return receipt


def _take_in(workspace: Workspace, path: Path, partner: str) -> Receipt:
    validation = validate_file(path, workspace, partner)
    receipt = validation.receipt
    receipt.received_at = warehouse.utc_now().isoformat()
    personal = any(p.code == "personal_data" for p in receipt.errors)
    archive_path = None
    if personal:
        receipt.status = "deleted"  # content never kept (SPEC §8)
    else:
        archived = workspace.archive / f"{receipt.sha256}{path.suffix.lower()}"
        if not archived.exists():
            _atomic_copy(path, archived)
        archive_path = str(archived.relative_to(workspace.root))
    with warehouse.writer(workspace.warehouse_path) as con:
        if validation.observations is not None:
            receipt.changes = warehouse.diff_counts(con, validation.observations)
        warehouse.record_submission(con, receipt, archive_path, validation.observations)
    return receipt
