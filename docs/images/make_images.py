"""Render the partner guide's pictures from the real code: template, receipt, returned workbook.

    .venv/bin/python docs/images/make_images.py      (needs `chromium` on PATH)

The template and the returned workbook are drawn as HTML from the cells of the real .xlsx
files (no spreadsheet program is needed); the receipt is the real HTML receipt. Each page
is screenshotted with headless Chromium.
"""

from __future__ import annotations

import datetime as dt
import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ci_measure.config.model import (  # noqa: E402
    Area,
    Assignment,
    Catalog,
    DataElement,
    Partner,
    Partnership,
    Rule,
    Workspace,
)
from ci_measure.intake import ingest, template  # noqa: E402

OUT = Path(__file__).resolve().parent
TODAY = dt.date(2026, 3, 1)
GRID_CSS = """body{font:13px Calibri,Carlito,Arial,sans-serif;margin:0;padding:12px;background:#fff}
.bar{background:#217346;color:#fff;padding:6px 10px;font-weight:600}
table{border-collapse:collapse}td,th{border:1px solid #d4d4d4;padding:2px 6px;height:19px;white-space:nowrap}
th{background:#f3f3f3;color:#555;font-weight:normal;text-align:center}.rn{background:#f3f3f3;color:#555;text-align:center}
.hd td{font-weight:bold;background:#ddebf7;border-bottom:2px solid #8a8a8a}.sel{outline:2px solid #217346}
.bad{background:#ffc7ce;position:relative}.bad:after{content:"";position:absolute;top:0;right:0;border-left:6px solid transparent;border-top:6px solid #c00}.tip{position:absolute;background:#ffffe1;border:1px solid #999;padding:6px 8px;
width:300px;white-space:normal;box-shadow:2px 2px 4px #aaa;font-size:12px}.tabs{margin-top:6px;color:#333}
.tabs span{border:1px solid #bbb;padding:2px 10px;margin-right:2px;background:#eee}.tabs .on{background:#fff;font-weight:bold}
.dd{float:right;color:#555;font-size:10px}"""


def catalog() -> Catalog:
    data = yaml.safe_load((ROOT / "indicators" / "catalog.yaml").read_text(encoding="utf-8"))
    fields = ("label_da", "label_en", "unit", "period_type", "definition_da", "definition_en")
    elements = {
        d["code"]: DataElement(
            code=d["code"],
            time_rule=d["time"],
            allow_negative=bool(d.get("allow_negative", False)),
            **{k: d.get(k, "") for k in fields},
        )
        for d in data["data_elements"]
    }
    rules = tuple(Rule(r["part"], r["whole"]) for r in data.get("rules", []))
    return Catalog(elements, {}, rules)


def workspace(root: Path) -> Workspace:
    school = ("ELEVER_AFGANG_9KL", "ELEVER_UDD_15MD")
    partnership = Partnership(
        "MedVind i Østerbyen",
        (Area("0561", "Esbjerg Kommune"), Area("0561-OST", "Østerbyen", "0561"),
         Area("0561-OST-RIN", "Rinkenæs Skole", "0561-OST"), Area("0561-OST-SKH", "Skovhøj Skole", "0561-OST")),
        (Partner("SKOLE", "Østerbyens skoler",
                 (Assignment(school, ("0561-OST-RIN", "0561-OST-SKH"), ("M", "F")),)),),
    )  # fmt: skip
    return Workspace(root, partnership, catalog())


def grid(sheet, rows: int, cols: int, bad: set[str] = frozenset(), selected: str = "") -> str:
    letters = [openpyxl.utils.get_column_letter(j) for j in range(1, cols + 1)]
    out = ["<table><tr><th></th>" + "".join(f"<th>{c}</th>" for c in letters) + "</tr>"]
    for r in range(1, rows + 1):
        cells = []
        for c in letters:
            value = sheet[f"{c}{r}"].value
            klass = " ".join(
                k for k, on in (("bad", f"{c}{r}" in bad), ("sel", f"{c}{r}" == selected)) if on
            )
            arrow = '<span class="dd">▼</span>' if f"{c}{r}" == selected and c != "F" else ""
            text = "" if value is None else html.escape(str(value))
            cells.append(f'<td class="{klass}">{text}{arrow}</td>')
        out.append(
            f'<tr class="{"hd" if r == 1 else ""}"><td class="rn">{r}</td>{"".join(cells)}</tr>'
        )
    return "".join(out) + "</table>"


def shoot(page: str, target: Path, size: str) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as handle:
        handle.write(page)
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={size}", f"--screenshot={target}", handle.name],
        check=True, capture_output=True,
    )  # fmt: skip
    Path(handle.name).unlink()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = workspace(Path(tmp) / "ws")
        blank = Path(tmp) / "skabelon.xlsx"
        template.write_template(ws, "SKOLE", blank, TODAY)
        sheet = openpyxl.load_workbook(blank)["data"]
        tip = (
            '<div class="tip" style="left:520px;top:118px"><b>Afgangselever fra 9. klasse</b><br>'
            "Skriv et helt tal, 0 eller derover. Lad cellen stå tom, hvis tallet mangler eller er "
            "diskretioneret hos kilden.</div>"
        )
        tabs = '<div class="tabs"><span class="on">data</span><span>vejledning</span></div>'
        page = f"<style>{GRID_CSS}</style><div class='bar'>skabelon.xlsx</div>{grid(sheet, 9, 7, selected='F3')}{tip}{tabs}"
        shoot(page, OUT / "skabelon.png", "860,330")

        filled = Path(tmp) / "skole-2024.xlsx"
        book = openpyxl.load_workbook(blank)
        sheet = book["data"]
        for r, value in zip(range(2, 10), [41, 38, 35, 33, 29, 31, 25, 27], strict=True):
            sheet.cell(r, 6).value = value
        sheet["A3"], sheet["F4"], sheet["F8"] = "ELEVER_AFGNG_9KL", "tolv", -4
        book.save(filled)
        receipt = ingest.ingest_external(ws, filled, "SKOLE")
        stem = ingest.receipt_stem(receipt)
        page = (ws.outbox / "SKOLE" / f"{stem}.html").read_text(encoding="utf-8")
        shoot(page, OUT / "kvittering.png", "1000,1010")

        marked = openpyxl.load_workbook(ws.outbox / "SKOLE" / f"{stem}.marked.xlsx")["data"]
        bad = {c.coordinate for row in marked.iter_rows() for c in row if c.comment}
        note = html.escape(marked["F4"].comment.text.split("\n")[0])
        tip = f'<div class="tip" style="left:615px;top:122px">{note}</div>'
        name = f"{stem}.marked.xlsx"
        page = (
            f"<style>{GRID_CSS}</style><div class='bar'>{name}</div>{grid(marked, 9, 7, bad)}{tip}"
        )
        shoot(page, OUT / "markeret.png", "960,330")


if __name__ == "__main__":
    main()
