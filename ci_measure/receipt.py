"""The receipt a partner gets for every file: accepted, or exactly which cells to fix."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from ci_measure.errors import Problem

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
            "received_at": self.received_at,
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


def render_text(receipt: Receipt) -> str:
    """A short receipt for a terminal or a text file: Danish first, English beside it."""
    lines = [
        f"{STATUS_DA.get(receipt.status, receipt.status)} / {STATUS_EN.get(receipt.status, receipt.status)}: "
        f"{receipt.file} ({receipt.partner}, {receipt.rows} rækker/rows)",
    ]
    if receipt.note == "already_received":
        lines.append("  Filen var allerede modtaget og er ikke indlæst igen. / Already received; not loaded again.")
    if receipt.changes:
        c = receipt.changes
        lines.append(
            f"  Celler: {c.get('new', 0)} nye, {c.get('corrected', 0)} rettede, {c.get('unchanged', 0)} uændrede"
            f" / Cells: {c.get('new', 0)} new, {c.get('corrected', 0)} corrected, {c.get('unchanged', 0)} unchanged"
        )
    if receipt.errors:
        lines.append(f"  {len(receipt.errors)} fejl skal rettes / {len(receipt.errors)} errors to fix:")
    for p in receipt.errors[:TEXT_LIMIT]:
        lines.append(f"  - [{p.code}] {_where(p)}: {p.message_da}")
        lines.append(f"    {p.message_en}")
    if len(receipt.errors) > TEXT_LIMIT:
        lines.append(f"  … og {len(receipt.errors) - TEXT_LIMIT} mere (se JSON-kvitteringen) / … and more (see the JSON receipt)")
    for p in receipt.warnings[:TEXT_LIMIT]:
        lines.append(f"  (advarsel/warning) [{p.code}] {_where(p)}: {p.message_da} / {p.message_en}")
    return "\n".join(lines) + "\n"


def render_html(receipt: Receipt) -> str:
    """A one-page receipt a partner can open in any browser (no external assets)."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{'' if p.row is None else p.row}</td><td>{e(p.column or '')}</td>"
        f"<td>{e(p.value or '')}</td><td><code>{e(p.code)}</code></td>"
        f"<td>{e(p.message_da)}<br><small lang='en'>{e(p.message_en)}</small></td></tr>"
        for p in receipt.errors[:TEXT_LIMIT]
    )
    changes = ""
    if receipt.changes:
        c = receipt.changes
        changes = (
            f"<p>Celler: {c.get('new', 0)} nye, {c.get('corrected', 0)} rettede, {c.get('unchanged', 0)} uændrede."
            f"<br><small lang='en'>Cells: {c.get('new', 0)} new, {c.get('corrected', 0)} corrected,"
            f" {c.get('unchanged', 0)} unchanged.</small></p>"
        )
    table = (
        "<table><thead><tr><th>Række<br><small>Row</small></th><th>Kolonne<br><small>Column</small></th>"
        "<th>Værdi<br><small>Value</small></th><th>Kode<br><small>Code</small></th>"
        f"<th>Sådan retter du<br><small>How to fix</small></th></tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    status = receipt.status
    return f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kvittering: {e(receipt.file)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem;color:#222}}
.accepted{{color:#1a7f37}}.rejected,.deleted{{color:#b42318}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}}small{{color:#555}}</style>
</head><body>
<h1 class="{e(status)}">{e(STATUS_DA.get(status, status))} <small lang="en">{e(STATUS_EN.get(status, status))}</small></h1>
<p>Fil / file: <strong>{e(receipt.file)}</strong> · Partner: {e(receipt.partner)} · {receipt.rows} rækker / rows
· SHA-256 <code>{e(receipt.sha256[:12])}…</code></p>
{changes}{table}
</body></html>
"""
