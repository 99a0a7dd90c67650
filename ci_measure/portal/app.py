"""`ci-measure serve`: the upload portal, a Starlette application over the same core as the CLI.

Routes (``<token>`` is a partner's secret link, see :mod:`ci_measure.portal.tokens`):

=====================================  ==========================================================
``GET  /``                             → ``/scorecard`` when ``public_scorecard: true``, else 404
``GET  /scorecard``                    the published scorecard (reports/scorecard.html)
``GET  /published_figures.csv|.xlsx``  its downloads (public scorecard only)
``GET  /static/portal.css|.js``        the app's only stylesheet and script
``GET  /favicon.ico``                  204 (there is no icon)
``GET  /p/<token>/``                   the partner's page: upload, receipt, what is due, history
``POST /p/<token>/upload``             a file, streamed into the partner's inbox and taken in
``GET  /p/<token>/template.xlsx``      the partner's template
``GET  /p/<token>/<file>``             a marked workbook or receipt from the partner's own outbox
=====================================  ==========================================================

The handlers are plain functions at module level; what they share lives on
``request.app.state.portal`` (:class:`ci_measure.portal.state.Portal`). What a page shows is
computed by the pure functions of :mod:`ci_measure.portal.facts`. A partner only ever
reaches its own outbox folder: file names are looked up in a listing of
``outbox/<partner>/``, never joined from the URL, and only receipt-shaped names are served.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ci_measure import warehouse
from ci_measure.config.model import Workspace
from ci_measure.intake.cpr import mask
from ci_measure.intake.receipt import Receipt
from ci_measure.portal import deferred, facts, pages, security, tokens, uploads
from ci_measure.portal.state import Busy, Portal, WorkspaceHolder, recoverable

log = logging.getLogger("ci_measure.portal")

MEDIA = {
    "json": "application/json; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "marked.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX = MEDIA["marked.xlsx"]
PUBLIC_FILES = {
    "published_figures.csv": "text/csv; charset=utf-8",
    "published_figures.xlsx": XLSX,
}


def _portal(request: Request) -> Portal:
    return request.app.state.portal


def _lang(request: Request, form_lang: str | None = None) -> str:
    lang = form_lang or request.query_params.get("lang", "da")
    return lang if lang in pages.LANGS else "da"


def _back(lang: str) -> str:
    return "./" + ("?lang=en" if lang == "en" else "")


def _message(
    request: Request,
    status: int,
    key: str,
    back: str | None = None,
    lang: str | None = None,
    code: str | None = None,
    detail: str = "",
) -> HTMLResponse:
    lang = lang or _lang(request)
    title = f"{status} – {pages.t(lang, 'error')}" if status >= 400 else pages.t(lang, "portal")
    text = pages.message_page(lang, title, pages.t(lang, key), back, code, detail)
    return HTMLResponse(text, status_code=status)


def _download(data: bytes, filename: str, media_type: str) -> Response:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


def _open_link(request: Request) -> tuple[Workspace, tokens.Verdict] | Response:
    ws = _portal(request).workspace()
    verdict = tokens.verify(ws, request.path_params.get("token", ""))
    if verdict.state == "revoked":
        return _message(request, 410, "revoked_link")
    if not verdict.valid:
        return _message(request, 404, "invalid_link")
    return ws, verdict


# --- the partner's page ---------------------------------------------------------------------


def _status_facts(portal: Portal, ws: Workspace, partner: str, listing: dict) -> tuple:
    """(due, counts, history) for one partner, read under the page's turn at the warehouse."""
    from ci_measure.figures import status as status_module
    from ci_measure.figures import submissions

    with portal.page_turn():
        cells, summary = status_module.status(ws, partner=partner)
        audit = submissions(ws) if warehouse.exists(ws.warehouse) else None
    stems = {}
    if audit is not None:
        mine = audit[audit["partner"] == partner]
        stems = {
            (n, s): uploads.outbox_stem(n, s)
            for n, s in zip(mine["file_name"], mine["sha256"], strict=True)
        }
    return (
        facts.due_rows(cells, partner, ws.catalog, ws.partnership),
        facts.counts(summary),
        facts.history_rows(audit, partner, stems, listing),
    )


async def partner_home(request: Request) -> Response:
    opened = _open_link(request)
    if isinstance(opened, Response):
        return opened
    ws, verdict = opened
    portal, lang = _portal(request), _lang(request)
    partner = ws.partnership.partner(verdict.partner)
    listing = facts.outbox_files(ws.outbox / partner.code)
    choice = facts.choose_receipt(listing, request.query_params.get("receipt"))
    try:
        due, counts, history = await run_in_threadpool(
            _status_facts, portal, ws, partner.code, listing
        )
    except Exception as failure:  # the page still lets them upload
        if recoverable(failure):
            log.warning("partner page without status: the warehouse is busy (%s)", failure)
        else:
            log.exception("partner page without status (partner %s)", partner.code)
        due, counts, history = None, {}, []
    from ci_measure.intake.ingest import pending_files
    from ci_measure.intake.read.limits import megabytes

    max_bytes = int(ws.partnership.max_file_mb * 1024 * 1024)
    text = pages.partner_page(
        lang=lang,
        partnership=ws.partnership.name,
        partner_code=partner.code,
        partner_name=partner.name,
        csrf=security.csrf_token(portal.key, verdict.token_hash),
        max_bytes=max_bytes,
        limit_text=megabytes(max_bytes),
        receipt=facts.load_receipt(choice.path),
        receipt_stem=choice.stem,
        downloads=choice.downloads,
        due=due,
        counts=counts,
        history=history,
        waiting=[mask(path.name) for _, path in pending_files(ws, partner.code)],
    )
    return HTMLResponse(text)


# --- upload ---------------------------------------------------------------------------------


def _refused(request: Request, refusal: uploads.UploadRefused, max_bytes: int) -> Response:
    """A refused upload's page; for a file too large, the receipt's own words (SPEC §8)."""
    lang = _lang(request)
    code, detail = None, ""
    if refusal.reason == "too_large":
        from ci_measure.errors import Problem
        from ci_measure.intake.read.limits import megabytes

        limit = megabytes(max_bytes)
        problem = Problem.make("file_too_large", detail=f"> {limit}", limit=limit)
        code, detail = "file_too_large", problem.message_da if lang == "da" else problem.message_en
    response = _message(request, refusal.status, refusal.reason, _back(lang), None, code, detail)
    response.headers["connection"] = "close"  # the rest of the body is not read
    return response


async def upload(request: Request) -> Response:
    opened = _open_link(request)
    if isinstance(opened, Response):
        return opened
    ws, verdict = opened
    portal, partner = _portal(request), verdict.partner
    if not security.same_origin(request.headers, request.url.scheme):
        log.warning("upload refused: cross-origin request (partner %s)", partner)
        return _message(request, 403, "csrf", _back(_lang(request)))
    max_bytes = int(ws.partnership.max_file_mb * 1024 * 1024)

    def csrf_first(fields: dict[str, str]) -> None:
        if "csrf" in fields and not security.csrf_ok(
            portal.key, verdict.token_hash, fields["csrf"]
        ):
            raise uploads.UploadRefused(403, "csrf")

    try:
        received = await uploads.receive_upload(request, ws.inbox / partner, max_bytes, csrf_first)
    except uploads.UploadRefused as refusal:
        log.warning("upload refused: %s (partner %s)", refusal.reason, partner)
        return _refused(request, refusal, max_bytes)
    lang = _lang(request, received.fields.get("lang"))
    if not security.csrf_ok(portal.key, verdict.token_hash, received.fields.get("csrf")):
        received.discard()
        log.warning("upload refused: bad CSRF token (partner %s)", partner)
        return _message(request, 403, "csrf", _back(lang), lang)
    if received.temp is None or not received.filename:
        received.discard()
        return _message(request, 400, "no_file", _back(lang), lang)
    path = uploads.store(received, ws.inbox / partner)
    return await _take_in(request, portal, ws, path, partner, received.sha256, lang)


async def _take_in(
    request: Request, portal: Portal, ws: Workspace, path: Path, partner: str, sha: str, lang: str
) -> Response:
    """Ingest the stored upload now and show its receipt; when the warehouse is busy, say so
    and try again later (the file waits in the inbox either way)."""

    def take_in() -> Receipt | None:
        with portal.turn:
            return uploads.take_in(ws, path, partner, sha)

    try:
        receipt = await run_in_threadpool(take_in)
    except Exception as failure:
        if not recoverable(failure):
            log.exception("upload stored, ingest failed (partner %s)", partner)
            return _message(request, 500, "stored_not_processed", _back(lang), lang)
        log.warning("upload stored, ingest deferred: %s (partner %s)", failure, partner)
        deferred.take_in_later(portal, ws, path, partner)
        return _message(request, 202, "busy", _back(lang), lang)
    if receipt is None:
        return _message(request, 202, "busy", _back(lang), lang)
    log.info(
        "upload partner=%s sha=%s status=%s rows=%s",
        partner,
        receipt.sha256[:8],
        receipt.status,
        receipt.rows,
    )
    stem = uploads.outbox_stem(receipt.file, receipt.sha256)
    target = f"./?receipt={quote(stem)}" + ("&lang=en" if lang == "en" else "") + "#receipt"
    return RedirectResponse(target, status_code=303)


# --- the partner's files --------------------------------------------------------------------


async def template(request: Request) -> Response:
    opened = _open_link(request)
    if isinstance(opened, Response):
        return opened
    ws, verdict = opened
    portal = _portal(request)
    from ci_measure.intake.template import write_template

    def build() -> bytes:
        folder = Path(tempfile.mkdtemp(prefix="ci-measure-template-"))
        try:
            with portal.page_turn():
                write_template(ws, verdict.partner, folder / "template.xlsx")
            return (folder / "template.xlsx").read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    try:
        data = await run_in_threadpool(build)
    except Busy:
        return _message(request, 503, "server_busy", "./")
    return _download(data, f"skabelon-{verdict.partner}.xlsx", XLSX)


async def outbox_file(request: Request) -> Response:
    opened = _open_link(request)
    if isinstance(opened, Response):
        return opened
    ws, verdict = opened
    name = request.path_params["name"]
    found = facts.outbox_files(ws.outbox / verdict.partner).get(name)
    if found is None:
        return _message(request, 404, "not_found", "./")
    folder = (ws.outbox / verdict.partner).resolve()
    resolved = found.path.resolve()
    if resolved.parent != folder:  # belt and braces: never outside the partner's folder
        return _message(request, 404, "not_found", "./")
    kind = facts.OUTBOX_NAME.match(name).group("kind")
    return _download(resolved.read_bytes(), name, MEDIA[kind])


# --- the public scorecard -------------------------------------------------------------------


async def home(request: Request) -> Response:
    if not _portal(request).workspace().partnership.public_scorecard:
        return _message(request, 404, "not_found")
    return RedirectResponse("/scorecard", status_code=302)


def _stale(ws: Workspace, page: Path) -> bool:
    changed = warehouse.last_change_ns(ws.warehouse)
    if changed is None:
        return False
    if not page.is_file():
        return True
    stories = ws.root / "stories"  # an edited story behind a curve shows on the next visit
    edited = [p.stat().st_mtime_ns for p in stories.glob("*.md")] if stories.is_dir() else []
    return page.stat().st_mtime_ns < max([changed, *edited])


def scorecard_file(portal: Portal, ws: Workspace, name: str) -> Path | None:
    """reports/<name>, (re)written first when missing or older than the warehouse.

    The report holds published figures only (disclosure control applied); Dagster's
    ``scorecard`` asset writes the same files after every ingest, and without Dagster a
    portal upload makes the page stale, so it is rewritten on the next visit.
    """
    from ci_measure.report import HTML_NAME, write_report

    page = ws.reports_dir / HTML_NAME
    if _stale(ws, page):
        try:
            with portal.turn:
                if _stale(ws, page):  # another request may have rewritten it meanwhile
                    write_report(ws)
        except Exception as failure:  # the last published page still counts
            if recoverable(failure):
                log.warning("scorecard not rewritten now: the warehouse is busy (%s)", failure)
            else:
                log.exception("scorecard could not be written")
    path = ws.reports_dir / name
    return path if path.is_file() and not path.is_symlink() else None


async def scorecard(request: Request) -> Response:
    portal = _portal(request)
    ws = portal.workspace()
    if not ws.partnership.public_scorecard:
        return _message(request, 404, "not_found")
    from ci_measure.report import HTML_NAME

    path = await run_in_threadpool(scorecard_file, portal, ws, HTML_NAME)
    if path is None:
        return _message(request, 503, "no_scorecard")
    page = path.read_text(encoding="utf-8")
    headers = {"content-security-policy": scorecard_csp(page), "cache-control": "no-cache"}
    return HTMLResponse(page, headers=headers)


async def published(request: Request) -> Response:
    portal = _portal(request)
    ws = portal.workspace()
    name = request.url.path.lstrip("/")
    if not ws.partnership.public_scorecard or name not in PUBLIC_FILES:
        return _message(request, 404, "not_found")
    path = await run_in_threadpool(scorecard_file, portal, ws, name)
    if path is None:
        return _message(request, 404, "not_found")
    return _download(path.read_bytes(), name, PUBLIC_FILES[name])


def scorecard_csp(page: str) -> str:
    """The scorecard is a self-contained page: its inline script is allowed by hash only."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
        for body in re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    )
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {hashes or chr(39) + 'none' + chr(39)}; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


# --- the app's own files and errors ---------------------------------------------------------

STATIC_HEADERS = {"cache-control": "public, max-age=300"}


async def css(request: Request) -> Response:
    return Response(pages.PORTAL_CSS, media_type="text/css; charset=utf-8", headers=STATIC_HEADERS)


async def js(request: Request) -> Response:
    media = "text/javascript; charset=utf-8"
    return Response(pages.PORTAL_JS, media_type=media, headers=STATIC_HEADERS)


async def favicon(request: Request) -> Response:
    return Response(status_code=204)  # no icon; answered so browsers stop asking


async def not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    key = "not_found" if status in (404, 405) else "bad_request"
    return _message(request, status, key)


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("internal error", exc_info=exc)
    return _message(request, 500, "server_error")


ROUTES = [
    Route("/", home),
    Route("/scorecard", scorecard),
    Route("/published_figures.csv", published),
    Route("/published_figures.xlsx", published),
    Route("/static/portal.css", css),
    Route("/static/portal.js", js),
    Route("/favicon.ico", favicon),
    Route("/p/{token}/", partner_home),
    Route("/p/{token}/upload", upload, methods=["POST"]),
    Route("/p/{token}/template.xlsx", template),
    Route("/p/{token}/{name}", outbox_file),
]


def create_app(workspace: Workspace | Path | str) -> Starlette:
    """The portal over one workspace (a loaded Workspace or its folder)."""
    holder = WorkspaceHolder(workspace)
    app = Starlette(
        routes=ROUTES,
        exception_handlers={HTTPException: not_found, 500: server_error},
    )
    app.state.portal = Portal(holder, tokens.secret_key(holder.root))
    app.add_middleware(security.SecurityHeaders)
    security.install_log_filters()
    return app
