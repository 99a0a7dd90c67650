"""A large partnership.yaml is checked once per content, not in every command (issue 19).

A national partnership (2,157 areas) takes 0.1-0.2 s to parse and check, which every
command paid, even `indicators` for one area. A file of at least ``CACHE_FROM`` bytes that
passed every check is kept as JSON in the user's cache folder under a key made of its exact
bytes, the catalog it was checked against and the checking code itself, so any change to
one of them checks the file again. A file with a mistake is never kept: its errors are
reported as always. Small files are not kept (they check in milliseconds).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path

from ci_measure import __version__
from ci_measure.config.model import Area, Assignment, Catalog, Partner, Partnership, Target

CACHE_FROM = 64 * 1024
_CODE = ("model.py", "partnership.py", "yamlsource.py", "periods.py", "checked.py")


def folder() -> Path:
    """``$XDG_CACHE_HOME/ci-measure/partnerships`` (``~/.cache/…`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ci-measure" / "partnerships"


def key(data: bytes, catalog: Catalog) -> str:
    """The file's bytes, the catalog and the checking code, hashed together."""
    digest = hashlib.sha256(data)
    digest.update(repr(catalog).encode("utf-8"))
    digest.update(__version__.encode("ascii"))
    here = Path(__file__).parent
    for name in _CODE:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def load(name: str) -> Partnership | None:
    """The partnership kept under this key, or None (none kept, or unreadable)."""
    try:
        return decode(json.loads((folder() / f"{name}.json").read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(name: str, partnership: Partnership) -> None:
    """Keep a checked partnership (quietly nothing when the cache cannot be written)."""
    from ci_measure import atomic

    record = dataclasses.asdict(partnership)
    if decode(json.loads(json.dumps(record))) != partnership:
        return  # only what comes back exactly is kept
    try:
        folder().mkdir(parents=True, exist_ok=True)
        atomic.write_text(folder() / f"{name}.json", json.dumps(record, ensure_ascii=False))
    except OSError:
        pass


def decode(record: dict) -> Partnership:
    """A partnership from its ``dataclasses.asdict`` form."""

    def assignment(r: dict) -> Assignment:
        return Assignment(*(tuple(r[k]) for k in ("data_elements", "areas", "sex", "origin")))

    return Partnership(
        **{
            **record,
            "areas": tuple(Area(**a) for a in record["areas"]),
            "partners": tuple(
                Partner(p["code"], p["name"], tuple(assignment(r) for r in p["reports"]))
                for p in record["partners"]
            ),
            "baselines": tuple(Target(**t) for t in record["baselines"]),
            "targets": tuple(Target(**t) for t in record["targets"]),
        }
    )
