"""Size limits decided cheaply while streaming, before any reader library sees the file.

A zip's headers can lie about sizes, and calamine allocates a dense grid from a sheet's
first to its last cell (a 5 KB xlsx with cells in A1 and XFD1048576 makes it abort the
whole process). So zip members are stream-decompressed with a byte cap, and the extent of
every worksheet is measured from the XML before calamine is trusted with the file.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ci_measure.errors import FileProblem, Problem

MAX_ROWS = 1_048_576  # Excel's own row limit
MAX_COLUMNS = 16_384
MAX_CELLS = MAX_ROWS * 16  # extent (rows x columns) we let calamine materialise
UNPACK_FACTOR = 10  # unpacked size may be 10 x the file size limit (SPEC §8)
CHUNK = 1 << 20

# The reference of a cell with content, <c r="AB12" ...>...; a self-closing <c r="XFD1" s="1"/>
# is an empty styled cell, which calamine leaves out of the grid, so it is not counted.
_CELL_REF = re.compile(rb' r="([A-Z]+)([0-9]+)"[^>/]*>')
_DIMENSION = re.compile(
    rb"<(?:[\w.-]+:)?dimension\s[^>]*?ref=\"[A-Z]{0,3}[0-9]*:?[A-Z]{0,3}([0-9]+)\""
)


def megabytes(n: float) -> str:
    """'12.3 MB' with enough decimals that tiny test limits still show a non-zero figure."""
    mb = n / (1024 * 1024)
    text = f"{mb:.0f}" if mb >= 10 else f"{mb:.1f}" if mb >= 0.1 else f"{mb:.3g}"
    return f"{text} MB"


def too_large(detail: str, limit: str) -> FileProblem:
    return FileProblem(Problem.make("file_too_large", detail=detail, limit=limit))


def check_file_size(path: Path, max_bytes: int) -> int:
    """The file's size on disk; file_too_large above ``max_bytes``."""
    size = path.stat().st_size
    if size > max_bytes:
        raise too_large(megabytes(size), megabytes(max_bytes))
    return size


def _column_number(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n


class _SheetExtent:
    """Counts rows and the last filled cell of one worksheet's XML, fed in chunks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows = 0
        self.last_row = 0
        self.last_col = 0
        self.tail = b""
        self.first = True

    def feed(self, chunk: bytes) -> None:
        data = self.tail + chunk
        if self.first:
            self.first = False
            claimed = _DIMENSION.search(data[:8192])
            if claimed and int(claimed.group(1)) > MAX_ROWS:
                raise too_large(f"{int(claimed.group(1)):,} rows", f"{MAX_ROWS:,} rows")
        cut = data.rfind(b">") + 1  # only whole tags are scanned; the rest waits for more
        data, self.tail = data[:cut], data[cut:][-4096:]
        self.rows += data.count(b"<row") + data.count(b":row ") + data.count(b":row>")
        refs = _CELL_REF.findall(data)
        if refs:
            self.last_col = max(self.last_col, *map(_column_number, {c for c, _ in refs}))
            self.last_row = max(self.last_row, *map(int, {n for _, n in refs}))
        self.check()

    def check(self) -> None:
        rows = max(self.rows, self.last_row)
        if rows > MAX_ROWS:
            raise too_large(f"{rows:,} rows", f"{MAX_ROWS:,} rows")
        if self.last_row * self.last_col > MAX_CELLS:
            raise too_large(
                f"{self.last_row:,} rows x {self.last_col:,} columns",
                f"{MAX_CELLS:,} cells",
            )


_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>"
)
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="([0-9]+)"')
_COLS_REPEATED = re.compile(rb'number-columns-repeated="([0-9]+)"')


class _OdsExtent(_SheetExtent):
    """The same measure for an OpenDocument content.xml, where rows and cells can be
    repeated by attribute (LibreOffice pads sheets with a million empty repeated rows)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.row = 0  # rows before the current one, in the current table
        self.span = 1  # how often the current row repeats
        self.col = 0

    def feed(self, chunk: bytes) -> None:
        data = self.tail + chunk
        cut = data.rfind(b">") + 1
        data, self.tail = data[:cut], data[cut:][-4096:]
        for closing, kind, attrs, empty in _ODS_TAG.findall(data):
            if kind == b"table" and not closing:
                self.row = 0
            elif kind == b"table-row" and not closing:
                repeated = _ROWS_REPEATED.search(attrs)
                self.span = int(repeated.group(1)) if repeated else 1
                self.col = 0
            elif kind == b"table-row":
                self.row += self.span
                self.span = 1
            elif not closing:  # a cell
                repeated = _COLS_REPEATED.search(attrs)
                self.col += int(repeated.group(1)) if repeated else 1
                if b"value-type=" in attrs:
                    self.last_row = max(self.last_row, self.row + self.span)
                    self.last_col = max(self.last_col, self.col)
            if kind == b"table-row" and empty and not closing:
                self.row += self.span
                self.span = 1
        self.check()


def _extent_for(name: str) -> _SheetExtent | None:
    """Every XML member is measured: the workbook's relations, not the member's name, say
    where a worksheet lives, so a sheet renamed to xl/foo.xml must not slip past."""
    if name == "content.xml":
        return _OdsExtent(name)
    if name.lower().endswith((".xml", ".rels", ".vml")) or "." not in name.rsplit("/", 1)[-1]:
        return _SheetExtent(name)
    return None


def check_zip(path: Path, max_bytes: int) -> None:
    """Stream-decompress every member with a byte cap, measuring worksheet extents on the way.

    Raises file_too_large for a zip bomb or a sheet claiming too many rows, unreadable_file
    for a damaged zip. Reads at most ``UNPACK_FACTOR * max_bytes`` bytes of output.
    """
    cap = UNPACK_FACTOR * max_bytes
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        declared = sum(m.file_size for m in members)
        if declared > cap:
            raise too_large(f"{megabytes(declared)} unpacked", f"{megabytes(cap)} unpacked")
        total = 0
        for member in members:
            extent = _extent_for(member.filename)
            with archive.open(member) as stream:
                while chunk := stream.read(CHUNK):
                    total += len(chunk)
                    if total > cap:
                        raise too_large(
                            f"more than {megabytes(cap)} unpacked", f"{megabytes(cap)} unpacked"
                        )
                    if extent is not None:
                        extent.feed(chunk)


@contextmanager
def native_panics_silenced() -> Iterator[None]:
    """A reader library's Rust panic (calamine on some damaged files) is turned into
    ``unreadable_file`` by the caller, but Rust prints it, with a backtrace when RUST_BACKTRACE
    is set, straight to file descriptor 2: the user would see a traceback-like screen. So fd 2
    is captured while a file is read, and anything that is not a panic is passed on after."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all
        yield
        return
    with tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured = sink.read()
            if captured and b"panicked at" not in captured:
                os.write(2, captured)
