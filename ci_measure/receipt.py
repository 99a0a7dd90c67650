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
        lines.append(
            "  Filen var allerede modtaget og er ikke indlæst igen. / Already received; not loaded again."
        )
    if receipt.changes:
        c = receipt.changes
        lines.append(
            f"  Celler: {c.get('new', 0)} nye, {c.get('corrected', 0)} rettede, {c.get('unchanged', 0)} uændrede"
            f" / Cells: {c.get('new', 0)} new, {c.get('corrected', 0)} corrected, {c.get('unchanged', 0)} unchanged"
        )
    if receipt.errors:
        lines.append(
            f"  {len(receipt.errors)} fejl skal rettes / {len(receipt.errors)} errors to fix:"
        )
    for p in receipt.errors[:TEXT_LIMIT]:
        lines.append(f"  - [{p.code}] {_where(p)}: {p.message_da}")
        lines.append(f"    {p.message_en}")
    if len(receipt.errors) > TEXT_LIMIT:
        lines.append(
            f"  … og {len(receipt.errors) - TEXT_LIMIT} mere (se JSON-kvitteringen) / … and more (see the JSON receipt)"
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


def _both(da: str, en: str, tag: str = "p", cls: str = "") -> str:
    """Danish text with its English translation below (both already escaped)."""
    klass = f' class="{cls}"' if cls else ""
    return f'<{tag}{klass}>{da}<span class="en" lang="en">{en}</span></{tag}>'


def _local_time(received_at: str | None) -> str:
    """The receipt time in Danish time (the warehouse clock is UTC); UTC if no time zone data."""
    if not received_at:
        return ""
    import datetime as dt

    try:
        instant = dt.datetime.fromisoformat(received_at).replace(tzinfo=dt.UTC)
    except ValueError:
        return received_at
    try:
        from zoneinfo import ZoneInfo

        return instant.astimezone(ZoneInfo("Europe/Copenhagen")).strftime(
            "%d-%m-%Y kl. %H:%M (dansk tid)"
        )
    except Exception:  # no tz database on this machine
        return instant.strftime("%d-%m-%Y %H:%M UTC")


def _problem_table(problems: list[Problem], warning: bool = False) -> str:
    e = html.escape
    rows = []
    for p in problems[:HTML_LIMIT]:
        value = p.value if p.value is None or len(p.value) <= 120 else p.value[:120] + "…"
        rows.append(
            f"<tr><td>{'–' if p.row is None else p.row}</td>"
            f"<td>{e(p.column) if p.column else '<i>hele filen</i><span class=en>whole file</span>'}</td>"
            f'<td class="{"" if warning else "v"}">{e(value or "")}</td>'
            f'<td>{e(p.message_da)}<span class="en" lang="en">{e(p.message_en)}</span></td>'
            f"<td><code>{e(p.code)}</code></td></tr>"
        )
    more = ""
    if len(problems) > HTML_LIMIT:
        n = len(problems) - HTML_LIMIT
        more = _both(
            f"… og {n} mere (se JSON-kvitteringen).", f"… and {n} more (see the JSON receipt)."
        )
    head = (
        "<tr><th>Række<span class=en>Row</span></th><th>Kolonne<span class=en>Column</span></th>"
        "<th>Værdi<span class=en>Value</span></th><th>Sådan retter du<span class=en>How to fix</span></th>"
        "<th>Kode<span class=en>Code</span></th></tr>"
    )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _outcome(receipt: Receipt, returned: str | None) -> str:
    """What happened, and what the partner does now."""
    e = html.escape
    n = len(receipt.errors)
    if receipt.status == "accepted":
        parts = [
            _both(
                "Tak! Filen er godkendt, og tallene er gemt.",
                "Thank you! The file was accepted and its figures stored.",
                cls="lead",
            )
        ]
        if receipt.note == "already_received":
            parts.append(
                _both(
                    "Præcis denne fil var allerede modtaget, så intet er ændret.",
                    "Exactly this file had already been received, so nothing changed.",
                    cls="box",
                )
            )
        if receipt.changes:
            c = receipt.changes
            tiles = [
                ("new", "nye celler", "new cells"),
                ("corrected", "rettede celler", "corrected cells"),
                ("unchanged", "uændrede celler", "unchanged cells"),
            ]
            parts.append(
                '<div class="tiles">'
                + "".join(
                    f'<div class="tile"><b>{int(c.get(k, 0))}</b>{da}<span class="en">{en}</span></div>'
                    for k, da, en in tiles
                )
                + "</div>"
            )
            parts.append(
                _both(
                    "Nye celler er tal, vi ikke havde før; rettede celler har fået en ny værdi; uændrede celler havde allerede denne værdi.",
                    "New cells are figures we did not have; corrected cells got a new value; unchanged cells already had this value.",
                )
            )
        return "".join(parts)
    if receipt.status == "deleted":
        return _both(
            "Filen indeholdt noget, der ligner et CPR-nummer. Den er slettet og ikke gemt, og tallene er ikke vist her. Fjern personnumrene og send filen igen – send kun optællinger.",
            "The file contained something that looks like a CPR number. It was deleted, not stored, and its content is not shown here. Remove the ID numbers and send the file again – counts only.",
            cls="lead",
        )
    parts = [
        _both(
            f"Filen er afvist, og intet fra den er gemt. Ret {'fejlen' if n == 1 else f'de {n} fejl'} herunder i filen, og send hele filen igen.",
            f"The file was rejected and nothing from it was stored. Fix the {'error' if n == 1 else f'{n} errors'} below in the file and send the whole file again.",
            cls="lead",
        )
    ]
    if returned:
        link = f'<a href="{e(returned, quote=True)}">{e(returned)}</a>'
        parts.append(
            _both(
                f"Din egen fil med fejlene markeret med rødt: {link}. Hold musen over en rød celle for at se, hvad der er galt.",
                "Your own file with the errors marked in red is linked above. Hover over a red cell to see what is wrong.",
                cls="box",
            )
        )
    return "".join(parts)


def render_html(receipt: Receipt, returned: str | None = None) -> str:
    """A one-page receipt a partner can open in any browser: Danish, English below, no external assets.

    ``returned`` is the file name of the marked workbook next to the receipt, if one was written.
    """
    e = html.escape
    status = receipt.status
    facts = [
        ("Fil", "File", e(receipt.file)),
        ("Partner", "Partner", e(receipt.partner)),
        ("Rækker", "Rows", str(receipt.rows)),
    ]
    if receipt.received_at:
        facts.append(("Modtaget", "Received", e(_local_time(receipt.received_at))))
    facts.append(("Kontrolsum", "SHA-256", f"<code>{e(receipt.sha256[:16])}</code>"))
    details = "".join(
        f'<dt>{da} <span class="en">{en}</span></dt><dd>{v}</dd>' for da, en, v in facts
    )
    problems = ""
    if receipt.errors:
        problems = _both("Fejl", "Errors", tag="h2") + _problem_table(receipt.errors)
    if receipt.warnings:
        problems += _both(
            "Bemærkninger (afviser ikke filen)", "Notes (do not reject the file)", tag="h2"
        )
        problems += _problem_table(receipt.warnings, warning=True)
    return f"""<!doctype html>
<html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kvittering / receipt: {e(receipt.file)}</title><style>{CSS}</style></head><body>
<p>Kvittering for indberetning <span class="en" lang="en">Receipt for a submission</span></p>
<h1><span class="badge {e(status)}">{e(STATUS_DA.get(status, status))}</span> <small lang="en">{e(STATUS_EN.get(status, status))}</small></h1>
<dl>{details}</dl>
{_outcome(receipt, returned)}
{problems}
<footer>{_both("Spørgsmål? Kontakt sekretariatet og nævn filens navn og kontrolsum.", "Questions? Contact the backbone organisation and quote the file name and checksum.")}</footer>
</body></html>
"""
