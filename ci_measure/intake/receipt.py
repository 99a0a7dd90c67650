"""The receipt a partner gets for every file: accepted, or exactly which cells to fix."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ci_measure import clock
from ci_measure.errors import Problem, plural

STATUS_DA = {"accepted": "Godkendt", "rejected": "Afvist", "deleted": "Afvist og slettet"}
STATUS_EN = {"accepted": "Accepted", "rejected": "Rejected", "deleted": "Rejected and deleted"}
TEXT_LIMIT = 200  # problems shown in the text/HTML receipt; the JSON lists every one


@dataclass
class Receipt:
    status: str  # accepted | rejected (ingest also: deleted, for personal data)
    partner: str
    file: str
    sha256: str
    rows: int
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    received_at: str | None = None
    submission_id: int | None = None
    changes: dict[str, int] | None = None  # cells new / corrected / unchanged
    note: str | None = None  # e.g. "already_received"

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of SPEC §9 (`check --json`), plus what ingest adds when known."""
        data: dict[str, Any] = {
            "status": self.status,
            "partner": self.partner,
            "file": self.file,
            "sha256": self.sha256,
            "rows": self.rows,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }
        extra = {
            "received_at": clock.for_machines(self.received_at) or None,
            "submission_id": self.submission_id,
            "changes": self.changes,
            "note": self.note,
        }
        data.update({k: v for k, v in extra.items() if v is not None})
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Receipt:
        problems = {k: [Problem(**p) for p in data.get(k, [])] for k in ("errors", "warnings")}
        return cls(
            status=data["status"],
            partner=data["partner"],
            file=data["file"],
            sha256=data["sha256"],
            rows=data["rows"],
            errors=problems["errors"],
            warnings=problems["warnings"],
            received_at=data.get("received_at"),
            submission_id=data.get("submission_id"),
            changes=data.get("changes"),
            note=data.get("note"),
        )


def _where(p: Problem) -> str:
    parts = []
    if p.row is not None:
        parts.append(f"række/row {p.row}")
    if p.column:
        parts.append(f"kolonne/column »{p.column}«")
    return ", ".join(parts) or "filen/the file"


def _rows(n: int) -> str:
    """'1 række/row', '1.234 rækker/rows'."""
    return f"{plural(n, 'række', 'rækker')}/{'row' if n == 1 else 'rows'}"


JSON_HINT = ("se JSON-kvitteringen", "see the JSON receipt")
CHECK_HINT = ("kør check --json for dem alle", "run check --json for all of them")


def render_text(receipt: Receipt, more: tuple[str, str] = JSON_HINT) -> str:
    """A short receipt for a terminal or a text file: Danish first, English beside it.

    ``more``: where the problems beyond the first 200 are listed (``check`` writes no JSON
    receipt, so it says ``check --json``).
    """
    lines = [
        f"{STATUS_DA.get(receipt.status, receipt.status)} / {STATUS_EN.get(receipt.status, receipt.status)}: "
        f"{receipt.file} ({receipt.partner}, {_rows(receipt.rows)})",
    ]
    if receipt.received_at:
        lines.append(f"  Modtaget / received: {clock.for_people(receipt.received_at)}")
    if receipt.note == "already_received":
        lines.append(
            "  Filen var allerede modtaget og er ikke indlæst igen. / Already received; not loaded again."
        )
    elif receipt.changes:
        c = {k: int(receipt.changes.get(k, 0)) for k in ("new", "corrected", "unchanged")}
        lines.append(
            f"  Celler: {c['new']} nye, {c['corrected']} rettede, {c['unchanged']} uændrede"
            f" / Cells: {c['new']} new, {c['corrected']} corrected, {c['unchanged']} unchanged"
        )
    n = len(receipt.errors)
    if n:
        lines.append(f"  {n} fejl skal rettes / {n} {'error' if n == 1 else 'errors'} to fix:")
    for p in receipt.errors[:TEXT_LIMIT]:
        lines.append(f"  - [{p.code}] {_where(p)}: {p.message_da}")
        lines.append(f"    {p.message_en}")
    if n > TEXT_LIMIT:
        lines.append(
            f"  … og {n - TEXT_LIMIT} mere ({more[0]}) / … and {n - TEXT_LIMIT} more ({more[1]})"
        )
    for p in receipt.warnings[:TEXT_LIMIT]:
        lines.append(
            f"  (advarsel/warning) [{p.code}] {_where(p)}: {p.message_da} / {p.message_en}"
        )
    return "\n".join(lines) + "\n"


HTML_LIMIT = 1000  # problems in the HTML table; the JSON receipt lists every one
CSS = """body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:62rem;margin:1.5rem auto;
padding:0 1rem;color:#1f2328;line-height:1.45}h1{margin:.2rem 0 .6rem;font-size:1.7rem}
.badge{display:inline-block;padding:.25rem .8rem;border-radius:1rem;color:#fff;font-weight:600}
.accepted{background:#1a7f37}.rejected,.deleted{background:#b42318}
.en{color:#57606a;font-size:.9em;display:block}.lead{font-size:1.1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.8rem 0}dt{font-weight:600}dd{margin:0}
dt .en{display:inline;font-weight:normal;margin-left:.3rem}h2 .en{display:inline;margin-left:.5rem}
.tiles{display:flex;gap:1rem;margin:1rem 0}.tile{border:1px solid #d0d7de;border-radius:.5rem;padding:.6rem 1rem;min-width:9rem}
.tile b{font-size:1.8rem;display:block}table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem}
td,th{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.v{font-family:ui-monospace,monospace;background:#ffebe9;word-break:break-all}
.box{border-left:4px solid #0969da;background:#ddf4ff;padding:.5rem .8rem;margin:1rem 0}
footer{margin-top:1.5rem;color:#57606a;font-size:.9em}@media print{body{margin:0;max-width:none}}"""


SHOWN_VALUE = 120  # characters of a value in the HTML table


def _shown_problem(p: Problem) -> dict[str, Any]:
    value = p.value or ""
    return {
        **p.to_dict(),
        "shown": value if len(value) <= SHOWN_VALUE else value[:SHOWN_VALUE] + "…",
    }


def render_html(receipt: Receipt, returned: str | None = None) -> str:
    """A one-page receipt a partner can open in any browser: Danish, English below, no external
    assets. Rendered by ``templates/receipt.html`` with autoescape: every file name, cell value
    and message is escaped by the template engine, never by hand.

    ``returned`` is the file name of the marked workbook next to the receipt, if one was written.
    Jinja2 is imported here, not with the module: `check` prints text and never pays for it.
    """
    from markupsafe import Markup

    from ci_measure.templating import render

    status = receipt.status
    facts = [("Fil", "File", receipt.file, False), ("Partner", "Partner", receipt.partner, False)]
    facts.append(("Rækker", "Rows", f"{receipt.rows:,}".replace(",", "."), False))
    if receipt.received_at:
        facts.append(("Modtaget", "Received", clock.for_people(receipt.received_at), False))
    facts.append(("Kontrolsum", "SHA-256", receipt.sha256[:16], True))
    n = len(receipt.errors)
    changes = receipt.changes or {}
    tiles = [
        (int(changes.get(k, 0)), da, en)
        for k, da, en in (
            ("new", "nye celler", "new cells"),
            ("corrected", "rettede celler", "corrected cells"),
            ("unchanged", "uændrede celler", "unchanged cells"),
        )
    ]
    return render(
        "ci_measure.intake",
        "receipt.html",
        receipt=receipt,
        css=Markup(CSS),
        status_da=STATUS_DA.get(status, status),
        status_en=STATUS_EN.get(status, status),
        facts=facts,
        already=receipt.note == "already_received",
        tiles=tiles if receipt.changes else [],
        fix_da="fejlen" if n == 1 else f"de {n} fejl",
        fix_en="error" if n == 1 else f"{n} errors",
        returned=returned,
        errors=[_shown_problem(p) for p in receipt.errors[:HTML_LIMIT]],
        warnings=[_shown_problem(p) for p in receipt.warnings[:HTML_LIMIT]],
    )
