"""The example partnerships in ``examples/``: one ready workspace per case.

Each example is a folder ``examples/<slug>/`` with ``partnership.yaml``, an optional
``catalog.yaml`` (its own data elements and indicators), ``submissions/<PARTNER>/`` and a
README in Danish whose first line describes it. ``ci-measure init --example SLUG`` copies
it into a new workspace exactly as ``--demo`` copies the demo.

An example whose files live elsewhere holds, instead of ``partnership.yaml``, a one-line
file ``source.txt`` with the relative path of that folder (lines starting with ``#`` are
comments): ``medvind-oesterbyen`` is the demo partnership, kept once, in ``data/demo/``.
A plain text file survives every clone and checkout, which a symbolic link does not.
"""

from __future__ import annotations

import re
from pathlib import Path

from ci_measure.errors import usage_error

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_NAME = re.compile(r"^name:\s*(.+?)\s*$", re.M)


POINTER = "source.txt"


def _files(folder: Path) -> Path | None:
    """The folder holding the example's files: itself, or the one its ``source.txt`` names."""
    if (folder / "partnership.yaml").is_file():
        return folder
    pointer = folder / POINTER
    if not pointer.is_file():
        return None
    lines = pointer.read_text(encoding="utf-8").splitlines()
    target = next((line.strip() for line in lines if line.strip() and not line.startswith("#")), "")
    found = (folder / target).resolve() if target else None
    return found if found and (found / "partnership.yaml").is_file() else None


def _slugs() -> list[str]:
    if not EXAMPLES.is_dir():
        return []
    return sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir() and _files(p) is not None)


def _name(folder: Path) -> str:
    """The partnership's name, read without loading (and checking) the whole file."""
    match = _NAME.search((folder / "partnership.yaml").read_text(encoding="utf-8"))
    return match.group(1).strip("\"'") if match else folder.name


def _description(folder: Path) -> str:
    """The README's first line of text below its headings (the one-line description)."""
    readme = folder / "README.md"
    if not readme.is_file():
        return ""
    for line in readme.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip()
    return ""


def list_examples() -> list[tuple[str, str, str]]:
    """(slug, partnership name, one-line description) for every example, by slug."""
    return [(slug, _name(example_path(slug)), _description(EXAMPLES / slug)) for slug in _slugs()]


def example_path(slug: str) -> Path:
    """The folder of an example (case-insensitive slug); unknown: a UsageError naming them all."""
    known = {s.lower(): s for s in _slugs()}
    found = known.get(str(slug).strip().lower())
    if found is None:
        names = ", ".join(known.values()) or "(none)"
        raise usage_error(
            f"ukendt eksempel »{slug}«; vælg et af: {names} (se `ci-measure init --list-examples`)",
            f"unknown example {slug!r}; choose one of: {names} (see `ci-measure init --list-examples`)",
        )
    return _files(EXAMPLES / found) or EXAMPLES / found


__all__ = ["EXAMPLES", "POINTER", "example_path", "list_examples"]
