"""Find CPR-like numbers in raw bytes, fast: a C-speed prefilter, then Python only where it fired.

The same rules as :mod:`ci_measure.intake.cpr`, on bytes: six digits, an optional dash,
en dash or space, four digits, not inside a longer run of digits or a decimal, the first
six a real date; and a whole XML text node of nine digits (a CPR number whose leading zero
Excel dropped). pyarrow's RE2 tells in about a millisecond per megabyte whether a block can
hold one at all; only then does Python's ``re`` (with look-arounds) find where.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ci_measure.intake.cpr import is_cpr_date

# RE2 on binary data works byte by byte (Latin-1): the en dash is spelt in UTF-8 and cp1252.
_PREFILTER = (
    r"(?:^|[^0-9.,]|[^0-9][.,])[0-9]{6}(?:[- ]|\xe2\x80\x93|\x96)?[0-9]{4}"
    r"(?:[^0-9.,]|[.,][^0-9]|[.,]$|$)|>[0-9]{9}<"
)
_HIT = re.compile(
    rb"(?<![0-9])(?<![0-9][.,])([0-9]{6})(?:[- ]|\xe2\x80\x93|\x96)?([0-9]{4})(?![0-9])(?![.,][0-9])"
    rb"|(?<=>)([0-9]{9})(?=<)"
)
# UTF-16LE text (an .xls keeps strings with letters beyond Latin-1 that way).
_PREFILTER_UTF16 = r"(?:[0-9]\x00){6}(?:[- ]\x00|\x13\x20)?(?:[0-9]\x00){4}"
_HIT_TEXT = re.compile(r"(?<!\d)(?<!\d[.,])(\d{6})[-– ]?(\d{4})(?!\d)(?![.,]\d)")

WINDOW = 256 * 1024  # bytes kept before a block, to see which element a hit sits in
LONG_TEXT = 64 * 1024  # a block is cut at its last '>' unless that leaves more than this


@dataclass(frozen=True)
class Hit:
    """A CPR-like number: its digits (never shown) and where it is in ``window``.

    ``counted``: how many times the stream's counted tag (if any) occurs before the hit,
    e.g. ``<si>`` in the shared strings, which makes the hit's string index.
    """

    key: str
    window: bytes
    position: int
    counted: int = 0


def _binary(data: bytes) -> pa.Array:
    """``data`` as a one-element Arrow array, without copying it (a 40 MB CSV would cost
    more to copy than to search)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    return pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])


def _matches(data: bytes, pattern: str) -> bool:
    return bool(data) and bool(pc.match_substring_regex(_binary(data), pattern)[0].as_py())


def might_hold(data: bytes) -> bool:
    """False when ``data`` certainly holds no CPR-like number (the cheap test)."""
    return _matches(data, _PREFILTER)


def _key(match: re.Match[bytes]) -> str | None:
    if match.group(3) is not None:
        nine = match.group(3).decode()
        return nine if is_cpr_date("0" + nine[:5]) else None
    six = match.group(1).decode()
    return six + match.group(2).decode() if is_cpr_date(six) else None


def hits_in(window: bytes, start: int = 0) -> Iterator[Hit]:
    """Every CPR-like number in ``window[start:]`` (look-behinds may see earlier bytes)."""
    for match in _HIT.finditer(window, start):
        key = _key(match)
        if key is not None:
            yield Hit(key, window, match.start())


class _Stream:
    """State of :func:`xml_hits` between blocks."""

    def __init__(self, count: tuple[bytes, ...]) -> None:
        self.before = b""
        self.count = count
        self.counted = 0

    def block(self, data: bytes) -> Iterator[Hit]:
        counted, last = self.counted, 0
        if might_hold(self.before[-16:] + data):
            for hit in hits_in(self.before + data, len(self.before)):
                at = hit.position - len(self.before)
                counted += sum(data.count(tag, last, at) for tag in self.count)
                last = at
                yield Hit(hit.key, hit.window, hit.position, counted)
        self.counted = counted + sum(data.count(tag, last) for tag in self.count)
        self.before = (self.before + data)[-WINDOW:]


def xml_hits(chunks: Iterable[bytes], count: tuple[bytes, ...] = ()) -> Iterator[Hit]:
    """Hits in a stream of XML, with up to WINDOW bytes before each to tell its context.

    Blocks end at a '>' so no number is cut in two; a block is scanned in Python only when
    the prefilter fires on it. Each hit carries how often the tags in ``count`` occurred
    before it in the whole stream.
    """
    stream, tail = _Stream(count), b""
    for chunk in chunks:
        data = tail + chunk
        cut = data.rfind(b">") + 1
        if len(data) - cut > LONG_TEXT:
            cut = len(data) - 32
        data, tail = data[:cut], data[cut:]
        yield from stream.block(data)
    yield from stream.block(tail)


def text_keys(text: str) -> Iterator[tuple[int, str]]:
    """(offset, digits) of every CPR number written in ``text`` (10 digits, any separator)."""
    for match in _HIT_TEXT.finditer(text):
        if is_cpr_date(match.group(1)):
            yield match.start(), match.group(1) + match.group(2)


def raw_keys(data: bytes) -> set[str]:
    """Digits of the CPR numbers anywhere in binary data read as Latin-1/cp1252 text and as
    UTF-16LE text at either byte alignment (how an .xls or other binary part keeps text)."""
    keys: set[str] = set()
    if might_hold(data):
        keys.update(key for _, key in text_keys(data.decode("latin-1")))
    if _matches(data, _PREFILTER_UTF16):
        for start in (0, 1):
            text = data[start : len(data) - (len(data) - start) % 2].decode(
                "utf-16-le", errors="replace"
            )
            keys.update(key for _, key in text_keys(text))
    return keys
