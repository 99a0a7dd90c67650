"""The one way files are written: beside the target under a unique dot name, fsync, rename.

A reader (a partner's browser, the portal, a notebook, another process writing the same
folder) never sees a half-written file, and two writers of the same target never share a
temporary file: each has its own, and the last rename wins whole. Dot-named temporaries are
never taken for submissions, receipts or archived files, so a crash leaves nothing that is
read. ``mode`` sets the permissions of the new file: by default 0600 (partners' files,
receipts and unpublished figures are for the backbone's eyes only, whatever the umask);
missing folders are made 0700. Pass ``mode=PUBLIC`` for a file meant to be read by others.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ci_measure import faults

PRIVATE = 0o600
PUBLIC = 0o644


def temporary(target: Path) -> Path:
    """A unique dot-named sibling of ``target`` (name kept under 255 bytes)."""
    return target.with_name(f".{target.name[:100]}.{uuid.uuid4().hex}.tmp")


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


@contextmanager
def replacing(target: Path, mode: int | None = None, fault: str | None = None) -> Iterator[Path]:
    """Yield a temporary path to write ``target`` through (any writer: Parquet, xlsx, …);
    on success it is synced and renamed onto ``target``, on failure removed."""
    target = Path(target)
    make_folder(target.parent)
    path = temporary(target)
    mode = PRIVATE if mode is None else mode
    # Created here, with its permissions, before any byte is written: a writer that opens
    # the path again empties it and keeps them, so a private file is never readable. The
    # umask may only take bits away: a public file gets its mode explicitly.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
    if mode & ~PRIVATE:
        os.chmod(path, mode)
    try:
        yield path
        _fsync(path)
        if fault:
            faults.point(fault)
        os.replace(path, target)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def make_folder(folder: Path) -> Path:
    """``folder`` and its missing parents, each new one 0700 (existing ones are left as they are)."""
    missing = []
    for parent in [Path(folder), *Path(folder).parents]:
        if parent.is_dir():
            break
        missing.append(parent)
    for parent in reversed(missing):
        try:
            parent.mkdir(mode=0o700)
        except FileExistsError:
            pass
    return Path(folder)


@contextmanager
def private_umask() -> Iterator[None]:
    """New files 0600 and folders 0700 while inside (DuckDB's files, logs, Dagster's)."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def write_bytes(
    target: Path, data: bytes, mode: int | None = None, fault: str | None = None
) -> None:
    with replacing(target, mode, fault) as path:
        path.write_bytes(data)


def write_text(target: Path, text: str, mode: int | None = None, fault: str | None = None) -> None:
    write_bytes(target, text.encode("utf-8"), mode, fault)


def copy_file(
    source: Path, target: Path, mode: int | None = None, fault: str | None = None
) -> None:
    with replacing(target, mode, fault) as path:
        shutil.copyfile(source, path)
