"""What a partner's page shows, as pure functions over data already read.

The app reads (the status, the audit trail, the outbox listing) and hands the results here;
everything below is plain data in, plain data out, so each fact is tested without a server
or a warehouse. A partner's facts never include another partner's rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ci_measure import clock
from ci_measure.config.model import Catalog, Partnership
from ci_measure.intake.receipt import Receipt

# <stem>.<sha8>.json | .txt | .marked.xlsx — the receipts ingest writes (ingest.receipt_stem)
OUTBOX_NAME = re.compile(r"^(?P<stem>[^/\\]+\.[0-9a-f]{8})\.(?P<kind>json|txt|marked\.xlsx)$")
# what the page offers for download beside a receipt, in this order
DOWNLOADS = (
    ("marked", ".marked.xlsx"),
    ("receipt_json", ".json"),
    ("receipt_txt", ".txt"),
)
FILE_STATES = ("accepted", "rejected", "deleted")


@dataclass(frozen=True)
class OutboxFile:
    """One file of the partner's outbox, as listed: its name and modification time."""

    name: str
    path: Path
    mtime_ns: int


@dataclass
class ReceiptChoice:
    """The receipt a page shows: the outbox name stem and what may be downloaded with it."""

    stem: str | None = None
    path: Path | None = None
    downloads: dict[str, str] = field(default_factory=dict)


def outbox_files(folder: Path) -> dict[str, OutboxFile]:
    """The receipt-shaped files of one partner's outbox (no dot files, no links)."""
    if not folder.is_dir():
        return {}
    found = {}
    for p in folder.iterdir():
        if p.name.startswith(".") or not OUTBOX_NAME.match(p.name):
            continue
        if p.is_symlink() or not p.is_file():
            continue
        found[p.name] = OutboxFile(p.name, p, p.stat().st_mtime_ns)
    return found


def choose_receipt(listing: dict[str, OutboxFile], wanted: str | None) -> ReceiptChoice:
    """The receipt asked for (``?receipt=<stem>``) if it is in this outbox, else the latest.

    A name that is not in the partner's own listing is ignored: the listing is the only way
    from a URL to a file.
    """
    chosen = listing.get(f"{wanted}.json") if wanted else None
    if chosen is None:
        jsons = [f for n, f in listing.items() if n.endswith(".json")]
        chosen = max(jsons, key=lambda f: (f.mtime_ns, f.name)) if jsons else None
    if chosen is None:
        return ReceiptChoice()
    stem = chosen.name[: -len(".json")]
    downloads = {
        kind: f"{stem}{suffix}" for kind, suffix in DOWNLOADS if f"{stem}{suffix}" in listing
    }
    return ReceiptChoice(stem, chosen.path, downloads)


def load_receipt(path: Path | None) -> Receipt | None:
    """A receipt JSON from the outbox; None when it is unreadable (the page shows none)."""
    if path is None:
        return None
    try:
        return Receipt.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def due_rows(
    cells: pd.DataFrame, partner: str, catalog: Catalog, partnership: Partnership
) -> list[dict]:
    """The partner's open deliveries (every state but ``delivered``), with the names people
    read beside the codes."""
    names = {a.code: a.name for a in partnership.areas}
    due = []
    for row in cells.to_dict("records"):
        if row["partner"] != partner or row["state"] == "delivered":
            continue
        element = catalog.data_elements.get(row["data_element"])
        due.append(
            {
                **row,
                "element": row["data_element"],
                "element_label": element.label_da if element else "",
                "area_name": names.get(row["area"], ""),
            }
        )
    return due


def history_rows(
    submissions: pd.DataFrame | None,
    partner: str,
    stems: dict[tuple[str, str], str],
    listing: dict[str, OutboxFile],
) -> list[dict]:
    """The partner's own submissions, newest first, with the time in Danish time and a link
    stem only where its receipt is in the outbox. ``stems``: (file name, sha256) → stem."""
    if submissions is None or submissions.empty:
        return []
    mine = submissions[submissions["partner"] == partner]
    rows = []
    for row in reversed(mine.to_dict("records")):
        stem = stems.get((row["file_name"], row["sha256"]))
        rows.append(
            {
                "received": clock.for_people(_instant(row["received_at"])),
                "file": row["file_name"],
                "status": row["status"],
                "rows": row["rows"],
                "stem": stem if stem and f"{stem}.json" in listing else None,
            }
        )
    return rows


def _instant(value: object) -> object:
    """A warehouse timestamp (naive UTC, maybe a pandas Timestamp) or None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return pd.Timestamp(value).to_pydatetime() if not isinstance(value, str) else value


def counts(summary: pd.DataFrame) -> dict:
    """The partner's one summary row of ``status`` as a dict ({} when there is none)."""
    return summary.iloc[0].to_dict() if len(summary) else {}
