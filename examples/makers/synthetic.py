"""What every maker of synthetic submission files shares: seeded numbers and partners' formats.

Used by the examples' makers (``examples/makers/<example>.py``) and by the demo's
(``data/demo/make_demo_files.py``). Everything is deterministic — one seed per partnership,
fixed workbook timestamps — so running a maker again gives the same bytes, and a test
compares the committed files with what the makers write.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Iterable
from pathlib import Path

import xlsxwriter

YEARS = list(range(2019, 2026))
# A workbook records when it was made; a fixed time keeps the bytes the same on every run.
CREATED = dt.datetime(2025, 11, 3, 9, 0)
# Every example file says so in a title row above its table (ci-measure skips title rows).
SYNTHETIC = "SYNTETISKE TAL – eksempel til ci-measure, ikke virkelige tal"


def quarters(first: int, last: str = "2025-Q3") -> list[str]:
    """2022-Q1 ... 2025-Q3 (the last quarter with figures when the files were made)."""
    found = [f"{y}-Q{q}" for y in range(first, 2026) for q in range(1, 5)]
    return found[: found.index(last) + 1]


def months(first: int, last: str = "2025-09") -> list[str]:
    """2023-01 ... 2025-09 (the last month with figures when the files were made)."""
    found = [f"{y}-{m:02d}" for y in range(first, 2026) for m in range(1, 13)]
    return found[: found.index(last) + 1]


def danish(number: float, decimals: int = 0) -> str:
    """1234567.8 -> '1.234.567,8' (thousands dots, decimal comma)."""
    text = f"{number:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


class Submissions:
    """One partnership's ``submissions/`` folder and its own random numbers.

    ``title`` is the line written above every table (None: no title line, as in the demo);
    ``fresh`` empties the folder first, so a file dropped from a maker does not linger.
    """

    def __init__(
        self, out: Path, seed: int, title: str | None = SYNTHETIC, fresh: bool = True
    ) -> None:
        self.out = out
        self.rng = random.Random(seed)
        self.title = title
        if fresh and self.out.exists():
            shutil.rmtree(self.out)

    def drift(self, start: float, end: float, index: int, count: int, noise: float = 0.0) -> float:
        """A straight line from start to end with a little noise (figures move, but plausibly)."""
        value = start + (end - start) * index / max(count - 1, 1)
        return value * (1 + self.rng.uniform(-noise, noise))

    def _path(self, name: str) -> Path:
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def text(
        self,
        name: str,
        header: list[str],
        rows: Iterable[list[object]],
        sep: str = ";",
        encoding: str = "utf-8",
    ) -> None:
        """A delimited text file with Windows line ends, as spreadsheet programs export it."""
        path = self._path(name)
        lines = [sep.join(header)] + [sep.join(str(c) for c in row) for row in rows]
        if self.title is not None:
            lines.insert(0, sep.join([self.title] + [""] * (len(header) - 1)))
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))

    def workbook(
        self,
        name: str,
        titles: list[str],
        header: list[str],
        rows: Iterable[list[object]],
        author: str,
        sheet_name: str = "Indberetning",
        widths: tuple[int, int, int | None] = (26, 14, None),
    ) -> None:
        """A workbook as a person fills it: title lines, a blank row, then the table.

        A ``dt.date`` in a row is written as a real Excel date (what Excel makes of `1/4 2025`).
        ``widths``: the first column's width, the others' width, and the last column given
        that width (None: one past the header).
        """
        path = self._path(name)
        book = xlsxwriter.Workbook(str(path))
        book.set_properties({"created": CREATED, "author": author})
        sheet = book.add_worksheet(sheet_name)
        bold = book.add_format({"bold": True})
        date = book.add_format({"num_format": "dd-mm-yyyy"})
        titles = [*titles] if self.title is None else [*titles, self.title]
        for r, title in enumerate(titles):
            sheet.write(r, 0, title, bold if r == 0 else None)
        top = len(titles) + 1
        for col, text in enumerate(header):
            sheet.write(top, col, text, bold)
        for r, row in enumerate(rows, start=top + 1):
            for col, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date)
                elif value != "" and value is not None:
                    sheet.write(r, col, value)
        first, rest, last = widths
        sheet.set_column(0, 0, first)
        sheet.set_column(1, len(header) if last is None else last, rest)
        book.close()


def list_files(root: Path) -> None:
    """Print what was written, for the person who ran the maker."""
    for path in sorted(root.glob("**/submissions/*/*")):
        print(f"{path.relative_to(root)}  ({path.stat().st_size:,} bytes)")
