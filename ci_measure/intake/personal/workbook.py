"""CPR numbers anywhere in an .xlsx/.xlsm or .ods: every part of the zip, cells or not.

A workbook is a zip of XML parts. Cells live in the worksheets (their text often in the
shared strings); everything else a partner can type lives elsewhere: comments, page headers
and footers (in the worksheet after its cells, or in an .ods's styles.xml), the document
properties (docProps/, meta.xml), sheet and defined names, text boxes and charts. Every part
is stream-decompressed under the same byte cap as the readers' zip-bomb check; XML parts
are scanned with their context (to name the place), any other part (macros, printer
settings, pictures) as raw bytes.

Copies of cells (charts' and pivot tables' caches, table column names, the cells of an
.ods) are reported only when the number is in no cell that was judged as a cell.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ci_measure.intake.cpr import text_has_cpr
from ci_measure.intake.personal import places
from ci_measure.intake.personal.scan import Hit, raw_keys, xml_hits
from ci_measure.intake.read.limits import CHUNK, megabytes, too_large

_ATTRIBUTES = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')
_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\s([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\s([^>]*)>")
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_COMMENT_REF = re.compile(rb'\bref="([A-Z]{1,3}[0-9]+)')
_VALUE = re.compile(rb"<(?:x:)?v>([0-9]+)</(?:x:)?v>")
_ODS_SHEET = re.compile(rb'<table:table\s[^>]*?table:name="([^"]*)"')
_CELL_OPEN, _CELL_CLOSE = (b"<c ", b"<x:c "), (b"</c>", b"</x:c>")
_HEADERS = tuple(
    b"<" + kind + place for kind in (b"odd", b"even", b"first") for place in (b"Header", b"Footer")
)
_READ_FAILURES = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    ValueError,
    RuntimeError,
    OSError,
)


class Budget:
    """Bytes decompressed so far, under the readers' cap (SPEC §8: 10 x max_file_mb)."""

    def __init__(self, cap: int) -> None:
        self.cap, self.used = cap, 0

    def chunks(self, archive: zipfile.ZipFile, name: str) -> Iterator[bytes]:
        with archive.open(name) as stream:
            while chunk := stream.read(CHUNK):
                self.used += len(chunk)
                if self.used > self.cap:
                    raise too_large(
                        f"more than {megabytes(self.cap)} unpacked",
                        f"{megabytes(self.cap)} unpacked",
                    )
                yield chunk

    def read(self, archive: zipfile.ZipFile, name: str) -> bytes:
        if name not in archive.NameToInfo:
            return b""
        try:
            return b"".join(self.chunks(archive, name))
        except _READ_FAILURES:
            return b""


@dataclass(frozen=True)
class Sheet:
    name: str
    hidden: bool
    index: int


@dataclass
class Found:
    """What the scan of one file found.

    ``cells``: (sheet, row, column) -> digits, for cells judged as cells; ``places``: where
    else; ``copies``: (digits, place) for copies of cells, reported only when the digits
    are in no cell at all (:meth:`uncovered_copies`).
    """

    cells: dict[tuple[str, int, int], set[str]] = field(default_factory=dict)
    places: set[places.Place] = field(default_factory=set)
    copies: list[tuple[str, places.Place]] = field(default_factory=list)
    sheets: dict[str, Sheet] = field(default_factory=dict)  # by name

    def cell(self, sheet: str, row: int, column: int, key: str) -> None:
        self.cells.setdefault((sheet, row, column), set()).add(key)

    def uncovered_copies(self, also_seen: set[str]) -> set[places.Place]:
        seen = set(also_seen).union(*self.cells.values()) if self.cells else set(also_seen)
        return {place for key, place in self.copies if key not in seen}


def _attributes(text: bytes) -> dict[str, str]:
    found = {}
    for name, value in _ATTRIBUTES.findall(text):
        local = name.decode("utf-8", "replace").rsplit(":", 1)[-1]
        found[local] = html.unescape(value.decode("utf-8", "replace"))
    return found


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base, target))


def _column_number(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n - 1


def _last(window: bytes, needles: tuple[bytes, ...], end: int, start: int = 0) -> int:
    """The last of ``needles`` in ``window[start:end]``; the nearest 4 KB are tried first, so
    the thousands of hits in a P-number column do not each search the whole window."""
    near = max(start, end - 4096)
    found = max(window.rfind(n, near, end) for n in needles)
    if found >= 0 or near == start:
        return found
    return max(window.rfind(n, start, end) for n in needles)


def _inside(
    window: bytes, opening: tuple[bytes, ...], closing: tuple[bytes, ...], at: int, start: int = 0
) -> int:
    """Where the element holding ``at`` opens (at or after ``start``), or -1 when ``at`` is
    not inside one."""
    begin = _last(window, opening, at, start)
    if begin < 0 or any(window.find(n, begin, at) >= 0 for n in closing):
        return -1
    end = window.find(b">", begin, at)
    return -1 if end < 0 or window[end - 1 : end] == b"/" else begin


def _tag(window: bytes, at: int) -> bytes:
    """Local name of the element whose tag or text holds ``at``."""
    start = window.rfind(b"<", 0, at) + 1
    name = re.split(rb"[\s>/]", window[start : start + 80], maxsplit=1)[0]
    return name.split(b":")[-1]


class _Scan:
    """Shared by both workbook kinds: the archive, the byte budget and what was found."""

    def __init__(self, archive: zipfile.ZipFile, budget: Budget) -> None:
        self.archive, self.budget = archive, budget
        self.found = Found()
        self.names = [i.filename for i in archive.infolist() if not i.is_dir()]

    def part(self, name: str, handle: Callable[[Hit], None], count: tuple[bytes, ...] = ()) -> None:
        if name not in self.archive.NameToInfo:
            return
        try:
            for hit in xml_hits(self.budget.chunks(self.archive, name), count):
                handle(hit)
        except _READ_FAILURES:
            return  # a damaged part: nothing more can be found in it

    def raw(self, name: str) -> None:
        try:
            keys = raw_keys(b"".join(self.budget.chunks(self.archive, name)))
        except _READ_FAILURES:
            return
        self.found.copies.extend((key, places.WORKBOOK) for key in keys)

    def sheet_name(self, name: str) -> None:
        if text_has_cpr(name):
            self.found.places.add(places.SHEET_NAME)


class XlsxScan(_Scan):
    """The parts of one .xlsx/.xlsm, in the order that lets each name its places."""

    def __init__(self, archive: zipfile.ZipFile, budget: Budget) -> None:
        super().__init__(archive, budget)
        self.by_part: dict[str, Sheet] = {}  # worksheet part -> sheet
        self.owner: dict[str, str] = {}  # comments part -> its worksheet part
        self.shared: dict[int, set[str]] = {}  # shared-string index -> digits
        self.shared_part = "xl/sharedStrings.xml"  # or where the workbook's relations say

    def run(self) -> Found:
        self._workbook()
        done = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", self.shared_part}
        self.part(self.shared_part, self._shared_string, count=(b"<si>", b"<si "))
        for part in self.by_part:
            if part in self.archive.NameToInfo:
                self._worksheet(part)
                done.add(part)
        if self.shared:
            self.found.places.add(places.STORED_TEXT)  # in no cell (removed as they were met)
        for name in self.names:
            if name not in done:
                self._other(name)
        return self.found

    def _relations(self, rels: str, base: str) -> dict[str, str]:
        """Relationship id -> target part; notes where the shared strings are."""
        found = {}
        for attrs in (
            _attributes(m) for m in _RELATIONSHIP.findall(self.budget.read(self.archive, rels))
        ):
            found[attrs.get("Id", "")] = target = _target(base, attrs.get("Target", ""))
            if attrs.get("Type", "").endswith("/sharedStrings"):
                self.shared_part = target
        return found

    def _workbook(self) -> None:
        workbook = self.budget.read(self.archive, "xl/workbook.xml")
        rels = self._relations("xl/_rels/workbook.xml.rels", "xl")
        for index, attributes in enumerate(_SHEET.findall(workbook)):
            attrs = _attributes(attributes)
            sheet = Sheet(attrs.get("name", ""), attrs.get("state", "visible") != "visible", index)
            self.found.sheets[sheet.name] = sheet
            self.sheet_name(sheet.name)
            if attrs.get("id", "") in rels:
                self.by_part[rels[attrs["id"]]] = sheet
        for part in self.by_part:
            folder, file = posixpath.split(part)
            for target in self._relations(f"{folder}/_rels/{file}.rels", folder).values():
                self.owner[target] = part
        for hit in xml_hits([workbook]):
            local = _tag(hit.window, hit.position)
            self.found.places.add(places.SHEET_NAME if local == b"sheet" else places.DEFINED_NAME)

    def _shared_string(self, hit: Hit) -> None:
        self.shared.setdefault(hit.counted - 1, set()).add(hit.key)

    def _worksheet(self, part: str) -> None:
        sheet = self.by_part[part]

        def handle(hit: Hit) -> None:
            window, at = hit.window, hit.position
            start = _inside(window, _CELL_OPEN, _CELL_CLOSE, at)
            if start >= 0:
                ref = _REF.search(window, start, window.find(b">", start))
                if ref is None:
                    return
                row, column = int(ref.group(2)), _column_number(ref.group(1))
                if _inside(window, (b"<f>", b"<f "), (b"</f>",), at, start) >= 0:
                    self.found.places.add(
                        places.formula(sheet.name, sheet.hidden, sheet.index, row, column)
                    )
                else:
                    self.found.cell(sheet.name, row, column, hit.key)
            elif _last(window, _HEADERS, at) > _last(window, (b"</headerFooter>",), at):
                self.found.places.add(places.header_footer(sheet.name, sheet.hidden, sheet.index))
            else:
                self.found.places.add(places.outside_cells(sheet.name, sheet.hidden, sheet.index))

        self.part(part, handle)
        if self.shared:
            self._shared_cells(part, sheet)

    def _shared_cells(self, part: str, sheet: Sheet) -> None:
        """Cells showing a shared string that holds a CPR number (found by its index). The
        part is read a second time, under a budget of its own (it passed the first)."""
        data = Budget(self.budget.cap).read(self.archive, part)
        used: set[int] = set()
        for match in _VALUE.finditer(data):
            index = int(match.group(1))
            if index not in self.shared:
                continue
            start = _inside(data, _CELL_OPEN, _CELL_CLOSE, match.start())
            tag = data[start : data.find(b">", start)] if start >= 0 else b""
            ref = _REF.search(tag)
            if ref is None or b't="s"' not in tag:
                continue
            used.add(index)
            for key in self.shared[index]:
                self.found.cell(sheet.name, int(ref.group(2)), _column_number(ref.group(1)), key)
        for index in used:
            del self.shared[index]

    def _other(self, name: str) -> None:
        lower = name.lower()
        if not lower.endswith((".xml", ".rels", ".vml")):
            self.raw(name)
            return
        owner = self.by_part.get(self.owner.get(name, ""))
        if lower.startswith("docprops/"):
            self.part(name, lambda hit: self.found.places.add(places.PROPERTIES))
        elif "comment" in posixpath.basename(lower):
            self.part(name, lambda hit: self.found.places.add(_comment(hit, owner)))
        elif lower.startswith("xl/drawings/") and lower.endswith(".xml"):
            self.part(name, lambda hit: self.found.places.add(places.DRAWING))
        elif lower.startswith(("xl/charts/", "xl/pivotcache/", "xl/pivottables/", "xl/tables/")):
            self.part(name, lambda hit: self.found.copies.append((hit.key, places.DRAWING)))
        else:
            self.part(name, lambda hit: self.found.places.add(places.WORKBOOK))


def _comment(hit: Hit, owner: Sheet | None) -> places.Place:
    start = _last(hit.window, (b"<comment ", b"<threadedComment "), hit.position)
    ref = _COMMENT_REF.search(hit.window, start, hit.position) if start >= 0 else None
    if owner is None:
        return places.comment(None, False, 0, None)
    return places.comment(
        owner.name, owner.hidden, owner.index, ref.group(1).decode() if ref else None
    )


class OdsScan(_Scan):
    """The parts of one .ods. Its cells are judged from the grids (they carry the cell
    positions); content.xml is scanned for what is not a cell: comments (annotations),
    named ranges, sheet names and formulas."""

    def __init__(
        self, archive: zipfile.ZipFile, budget: Budget, sheets: list[Sheet], seen: set[str]
    ) -> None:
        super().__init__(archive, budget)
        self.seen = seen  # digits in the cells, as the grids showed them
        self.found.sheets = {s.name: s for s in sheets}
        for sheet in sheets:
            self.sheet_name(sheet.name)

    def run(self) -> Found:
        for name in self.names:
            lower = name.lower()
            if name == "content.xml" or lower.endswith("/content.xml"):
                self.part(name, self._content)
            elif lower.endswith("styles.xml"):
                self.part(name, self._styles)
            elif lower.endswith("meta.xml"):
                self.part(name, lambda hit: self.found.places.add(places.PROPERTIES))
            elif lower.endswith((".xml", ".rdf")):
                self.part(name, lambda hit: self.found.places.add(places.WORKBOOK))
            elif name != "mimetype":
                self.raw(name)
        return self.found

    def _sheet_before(self, window: bytes, at: int) -> Sheet | None:
        last = None
        for match in _ODS_SHEET.finditer(window, 0, at):
            last = match
        if last is None:
            return None
        return self.found.sheets.get(html.unescape(last.group(1).decode("utf-8", "replace")))

    def _content(self, hit: Hit) -> None:
        window, at = hit.window, hit.position
        local = _tag(window, at)
        if _inside(window, (b"<office:annotation",), (b"</office:annotation>",), at) >= 0:
            sheet = self._sheet_before(window, at)
            self.found.places.add(
                places.comment(sheet.name, sheet.hidden, sheet.index, None)
                if sheet
                else places.comment(None, False, 0, None)
            )
        elif local in (b"named-range", b"named-expression", b"database-range"):
            self.found.places.add(places.DEFINED_NAME)
        elif local == b"table":
            self.found.places.add(places.SHEET_NAME)
        elif hit.key not in self.seen:  # a formula, or a cell the grid did not show
            sheet = self._sheet_before(window, at)
            place = (
                places.outside_cells(sheet.name, sheet.hidden, sheet.index)
                if sheet
                else places.WORKBOOK
            )
            self.found.copies.append((hit.key, place))

    def _styles(self, hit: Hit) -> None:
        header = _last(hit.window, (b"<style:header", b"<style:footer"), hit.position)
        closed = _last(hit.window, (b"</style:header", b"</style:footer"), hit.position)
        self.found.places.add(
            places.header_footer(None, False, 0) if header > closed else places.WORKBOOK
        )
