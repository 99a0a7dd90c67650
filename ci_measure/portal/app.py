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

A partner only ever reaches its own outbox folder: file names are looked up in a listing
of ``outbox/<partner>/``, never joined from the URL, and only receipt-shaped names are served.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ci_measure.model import Workspace
from ci_measure.portal import pages, security, tokens, uploads
from ci_measure.receipt import Receipt

log = logging.getLogger("ci_measure.portal")

# <stem>.<sha8>.json | .txt | .marked.xlsx — the receipts ingest writes (ingest.receipt_stem)
OUTBOX_NAME = re.compile(r"^(?P<stem>[^/\\]+\.[0-9a-f]{8})\.(?P<kind>json|txt|marked\.xlsx)$")
MEDIA = {
    "json": "application/json; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "marked.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
XLSX = MEDIA["marked.xlsx"]
PAGE_WAIT_S = 10.0  # a page waits this long for an ingest of this process, then shows less
RETRY_S = 2.0  # a deferred upload is tried again this often…
RETRY_FOR_S = 3600.0  # …for this long (the sensor or `ci-measure ingest` may take it first)
PUBLIC_FILES = {
    "published_figures.csv": "text/csv; charset=utf-8",
    "published_figures.xlsx": XLSX,
}


class Busy(Exception):
    """The warehouse is in use by an ingest of this process for longer than a page waits."""


class WorkspaceHolder:
    """The workspace, reloaded when partnership.yaml or catalog.yaml changes on disk."""

    def __init__(self, workspace: Workspace | Path | str) -> None:
        if isinstance(workspace, Workspace):
            self.root = workspace.root
            self._workspace: Workspace | None = workspace
            self._stamp = self._mtimes()
        else:
            self.root = Path(workspace)
            self._workspace, self._stamp = None, None
        self._lock = threading.Lock()

    def _mtimes(self) -> tuple:
        return tuple(
            (self.root / n).stat().st_mtime_ns if (self.root / n).exists() else 0
            for n in ("partnership.yaml", "catalog.yaml")
        )

    def get(self) -> Workspace:
        from ci_measure.workspace import load_workspace

        with self._lock:
            stamp = self._mtimes()
            if self._workspace is None or stamp != self._stamp:
                try:
                    self._workspace = load_workspace(self.root)
                except Exception:
                    if self._workspace is None:
                        raise
                    # a half-edited partnership.yaml: keep serving the last good one
                    log.warning("partnership.yaml could not be reloaded; using the previous one")
                    return self._workspace
                self._stamp = stamp
            return self._workspace


def _lang(request: Request, form_lang: str | None = None) -> str:
    lang = form_lang or request.query_params.get("lang", "da")
    return lang if lang in pages.LANGS else "da"


def _html(text: str, status: int = 200, headers: dict | None = None) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=headers)


def _message(
    request: Request,
    status: int,
    key: str,
    back: str | None = None,
    lang: str | None = None,
    extra: str = "",
) -> HTMLResponse:
    lang = lang or _lang(request)
    title = f"{status} – {pages.t(lang, 'error')}" if status >= 400 else pages.t(lang, "portal")
    return _html(pages.message_page(lang, title, pages.t(lang, key), back, extra), status)


def _download(data: bytes, filename: str, media_type: str) -> Response:
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


def create_app(workspace: Workspace | Path | str) -> Starlette:
    """The portal over one workspace (a loaded Workspace or its folder)."""
    holder = WorkspaceHolder(workspace)
    key = tokens.secret_key(holder.root)
    # DuckDB allows one writer per file; page reads and ingests of this process take turns
    # (other processes, like a Dagster run, are waited for by warehouse.py).
    warehouse_turn = threading.Lock()

    @contextmanager
    def page_turn() -> Iterator[None]:
        """The warehouse for a page: never hang on a long ingest; raise Busy instead."""
        if not warehouse_turn.acquire(timeout=PAGE_WAIT_S):
            raise Busy
        try:
            yield
        finally:
            warehouse_turn.release()

    def open_link(request: Request) -> tuple[Workspace, tokens.Verdict] | Response:
        ws = holder.get()
        verdict = tokens.verify(ws, request.path_params.get("token", ""))
        if verdict.state == "revoked":
            return _message(request, 410, "revoked_link")
        if not verdict.valid:
            return _message(request, 404, "invalid_link")
        return ws, verdict

    def outbox_listing(ws: Workspace, partner: str) -> dict[str, Path]:
        folder = ws.outbox / partner
        if not folder.is_dir():
            return {}
        return {
            p.name: p
            for p in folder.iterdir()
            if not p.name.startswith(".")
            and OUTBOX_NAME.match(p.name)
            and p.is_file()
            and not p.is_symlink()
        }

    def load_receipt(path: Path) -> Receipt | None:
        import json

        try:
            return Receipt.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def page_facts(ws: Workspace, partner: str) -> tuple[list[dict], dict, list[dict]]:
        """(open deliveries, counts, history) for one partner; never another's."""
        from ci_measure import status as status_module

        with page_turn():
            cells, summary = status_module.status(ws, partner=partner)
            history_frame = None
            if ws.warehouse_path.exists():
                from ci_measure.figures import submissions

                history_frame = submissions(ws)
        counts = summary.iloc[0].to_dict() if len(summary) else {}
        catalog, partnership = ws.catalog, ws.partnership
        due = []
        for row in cells.to_dict("records"):
            if row["partner"] != partner or row["state"] == "delivered":
                continue
            element = catalog.data_elements.get(row["data_element"])
            area = next((a for a in partnership.areas if a.code == row["area"]), None)
            due.append(
                {
                    **row,
                    "element": row["data_element"],
                    "element_label": (element.label_da if element else ""),
                    "area_name": area.name if area else "",
                }
            )
        history = []
        if history_frame is not None:
            mine = history_frame[history_frame["partner"] == partner]
            for row in reversed(mine.to_dict("records")):
                history.append(
                    {
                        "received": status_module._when(row["received_at"]),
                        "file": row["file_name"],
                        "status": row["status"],
                        "rows": row["rows"],
                        "stem": uploads.outbox_stem(row["file_name"], row["sha256"]),
                    }
                )
        return due, counts, history

    async def partner_home(request: Request) -> Response:
        opened = open_link(request)
        if isinstance(opened, Response):
            return opened
        ws, verdict = opened
        lang = _lang(request)
        partner = ws.partnership.partner(verdict.partner)
        listing = outbox_listing(ws, partner.code)
        wanted = request.query_params.get("receipt")
        chosen = listing.get(f"{wanted}.json") if wanted else None
        if chosen is None:  # the latest receipt (a name not in the partner's outbox: ignored)
            jsons = [p for n, p in listing.items() if n.endswith(".json")]
            if jsons:
                chosen = max(jsons, key=lambda p: (p.stat().st_mtime_ns, p.name))
        receipt = load_receipt(chosen) if chosen else None
        stem = chosen.name[: -len(".json")] if chosen else None
        downloads = {}
        if stem:
            for kind, name in (
                ("marked", f"{stem}.marked.xlsx"),
                ("receipt_json", f"{stem}.json"),
                ("receipt_txt", f"{stem}.txt"),
            ):
                if name in listing:
                    downloads[kind] = name
        try:
            due, counts, history = await run_in_threadpool(page_facts, ws, partner.code)
        except Exception as failure:  # the warehouse busy: the page still lets them upload
            log.warning("partner page without status: %s", type(failure).__name__)
            due, counts, history = None, {}, []
        for h in history:
            if f"{h['stem']}.json" not in listing:
                h["stem"] = None
        from ci_measure.ingest import pending_files

        waiting = [path.name for _, path in pending_files(ws, partner.code)]
        from ci_measure.read.limits import megabytes

        max_bytes = int(ws.partnership.max_file_mb * 1024 * 1024)
        text = pages.partner_page(
            lang=lang,
            partnership=ws.partnership.name,
            partner_code=partner.code,
            partner_name=partner.name,
            csrf=security.csrf_token(key, verdict.token_hash),
            max_bytes=max_bytes,
            limit_text=megabytes(max_bytes),
            receipt=receipt,
            receipt_stem=stem,
            downloads=downloads,
            due=due,
            counts=counts,
            history=history,
            waiting=waiting,
        )
        return _html(text)

    async def upload(request: Request) -> Response:
        opened = open_link(request)
        if isinstance(opened, Response):
            return opened
        ws, verdict = opened
        partner = verdict.partner
        lang = _lang(request)
        back = "./" + ("?lang=en" if lang == "en" else "")
        if not security.same_origin(request.headers, request.url.scheme):
            log.warning("upload refused: cross-origin request (partner %s)", partner)
            return _message(request, 403, "csrf", back)
        max_bytes = int(ws.partnership.max_file_mb * 1024 * 1024)
        folder = ws.inbox / partner

        def csrf_first(fields: dict[str, str]) -> None:
            if "csrf" in fields and not security.csrf_ok(key, verdict.token_hash, fields["csrf"]):
                raise uploads.UploadRefused(403, "csrf")

        try:
            received = await uploads.receive_upload(request, folder, max_bytes, csrf_first)
        except uploads.UploadRefused as refusal:
            log.warning("upload refused: %s (partner %s)", refusal.reason, partner)
            extra = ""
            if refusal.reason == "too_large":
                from ci_measure.errors import Problem
                from ci_measure.read.limits import megabytes

                limit = megabytes(max_bytes)
                problem = Problem.make("file_too_large", detail=f"> {limit}", limit=limit)
                message = problem.message_da if lang == "da" else problem.message_en
                extra = f"<p><code>file_too_large</code> {pages.e(message)}</p>"
            response = _message(request, refusal.status, refusal.reason, back, extra=extra)
            response.headers["connection"] = "close"  # the rest of the body is not read
            return response
        lang = _lang(request, received.fields.get("lang"))
        back = "./" + ("?lang=en" if lang == "en" else "")
        if not security.csrf_ok(key, verdict.token_hash, received.fields.get("csrf")):
            received.discard()
            log.warning("upload refused: bad CSRF token (partner %s)", partner)
            return _message(request, 403, "csrf", back, lang)
        if received.temp is None or not received.filename:
            received.discard()
            return _message(request, 400, "no_file", back, lang)
        path = uploads.store(received, folder)

        def take_in() -> Receipt | None:
            with warehouse_turn:
                return uploads.take_in(ws, path, partner, received.sha256)

        try:
            receipt = await run_in_threadpool(take_in)
        except Exception as failure:  # the file waits in the inbox; we (or the sensor) retry
            log.error(
                "upload stored, ingest deferred: %s (partner %s)", type(failure).__name__, partner
            )
            retry_later(ws, path, partner)
            return _message(request, 202, "busy", back, lang)
        if receipt is None:
            return _message(request, 202, "busy", back, lang)
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

    def retry_later(ws: Workspace, path: Path, partner: str) -> None:
        """Take a deferred upload in as soon as the warehouse is free, unless the Dagster
        sensor or a `ci-measure ingest` does first (ingest_file then finds it gone)."""

        from ci_measure.ingest import ingest_file

        def run() -> None:
            deadline = time.monotonic() + RETRY_FOR_S
            while path.exists() and time.monotonic() < deadline:
                try:
                    with warehouse_turn:
                        if ingest_file(ws, path, partner) is not None:
                            log.info("deferred upload taken in (partner %s)", partner)
                    return
                except Exception as failure:
                    log.warning(
                        "deferred upload still waiting: %s (partner %s)",
                        type(failure).__name__,
                        partner,
                    )
                    time.sleep(RETRY_S)

        threading.Thread(target=run, name="ci-measure-deferred-ingest", daemon=True).start()

    async def template(request: Request) -> Response:
        opened = open_link(request)
        if isinstance(opened, Response):
            return opened
        ws, verdict = opened
        from ci_measure.template import write_template

        def build() -> bytes:
            folder = Path(tempfile.mkdtemp(prefix="ci-measure-template-"))
            try:
                with page_turn():
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
        opened = open_link(request)
        if isinstance(opened, Response):
            return opened
        ws, verdict = opened
        name = request.path_params["name"]
        listing = outbox_listing(ws, verdict.partner)
        path = listing.get(name)
        if path is None:
            return _message(request, 404, "not_found", "./")
        folder = (ws.outbox / verdict.partner).resolve()
        resolved = path.resolve()
        if resolved.parent != folder:  # belt and braces: never outside the partner's folder
            return _message(request, 404, "not_found", "./")
        kind = OUTBOX_NAME.match(name).group("kind")
        return _download(resolved.read_bytes(), name, MEDIA[kind])

    async def home(request: Request) -> Response:
        ws = holder.get()
        if not ws.partnership.public_scorecard:
            return _message(request, 404, "not_found")
        return RedirectResponse("/scorecard", status_code=302)

    def scorecard_file(ws: Workspace, name: str) -> Path | None:
        """reports/<name>, (re)written first when missing or older than the warehouse.

        The report holds published figures only (disclosure control applied); Dagster's
        ``scorecard`` asset writes the same files after every ingest, and without Dagster a
        portal upload makes the page stale, so it is rewritten on the next visit.
        """
        from ci_measure.report import HTML_NAME, write_report

        page = ws.reports_dir / HTML_NAME

        def stale() -> bool:
            if not ws.warehouse_path.exists():
                return False
            if not page.is_file():
                return True
            return page.stat().st_mtime_ns < ws.warehouse_path.stat().st_mtime_ns

        if stale():
            try:
                with warehouse_turn:
                    if stale():  # another request may have rewritten it meanwhile
                        write_report(ws)
            except Exception as failure:  # busy or broken: the last published page still counts
                log.error("scorecard could not be written: %s", type(failure).__name__)
        path = ws.reports_dir / name
        return path if path.is_file() and not path.is_symlink() else None

    async def scorecard(request: Request) -> Response:
        ws = holder.get()
        if not ws.partnership.public_scorecard:
            return _message(request, 404, "not_found")
        from ci_measure.report import HTML_NAME

        path = await run_in_threadpool(scorecard_file, ws, HTML_NAME)
        if path is None:
            return _message(request, 503, "no_scorecard")
        page = path.read_text(encoding="utf-8")
        return _html(
            page,
            headers={"content-security-policy": scorecard_csp(page), "cache-control": "no-cache"},
        )

    async def published(request: Request) -> Response:
        ws = holder.get()
        name = request.url.path.lstrip("/")
        if not ws.partnership.public_scorecard or name not in PUBLIC_FILES:
            return _message(request, 404, "not_found")
        path = await run_in_threadpool(scorecard_file, ws, name)
        if path is None:
            return _message(request, 404, "not_found")
        return _download(path.read_bytes(), name, PUBLIC_FILES[name])

    async def css(request: Request) -> Response:
        return Response(
            pages.PORTAL_CSS,
            media_type="text/css; charset=utf-8",
            headers={"cache-control": "public, max-age=300"},
        )

    async def js(request: Request) -> Response:
        return Response(
            pages.PORTAL_JS,
            media_type="text/javascript; charset=utf-8",
            headers={"cache-control": "public, max-age=300"},
        )

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)  # no icon; answered so browsers stop asking

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        key = "not_found" if status in (404, 405) else "bad_request"
        return _message(request, status, key)

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("internal error: %s", type(exc).__name__)
        return _message(request, 500, "server_error")

    routes = [
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
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: not_found, 500: server_error},
    )
    app.add_middleware(security.SecurityHeaders)
    security.install_log_filters()
    return app


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
