"""Secret upload links: one per partner, stored only as a SHA-256 hash, revocable.

``<workspace>/portal/tokens.json`` holds ``{"tokens": [{partner, sha256, created_at,
revoked_at}]}``. The token itself (``secrets.token_urlsafe(32)``, 256 bits) is printed
once by ``ci-measure partner-link P`` and never stored; a lost link is replaced by a new
one. A new link revokes the partner's previous one; revoked entries are kept with their
``revoked_at`` time (an audit trail of who could upload when). Verification hashes the
presented token and compares it with *every* stored hash in constant time.

Standard library only: `partner-link` must not import the web stack.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ci_measure import atomic
from ci_measure.config.model import Workspace
from ci_measure.errors import ConfigError, unknown_partner

PORTAL_DIR = "portal"
TOKENS_FILE = "tokens.json"
SECRET_FILE = "secret.key"
# token_urlsafe(32) gives 43 characters; anything else is refused before any hashing.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


@dataclass(frozen=True)
class Verdict:
    """The outcome of presenting a token: the partner it opens, or why not."""

    partner: str | None  # the partner's code when valid
    state: str  # "valid" | "revoked" | "unknown"
    token_hash: str = ""

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def portal_dir(workspace: Workspace | Path) -> Path:
    root = workspace.root if isinstance(workspace, Workspace) else Path(workspace)
    return root / PORTAL_DIR


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@contextmanager
def _locked(workspace: Workspace) -> Iterator[None]:
    folder = portal_dir(workspace)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".tokens.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def load_entries(workspace: Workspace | Path) -> list[dict]:
    """Every stored link (active and revoked); [] when none was ever made."""
    path = portal_dir(workspace) / TOKENS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as failure:
        raise ConfigError(
            f"{path}: cannot be read ({type(failure).__name__})", file=str(path)
        ) from None
    entries = data.get("tokens", []) if isinstance(data, dict) else []
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("sha256"), str)]


def _save(workspace: Workspace, entries: list[dict]) -> None:
    text = json.dumps({"version": 1, "tokens": entries}, ensure_ascii=False, indent=2) + "\n"
    atomic.write_text(portal_dir(workspace) / TOKENS_FILE, text, mode=0o600)  # guards upload rights


def _partner_code(workspace: Workspace, partner: str) -> str:
    known = workspace.partnership.partner(partner)
    if known is None:
        raise unknown_partner(partner, [p.code for p in workspace.partnership.partners])
    return known.code


def create_link(workspace: Workspace, partner: str) -> tuple[str, str, int]:
    """A new token for ``partner``: (token, partner code, previous links revoked)."""
    code = _partner_code(workspace, partner)
    token = secrets.token_urlsafe(32)
    with _locked(workspace):
        entries = load_entries(workspace)
        revoked = _revoke(entries, code)
        entries.append(
            {"partner": code, "sha256": hash_token(token), "created_at": _now(), "revoked_at": None}
        )
        _save(workspace, entries)
    return token, code, revoked


def _revoke(entries: list[dict], code: str) -> int:
    count = 0
    for entry in entries:
        if entry.get("partner") == code and not entry.get("revoked_at"):
            entry["revoked_at"] = _now()
            count += 1
    return count


def revoke_links(workspace: Workspace, partner: str) -> tuple[str, int]:
    """Revoke every active link of ``partner``: (partner code, how many were revoked)."""
    code = _partner_code(workspace, partner)
    with _locked(workspace):
        entries = load_entries(workspace)
        count = _revoke(entries, code)
        if count:
            _save(workspace, entries)
    return code, count


def verify(workspace: Workspace, token: str) -> Verdict:
    """Which partner a presented token opens. Constant time over all stored hashes.

    The file is read on every call, so a revocation takes effect at the next request,
    without restarting the server. A link of a partner no longer in partnership.yaml opens
    nothing.
    """
    if not isinstance(token, str) or not TOKEN_SHAPE.match(token):
        return Verdict(None, "unknown")
    presented = hash_token(token)
    found: dict | None = None
    for entry in load_entries(workspace):
        # no early exit: every stored hash is compared, matching or not
        if hmac.compare_digest(presented, str(entry["sha256"])):
            found = entry
    if found is None:
        return Verdict(None, "unknown")
    if found.get("revoked_at"):
        return Verdict(None, "revoked", presented)
    known = workspace.partnership.partner(str(found.get("partner", "")))
    if known is None:
        return Verdict(None, "unknown")
    return Verdict(known.code, "valid", presented)


def secret_key(workspace: Workspace | Path) -> bytes:
    """The server's own key for CSRF tokens, created on first use (owner-only file)."""
    path = portal_dir(workspace) / SECRET_FILE
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first (or a short one exists)
        existing = path.read_bytes()
        if len(existing) >= 32:
            return existing
        atomic.write_bytes(path, key, mode=0o600)
        return key
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    return key
