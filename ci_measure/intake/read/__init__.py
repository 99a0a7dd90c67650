"""Read any partner file into a :class:`RawTable`, or say in the partner's words why not.

The kind of file is decided by its first bytes, not its name: partners rename files, and
web portals save HTML tables as ".xls". Whatever the bytes, :func:`read_grid` returns the
cells as read (a :class:`Grid`) and :func:`read_table` the submission table in them, or
they raise FileProblem (unreadable_file, empty_file, file_too_large) for what the file is,
and InternalError for a bug in our own code (never blamed on the partner's file).
"""

from __future__ import annotations

import sysconfig
import zipfile
from pathlib import Path

from ci_measure.errors import FileProblem, InternalError, Problem
from ci_measure.intake.read.csv import read_csv, utf16_without_bom
from ci_measure.intake.read.limits import (
    check_file_size,
    check_zip,
    megabytes,
    native_panics_silenced,
)
from ci_measure.intake.read.table import Grid, RawTable, shape_table

__all__ = ["Grid", "RawTable", "read_grid", "read_table"]

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
SAVE_AS = "gem den som CSV eller .xlsx / save it as CSV or .xlsx"


def _unreadable(detail: str) -> FileProblem:
    return FileProblem(Problem.make("unreadable_file", detail=detail))


def _check_zip_kind(path: Path) -> str:
    """ "xlsx" (also xlsm) or "ods"; any other zip (or a damaged one) is unreadable_file."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip().startswith(ODS_MIMETYPE):
                return "ods"
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        raise _unreadable("ZIP-filen er beskadiget / the ZIP file is damaged") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:  # its sheets cannot be measured before calamine sees them
        raise _unreadable(
            f"binære Excel-projektmapper (.xlsb) læses ikke / binary workbooks (.xlsb) are not read; {SAVE_AS}"
        )
    if "word/document.xml" in names:
        raise _unreadable(
            "det er et Word-dokument, ikke et regneark / it is a Word document, not a spreadsheet"
        )
    if "mimetype" in names or "content.xml" in names:
        raise _unreadable(
            "det er et OpenDocument-dokument, men ikke et regneark / it is an OpenDocument file but not a spreadsheet"
        )
    raise _unreadable(
        "det er en ZIP-fil, ikke et regneark / it is a ZIP archive, not a spreadsheet"
    )


def _text_kind(head: bytes) -> None:
    """Refuse markup and binary content that is clearly no CSV, with a helpful detail."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"%pdf"):
        raise _unreadable(f"det er en PDF-fil / it is a PDF file; {SAVE_AS}")
    if start.startswith(b"<"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in start:
            raise _unreadable(
                f"det er et XML-regneark fra Excel 2003 / it is an Excel 2003 XML spreadsheet; {SAVE_AS}"
            )
        if any(
            tag in start for tag in (b"<html", b"<!doctype html", b"<table", b"<body", b"<head")
        ):
            raise _unreadable(
                f"det er en webside (HTML), ikke en rigtig Excel-fil / it is a web page (HTML), not a real Excel file; {SAVE_AS}"
            )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head):
        return
    controls = sum(1 for b in head[:8192] if b < 9 or 13 < b < 32 and b != 26)
    if controls > 0.05 * min(len(head), 8192):
        raise _unreadable(
            f"det er hverken tekst (CSV) eller et regneark / it is neither text (CSV) nor a spreadsheet; {SAVE_AS}"
        )


def _read(path: Path, max_bytes: int) -> Grid | None:
    size = check_file_size(path, max_bytes)
    if size == 0:
        return None
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        kind = _check_zip_kind(path)
        try:
            check_zip(path, max_bytes)
        except FileProblem:
            raise
        except Exception:
            raise _unreadable("ZIP-filen er beskadiget / the ZIP file is damaged") from None
        from ci_measure.intake.read.excel import read_workbook  # spreadsheets only

        return read_workbook(path, kind)
    if head.startswith(OLE2):
        from ci_measure.intake.read.excel import read_workbook

        return read_workbook(path, "xls")
    _text_kind(head)
    return read_csv(path.read_bytes())


def read_table(path: Path, max_bytes: int) -> RawTable:
    """Read a partner's file (CSV or spreadsheet) into a RawTable.

    Raises FileProblem when the file cannot be used: too large, empty, or not a
    CSV/spreadsheet at all (reader library failures included); InternalError for our bugs.
    """
    table = shape_table(read_grid(path, max_bytes))
    if table is None:
        raise FileProblem(Problem.make("empty_file"))
    return table


def read_grid(path: Path, max_bytes: int) -> Grid:
    """The cells of a partner's file as read (the submission sheet of a workbook).

    Raises FileProblem like :func:`read_table`; empty_file when no cell holds anything.
    """
    path = Path(path)
    try:
        with native_panics_silenced():
            grid = _read(path, max_bytes)
    except FileProblem:
        raise
    except MemoryError:
        raise FileProblem(
            Problem.make(
                "file_too_large", detail=megabytes(path.stat().st_size), limit=megabytes(max_bytes)
            )
        ) from None
    except Exception as failure:  # a reader library's error is the file's problem…
        if is_our_bug(failure):  # …but a bug in our own code is ours, never the partner's
            bug = f"{type(failure).__name__}: {failure}"
            raise InternalError(
                f"fejl i ci-measure (ikke i filen) under læsning af {path.name} ({bug}); filen"
                " er ikke afvist, og detaljerne står i logs/ci-measure.log / a bug in"
                f" ci-measure (not in the file) while reading {path.name} ({bug}); the file"
                " was not rejected, and the details are in logs/ci-measure.log"
            ) from failure
        raise _unreadable(_library_detail(failure)) from None
    except BaseException as failure:  # calamine's Rust panics (pyo3 PanicException) too
        if type(failure).__name__ != "PanicException":
            raise
        raise _unreadable(_library_detail(failure)) from None
    if grid is None:
        raise FileProblem(Problem.make("empty_file"))
    return grid


# Exceptions that say our code is wrong, not the file, when our own code raised them.
OUR_BUGS = (
    TypeError,
    AttributeError,
    KeyError,
    AssertionError,
    IndexError,
    NameError,
    ImportError,
    ZeroDivisionError,
    RecursionError,
)
_OUR_CODE = str(Path(__file__).resolve().parents[2])  # the ci_measure package
_LIBRARIES = tuple(
    str(Path(sysconfig.get_paths()[key]).resolve()) for key in ("stdlib", "purelib", "platlib")
)


def is_our_bug(failure: BaseException) -> bool:
    """True for a programming error that did not come from inside a library: raised by our
    own code (or code standing in for it). The same types raised inside a reader library or
    the standard library (zipfile's KeyError for a member a damaged zip lacks) are the
    file's problem."""
    if not isinstance(failure, OUR_BUGS):
        return False
    frame = failure.__traceback__
    if frame is None:
        return True
    while frame.tb_next is not None:
        frame = frame.tb_next
    where = str(Path(frame.tb_frame.f_code.co_filename).resolve())
    return where.startswith(_OUR_CODE) or not where.startswith(_LIBRARIES)


def _library_detail(failure: Exception) -> str:
    """Short, partner-safe words for a reader library's failure (no paths, no tracebacks)."""
    words = f"{type(failure).__name__} {failure}".lower()
    if "password" in words or "encrypt" in words:
        return "projektmappen er beskyttet med adgangskode / the workbook is password protected"
    return f"filen er beskadiget eller ikke et regneark / the file is damaged or not a spreadsheet; {SAVE_AS}"
