"""The inbox, file by file: which files are complete, and reading each exactly once, safely.

* **Complete files only.** A file is taken when nothing about it (content, size, times) has
  changed for ``CI_MEASURE_SETTLE_S`` seconds (default 3): a copy over a network share or a
  slow export is not taken half-written. Files named on the command line are complete.
* **Read once, through one handle, never through a link.** The file is opened with
  ``O_NOFOLLOW`` (a symbolic link swapped in after the listing is refused, not followed) and
  copied, while hashed, into a private snapshot under ``<workspace>/.snapshots/``; validation,
  archive and receipts work from the snapshot. If the file changed while it was read, the
  snapshot is dropped and the file left for the next round, untouched.
* **Removed only if unchanged.** The inbox file is removed at the end only when it is still
  the same file (device, inode, size, modification time) with the same SHA-256; a newer
  version written meanwhile stays for the next round.
* **Private by default.** Everything ci-measure writes under the workspace is 0600 in 0700
  folders, whatever the umask (:func:`private_umask`, :func:`secure`).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ci_measure.atomic import make_folder, private_umask  # noqa: F401 (re-exported)
from ci_measure.config.model import Workspace

SETTLE_S = 3.0  # seconds a file must stay unchanged before it is taken from the inbox
SNAPSHOTS = ".snapshots"
CHUNK = 1 << 20
# Folders under the workspace holding partners' data or unpublished figures.
PRIVATE_FOLDERS = ("archive", "outbox", "reports", "dagster", "portal", SNAPSHOTS)


def settle_seconds() -> float:
    """``CI_MEASURE_SETTLE_S`` (tests set 0), else SETTLE_S."""
    try:
        return max(0.0, float(os.environ.get("CI_MEASURE_SETTLE_S", SETTLE_S)))
    except ValueError:
        return SETTLE_S


def settled(info: os.stat_result, settle: float, now: float | None = None) -> bool:
    """Nothing changed for ``settle`` seconds: neither content (mtime) nor size or times
    (ctime: a copy that sets the original's modification time at the end changes ctime)."""
    now = time.time() if now is None else now
    return now - max(info.st_mtime, info.st_ctime) >= settle


def listed(
    workspace: Workspace, partner: str | None = None
) -> Iterator[tuple[str, Path, os.stat_result]]:
    """(partner code, path, lstat) of every regular, non-hidden file in the partners' inboxes.

    Dot files (our own temporary files, editors' lock files) and symbolic links are never
    submissions, and a partner folder that is a link to outside the inbox is not read:
    ingest moves files out of the inbox, and must never move (delete) anything elsewhere.
    """
    inbox = workspace.inbox.resolve()
    for p in workspace.partnership.partners:
        if partner and p.code.upper() != partner.upper():
            continue
        folder = workspace.inbox / p.code
        if not folder.is_dir() or not folder.resolve().is_relative_to(inbox):
            continue
        for path in folder.iterdir():
            if path.name.startswith("."):
                continue
            try:
                info = path.lstat()
            except FileNotFoundError:
                continue
            if stat.S_ISREG(info.st_mode):
                yield p.code, path, info


@dataclass(frozen=True)
class Identity:
    """What must not change between reading a file and removing it."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, info: os.stat_result) -> Identity:
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


@dataclass(frozen=True)
class Snapshot:
    """A private copy of an inbox file, read through one handle; ``copy`` keeps its name."""

    original: Path
    copy: Path
    identity: Identity
    sha256: str


def _open(path: Path) -> int | None:
    """A read handle on ``path`` itself, never on what a link points to; None if gone or
    not a regular file (a link, a folder, a FIFO swapped in after the listing)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags)
    except OSError as failure:
        if failure.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR, errno.ENXIO, errno.EISDIR):
            return None
        raise
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        return None
    os.set_blocking(handle, True)
    return handle


def snapshot(workspace: Workspace, path: Path) -> Snapshot | None:
    """Copy the inbox file at ``path`` into a private snapshot while hashing it.

    None when the file is gone, is not a regular file (a link swapped in after listing), or
    changed while it was read (it is then left for the next round, untouched).
    """
    handle = _open(path)
    if handle is None:
        return None
    folder = make_folder(workspace.root / SNAPSHOTS / uuid.uuid4().hex)
    copy = folder / path.name
    digest = hashlib.sha256()
    try:
        with os.fdopen(handle, "rb") as source:
            before = Identity.of(os.fstat(source.fileno()))
            target = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(target, "wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
            after = Identity.of(os.fstat(source.fileno()))
        now = Identity.of(path.lstat())
    except FileNotFoundError:
        now = None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if now is None or not before == after == now or after.size != copy.stat().st_size:
        shutil.rmtree(folder, ignore_errors=True)  # changed while read: next round
        return None
    return Snapshot(path, copy, before, digest.hexdigest())


def discard(taken: Snapshot) -> None:
    shutil.rmtree(taken.copy.parent, ignore_errors=True)


def clear_snapshots(workspace: Workspace) -> None:
    """Remove the snapshots a crashed ingest left (the caller holds the ingest lock)."""
    folder = workspace.root / SNAPSHOTS
    if folder.is_dir():
        for left in folder.iterdir():
            shutil.rmtree(left, ignore_errors=True)


def unchanged(taken: Snapshot) -> bool:
    """The inbox file is still the one that was read: same identity, same SHA-256."""
    try:
        if Identity.of(taken.original.lstat()) != taken.identity:
            return False
    except FileNotFoundError:
        return False
    handle = _open(taken.original)
    if handle is None:
        return False
    digest = hashlib.sha256()
    with os.fdopen(handle, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest() == taken.sha256


def sha256_no_follow(path: Path) -> str | None:
    """The SHA-256 of an inbox file, read without following a link; None if it is not one."""
    handle = _open(path)
    if handle is None:
        return None
    digest = hashlib.sha256()
    with os.fdopen(handle, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def secure(workspace: Workspace) -> None:
    """Make the workspace's private folders 0700 and the warehouse 0600 (a workspace made by
    an earlier version, or under a permissive umask, is closed on its next ingest)."""
    root = workspace.root
    for name in PRIVATE_FOLDERS:
        folder = root / name
        if folder.is_dir() and not folder.is_symlink():
            _chmod(folder, 0o700)
    for path in root.glob(f"{workspace.warehouse_path.name}*"):
        if path.is_file() and not path.is_symlink():
            _chmod(path, 0o600)


def _chmod(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except OSError:
        pass  # not ours to change (another owner): nothing to do here
