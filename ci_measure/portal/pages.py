"""The portal's HTML: Danish by default, English with ``?lang=en``; phone-sized; no external
assets (one stylesheet and one small script, both served by the app itself).

The pages are Jinja2 templates in ``portal/templates/`` with autoescape on: every partner
name, file name and area name is text on the page, never markup. The texts live in
``TEXT`` (Danish addresses the partner as I/jeres throughout).
"""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

from markupsafe import Markup

from ci_measure import templating
from ci_measure.intake.receipt import CSS as RECEIPT_CSS
from ci_measure.intake.receipt import Receipt, render_html

LANGS = ("da", "en")

TEXT: dict[str, dict[str, str]] = {
    "da": {
        "portal": "Indberetning",
        "switch": "English",
        "upload_title": "Send en fil",
        "upload_help": "Træk jeres fil hertil, eller vælg den. CSV- og Excel-filer (.csv, .xlsx, .xls, .ods) op til {limit}. I får kvitteringen med det samme.",
        "choose": "Vælg fil",
        "send": "Send filen",
        "sending": "Sender …",
        "template": "Hent jeres skabelon (Excel)",
        "template_help": "Skabelonen indeholder præcis de rækker, I skal udfylde.",
        "receipt_title": "Kvittering",
        "receipt_none": "I har ikke sendt nogen filer endnu.",
        "waiting": "Modtaget og venter på at blive behandlet: {files}. Genindlæs siden om lidt for at se kvitteringen.",
        "downloads": "Hent",
        "marked": "jeres fil med fejlene markeret (Excel)",
        "receipt_json": "kvitteringen som JSON",
        "receipt_txt": "kvitteringen som tekst",
        "due_title": "Det mangler vi fra jer",
        "due_none": "Alt, I skal levere, er leveret. Tak!",
        "due_unknown": "Oversigten kan ikke vises lige nu (databasen er optaget). Genindlæs siden om lidt.",
        "history_title": "Jeres indberetninger",
        "history_none": "Ingen indberetninger endnu.",
        "col_element": "Dataelement",
        "col_area": "Område",
        "col_sex": "Køn",
        "col_origin": "Herkomst",
        "col_due": "Forfalden periode",
        "col_last": "Senest leveret",
        "col_state": "Status",
        "col_received": "Modtaget",
        "col_file": "Fil",
        "col_status": "Resultat",
        "col_rows": "Rækker",
        "show": "vis kvittering",
        "summary": "{delivered} leveret, {missing} mangler, {late} forsinket, {rejected} afvist",
        "state_delivered": "leveret",
        "state_missing": "mangler",
        "state_late": "forsinket",
        "state_rejected": "afvist – se kvitteringen",
        "status_accepted": "godkendt",
        "status_rejected": "afvist",
        "status_deleted": "afvist og slettet",
        "private": "Linket er personligt for {partner}. Del det ikke: alle med linket kan indberette på jeres vegne.",
        "too_big_js": "Filen er større end {limit} og kan ikke sendes.",
        "error": "Fejl",
        "back": "Tilbage til indberetningen",
        "not_found": "Siden findes ikke.",
        "invalid_link": "Linket er ugyldigt. Kontrollér, at I har kopieret hele linket, eller bed sekretariatet om et nyt.",
        "revoked_link": "Linket er lukket. Bed sekretariatet om et nyt link.",
        "too_large": "Filen er for stor og er ikke gemt.",
        "csrf": "Formularen er udløbet eller kom ikke fra denne side. Gå tilbage, genindlæs siden, og send filen igen.",
        "bad_request": "Upload mislykkedes: vælg en fil og send den igen.",
        "no_file": "Vælg en fil, før I trykker »Send filen«.",
        "busy": "Filen er modtaget og bliver behandlet om lidt. Genindlæs siden om et øjeblik for at se kvitteringen.",
        "no_scorecard": "Scorekortet er ikke offentliggjort endnu.",
        "server_error": "Der skete en fejl på serveren. Prøv igen om lidt.",
        "server_busy": "Serveren er optaget af en anden indberetning lige nu. Prøv igen om lidt.",
        "stored_not_processed": "Filen er gemt, men kunne ikke behandles nu. Sekretariatet kan se fejlen i loggen; filen bliver taget ind, når fejlen er rettet. I behøver ikke sende den igen.",
    },
    "en": {
        "portal": "Submissions",
        "switch": "Dansk",
        "upload_title": "Send a file",
        "upload_help": "Drag your file here, or choose it. CSV and Excel files (.csv, .xlsx, .xls, .ods) up to {limit}. You get the receipt at once.",
        "choose": "Choose file",
        "send": "Send the file",
        "sending": "Sending …",
        "template": "Download your template (Excel)",
        "template_help": "The template holds exactly the rows you are to fill in.",
        "receipt_title": "Receipt",
        "receipt_none": "You have not sent any files yet.",
        "waiting": "Received and waiting to be processed: {files}. Reload the page shortly to see the receipt.",
        "downloads": "Download",
        "marked": "your file with the errors marked (Excel)",
        "receipt_json": "the receipt as JSON",
        "receipt_txt": "the receipt as text",
        "due_title": "What we still need from you",
        "due_none": "Everything you report has been delivered. Thank you!",
        "due_unknown": "The overview cannot be shown right now (the database is busy). Reload the page shortly.",
        "history_title": "Your submissions",
        "history_none": "No submissions yet.",
        "col_element": "Data element",
        "col_area": "Area",
        "col_sex": "Sex",
        "col_origin": "Origin",
        "col_due": "Period due",
        "col_last": "Last delivered",
        "col_state": "State",
        "col_received": "Received",
        "col_file": "File",
        "col_status": "Result",
        "col_rows": "Rows",
        "show": "show receipt",
        "summary": "{delivered} delivered, {missing} missing, {late} late, {rejected} rejected",
        "state_delivered": "delivered",
        "state_missing": "missing",
        "state_late": "late",
        "state_rejected": "rejected – see the receipt",
        "status_accepted": "accepted",
        "status_rejected": "rejected",
        "status_deleted": "rejected and deleted",
        "private": "This link is personal to {partner}. Do not share it: anyone with the link can submit on your behalf.",
        "too_big_js": "The file is larger than {limit} and cannot be sent.",
        "error": "Error",
        "back": "Back to submissions",
        "not_found": "There is no such page.",
        "invalid_link": "This link is not valid. Check that you copied the whole link, or ask the backbone organisation for a new one.",
        "revoked_link": "This link has been closed. Ask the backbone organisation for a new link.",
        "too_large": "The file is too large and was not stored.",
        "csrf": "The form has expired or did not come from this page. Go back, reload the page and send the file again.",
        "bad_request": "The upload failed: choose a file and send it again.",
        "no_file": "Choose a file before pressing »Send the file«.",
        "busy": "The file was received and will be processed shortly. Reload the page in a moment to see the receipt.",
        "no_scorecard": "The scorecard has not been published yet.",
        "server_error": "Something went wrong on the server. Please try again shortly.",
        "server_busy": "The server is busy with another submission right now. Please try again shortly.",
        "stored_not_processed": "The file was stored but could not be processed now. The backbone organisation can see the error in the log; the file will be taken in once it is fixed. You need not send it again.",
    },
}

PORTAL_CSS = (
    RECEIPT_CSS
    + """
*{box-sizing:border-box}header.top{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:.5rem;border-bottom:1px solid #d0d7de;padding-bottom:.5rem}
header.top .who{font-size:1.05rem}header.top a{white-space:nowrap}
section.card{border:1px solid #d0d7de;border-radius:.6rem;padding:.8rem 1rem;margin:1.2rem 0}
section.card>h2{margin:.1rem 0 .6rem;font-size:1.3rem}
.drop{display:block;border:2px dashed #8c959f;border-radius:.6rem;padding:1.4rem 1rem;text-align:center;cursor:pointer;background:#f6f8fa}
.drop.over{border-color:#0969da;background:#ddf4ff}.drop input{display:block;margin:.6rem auto 0;max-width:100%}
.chosen{font-weight:600;min-height:1.4em;margin:.4rem 0;word-break:break-all}
button{font:inherit;font-size:1.05rem;padding:.6rem 1.4rem;border-radius:.5rem;border:0;background:#1a7f37;color:#fff;cursor:pointer;margin-top:.4rem}
button[disabled]{background:#8c959f}.muted{color:#57606a;font-size:.92em}.warn{color:#b42318;font-weight:600}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}.receipt{border-top:1px solid #d0d7de;margin-top:.5rem}
.receipt table{display:block;max-width:100%;overflow-x:auto}section.card{overflow-wrap:break-word}
.receipt h1{font-size:1.4rem}.state-missing,.state-late,.state-rejected{color:#b42318;font-weight:600}
ul.files{padding-left:1.2rem}.current{background:#fff8c5}
@media (max-width:600px){body{margin:.6rem auto;padding:0 .6rem}.tiles{flex-wrap:wrap}.tile{min-width:6rem}
dl{grid-template-columns:1fr}td,th{padding:.25rem .35rem;font-size:.92rem}}
"""
)

PORTAL_JS = """(function () {
  var form = document.getElementById("upload");
  if (!form) return;
  var zone = document.getElementById("drop");
  var input = document.getElementById("file");
  var chosen = document.getElementById("chosen");
  var button = form.querySelector("button");
  var max = parseInt(form.getAttribute("data-max") || "0", 10);
  function tooBig() {
    return max > 0 && input.files.length > 0 && input.files[0].size > max;
  }
  function show() {
    chosen.textContent = input.files.length ? input.files[0].name : "";
    chosen.className = tooBig() ? "chosen warn" : "chosen";
    if (tooBig()) chosen.textContent += " – " + form.getAttribute("data-too-big");
  }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.remove("over");
    });
  });
  zone.addEventListener("drop", function (event) {
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    show();
    if (!tooBig()) {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });
  form.addEventListener("submit", function (event) {
    if (!input.files.length || tooBig()) {
      event.preventDefault();
      show();
      return;
    }
    button.disabled = true;
    button.textContent = button.getAttribute("data-busy");
  });
})();
"""


def t(lang: str, key: str, **fields: object) -> str:
    text = TEXT.get(lang, TEXT["da"])[key]
    return text.format(**fields) if fields else text


def _render(template: str, lang: str, **context: object) -> str:
    """A page from ``portal/templates/`` (autoescape on), with ``t`` in this language."""
    return templating.render(
        "ci_measure.portal", template, lang=lang, t=partial(t, lang), **context
    )


def message_page(
    lang: str,
    title: str,
    message: str,
    back: str | None = None,
    code: str | None = None,
    detail: str = "",
) -> str:
    """A page with one message (an error, or 'received'), optionally an error code and its
    text, and a link back."""
    return _render(
        "message.html", lang, title=title, message=message, back=back, code=code, detail=detail
    )


def receipt_fragment(receipt: Receipt, returned: str | None) -> Markup:
    """The very receipt of the outbox (receipt.render_html, escaped there), without its page
    wrapper: HTML we made, so it is marked safe here and nowhere else."""
    page = render_html(receipt, returned=quote(returned) if returned else None)
    start = page.index("<body>") + len("<body>")
    return Markup(page[start : page.rindex("</body>")])


def partner_page(
    *,
    lang: str,
    partnership: str,
    partner_code: str,
    partner_name: str,
    csrf: str,
    max_bytes: int,
    limit_text: str,
    receipt: Receipt | None,
    receipt_stem: str | None,
    downloads: dict[str, str],
    due: list[dict] | None,
    counts: dict[str, int],
    history: list[dict],
    waiting: list[str] | tuple[str, ...] = (),
) -> str:
    """The partner's own page: upload, the receipt, what is due, its history."""
    other = "en" if lang == "da" else "da"
    switch = f"?lang={other}"
    if receipt_stem:
        switch += f"&receipt={quote(receipt_stem)}"
    states = ("delivered", "missing", "late", "rejected")
    return _render(
        "partner.html",
        lang,
        title=f"{t(lang, 'portal')} – {partner_name}",
        other_lang=other,
        switch_href=switch,
        lang_query="?lang=en" if lang == "en" else "",
        partnership=partnership,
        partner_code=partner_code,
        partner_name=partner_name,
        csrf=csrf,
        max_bytes=max_bytes,
        limit_text=limit_text,
        receipt_html=receipt_fragment(receipt, downloads.get("marked")) if receipt else None,
        receipt_stem=receipt_stem,
        downloads=downloads if receipt else {},
        due=due,
        summary=t(lang, "summary", **{k: counts.get(k, 0) for k in states}),
        history=history,
        file_states=("accepted", "rejected", "deleted"),
        waiting=list(waiting),
    )
