"""An upload streamed straight into the partner's inbox, size-capped while it arrives.

The request body is parsed as it streams (python-multipart's push parser): the file part
goes to ``inbox/<partner>/.upload-<random>.tmp`` (dot-prefixed, so neither the inbox scan
nor the Dagster sensor sees it), and the upload is refused the moment it passes the
workspace's ``max_file_mb`` (SPEC §8): a 2 GB upload costs at most ``max_file_mb`` of disk
for a moment and is never stored. A declared ``Content-Length`` above the limit is refused
before a single byte is read. Only a complete upload is given its final, sanitised name
(a hard link, which never replaces an existing file) and handed to ``ingest_file``, which
holds the ingest lock and recognises the SHA-256, so the file is taken in exactly once
whether the portal or the sensor gets there first.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ci_measure.config.model import Workspace
from ci_measure.intake.cpr import mask
from ci_measure.intake.ingest import ingest_file
from ci_measure.intake.receipt import Receipt

OVERHEAD = 64 * 1024  # multipart boundaries, headers and the small form fields
MAX_FIELD = 4096  # bytes of a non-file field (the CSRF token, the language)
MAX_PARTS = 8
TEMP_PREFIX = ".upload-"
_TRANSLIT = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "å": "aa", "Å": "Aa"})


class UploadRefused(Exception):
    """The upload cannot be taken: ``status`` is the HTTP status, ``reason`` a page key."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Received:
    """A complete upload waiting under its temporary name."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    temp: Path | None = None
    size: int = 0
    sha256: str = ""

    def discard(self) -> None:
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)
            self.temp = None


def safe_name(name: str | None) -> str:
    """A file name that is safe anywhere: no folders, no leading dot, ASCII letters,
    digits, ``._-``; Danish letters spelled out (``skoleår.xlsx`` → ``skoleaar.xlsx``)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name).translate(_TRANSLIT)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    name = re.sub(r"\.{2,}", ".", name).strip("._-")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.strip("._-")[:80] or "upload"
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix)[:10]
    return f"{stem}.{suffix}" if suffix else stem


def _disposition(value: bytes) -> tuple[str | None, str | None]:
    """(field name, file name or None) of a Content-Disposition part header."""
    _, options = parse_options_header(value)

    def text(key: bytes) -> str | None:
        raw = options.get(key)
        return None if raw is None else raw.decode("utf-8", "replace")

    return text(b"name"), text(b"filename")


async def receive_upload(
    request: Request,
    folder: Path,
    max_bytes: int,
    before_file: Callable[[dict[str, str]], None] | None = None,
) -> Received:
    """Stream a multipart/form-data body; the one file part goes to a temporary inbox file.

    ``before_file(fields)`` sees the form fields sent before the file (a browser sends them
    in page order: the CSRF field comes first) and may raise UploadRefused, so a forged
    upload is refused before a byte of its file is written.
    """
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise UploadRefused(400, "bad_request")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise UploadRefused(400, "bad_request")
        if int(declared) > max_bytes + OVERHEAD:
            raise UploadRefused(413, "too_large")  # refused before reading a byte

    received = Received()
    digest = hashlib.sha256()
    part: dict = {}
    state = {"parts": 0, "handle": None, "complete": False}

    def on_part_begin() -> None:
        part.clear()
        part.update(headers={}, header=b"", value=b"", data=bytearray(), file=False)
        state["parts"] += 1
        if state["parts"] > MAX_PARTS:
            raise UploadRefused(400, "bad_request")

    def on_header_field(data: bytes, start: int, end: int) -> None:
        part["header"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        part["value"] += data[start:end]

    def on_header_end() -> None:
        part["headers"][part["header"].lower()] = part["value"]
        part["header"], part["value"] = b"", b""

    def on_headers_finished() -> None:
        name, filename = _disposition(part["headers"].get(b"content-disposition", b""))
        part["name"] = name
        if filename is None:
            return
        if name != "file" or received.temp is not None:
            raise UploadRefused(400, "bad_request")  # exactly one file, in the field "file"
        if before_file is not None:
            before_file(received.fields)
        part["file"] = True
        received.filename = filename
        temp = folder / f"{TEMP_PREFIX}{uuid.uuid4().hex}.tmp"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        received.temp = temp
        state["handle"] = os.fdopen(fd, "wb")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if part.get("file"):
            received.size += len(chunk)
            if received.size > max_bytes:
                raise UploadRefused(413, "too_large")
            digest.update(chunk)
            state["handle"].write(chunk)
        else:
            part["data"] += chunk
            if len(part["data"]) > MAX_FIELD:
                raise UploadRefused(400, "bad_request")

    def on_part_end() -> None:
        if part.get("file"):
            state["complete"] = True
        elif part.get("name"):
            received.fields[part["name"]] = part["data"].decode("utf-8", "replace")

    callbacks = {
        "on_part_begin": on_part_begin,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_headers_finished": on_headers_finished,
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    total = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        async for chunk in request.stream():
            total += len(chunk)
            if total > max_bytes + OVERHEAD:
                raise UploadRefused(413, "too_large")
            if chunk:
                parser.write(chunk)
        parser.finalize()
        if received.temp is not None and not state["complete"]:
            raise UploadRefused(400, "bad_request")  # the body ended inside the file
        handle = state["handle"]
        if handle is not None:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            state["handle"] = None
    except UploadRefused:
        _cleanup(state, received)
        raise
    except Exception:  # a malformed body or a client that went away: nothing stays behind
        _cleanup(state, received)
        raise UploadRefused(400, "bad_request") from None
    received.sha256 = digest.hexdigest()
    return received


def _cleanup(state: dict, received: Received) -> None:
    handle = state.get("handle")
    if handle is not None:
        handle.close()
        state["handle"] = None
    received.discard()


def store(received: Received, folder: Path) -> Path:
    """Give the complete upload its final inbox name, never replacing another file."""
    assert received.temp is not None
    name = safe_name(mask(received.filename or ""))  # a CPR number in the name is never kept
    stem, suffix = (name.rsplit(".", 1) + [""])[:2] if "." in name else (name, "")
    candidate = folder / name
    while True:
        try:
            os.link(received.temp, candidate)  # atomic, and fails rather than overwrite
            break
        except FileExistsError:
            unique = f"{stem}-{uuid.uuid4().hex[:6]}"
            candidate = folder / (f"{unique}.{suffix}" if suffix else unique)
    received.discard()
    return candidate


def outbox_stem(file_name: str, sha256: str) -> str:
    """The name ingest gives a file's receipts in the outbox, without the extension."""
    from ci_measure.intake.ingest import receipt_stem

    return receipt_stem(Receipt("", "", file_name, sha256, 0))


def take_in(workspace: Workspace, path: Path, partner: str, sha256: str) -> Receipt | None:
    """Ingest the stored upload now; if the sensor got it first, its receipt from the outbox."""
    receipt = ingest_file(workspace, path, partner)
    if receipt is not None:
        return receipt
    wanted = workspace.outbox / partner / f"{outbox_stem(path.name, sha256)}.json"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if wanted.is_file():
            return Receipt.from_dict(json.loads(wanted.read_text(encoding="utf-8")))
        time.sleep(0.2)
    return None
