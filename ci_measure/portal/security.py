"""What a reviewer expects of a web application holding partners' upload rights.

* CSRF: every form carries ``HMAC(secret key, token hash)``; a POST without it (or with
  another link's) is refused. There are no cookies at all, so nothing rides along with a
  forged request; ``Origin``/``Referer`` are also checked when a browser sends them.
* Headers on every response: a strict Content-Security-Policy (only the app's own
  stylesheet and script), ``nosniff``, ``no-referrer`` (the token is in the URL),
  ``DENY`` framing, and ``no-store`` on partner pages.
* Logs: the token in ``/p/<token>/`` is masked as ``/p/***/`` everywhere it could be
  logged (file names after it as ``<file>``), and the access log records neither client
  addresses nor query strings.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# /p/<token>[/<rest>]: the token is secret; <rest> may be a file name a partner chose
TOKEN_IN_PATH = re.compile(r"/p/[^/\s?#\"']+(?:/([^\s?#\"']*))?")
ROUTE_NAMES = ("", "upload", "template.xlsx")
log = logging.getLogger("ci_measure.portal")

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
BASE_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def _masked(match: re.Match) -> str:
    rest = match.group(1)
    if rest is None:
        return "/p/***"
    return "/p/***/" + (rest if rest in ROUTE_NAMES else "<file>")


def mask(text: str) -> str:
    """``/p/<token>/<file>`` → ``/p/***/<file>`` (for anything that might be logged): neither
    the secret token nor a file name (which a partner chose, and might name a person)."""
    return TOKEN_IN_PATH.sub(_masked, text)


def csrf_token(key: bytes, token_hash: str) -> str:
    """The hidden form field bound to one link: useless with any other link."""
    return hmac.new(key, b"csrf:" + token_hash.encode("ascii"), hashlib.sha256).hexdigest()


def csrf_ok(key: bytes, token_hash: str, presented: str | None) -> bool:
    if not presented or not token_hash:
        return False
    return hmac.compare_digest(csrf_token(key, token_hash), presented)


def same_origin(headers, scheme: str = "http") -> bool:  # noqa: ANN001
    """False when the browser says the request comes from another site.

    The host of ``Origin`` (else ``Referer``) must be the ``Host`` the request was sent to;
    the scheme is not compared, so a TLS-terminating proxy in front does not break uploads.
    ``Origin: null`` (what Chromium sends for a form POST under ``Referrer-Policy:
    no-referrer``) and absent headers are left to the CSRF field, which is always required.
    """
    host = headers.get("host", "").lower()
    if not host:
        return False
    origin = headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc.lower() == host
    referer = headers.get("referer")
    if referer:
        return urlsplit(referer).netloc.lower() == host
    return True


class MaskTokens(logging.Filter):
    """A logging filter that masks link tokens in a record's message, its arguments and its
    traceback (formatted here once, then masked: failures are logged with their traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        if record.args:
            if isinstance(record.args, tuple):
                record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
            elif isinstance(record.args, dict):
                record.args = {
                    k: mask(v) if isinstance(v, str) else v for k, v in record.args.items()
                }
        return True


def install_log_filters() -> None:
    """Mask tokens in uvicorn's and our own log records (idempotent)."""
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "ci_measure.portal"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskTokens) for f in logger.filters):
            logger.addFilter(MaskTokens())
        for handler in logger.handlers:
            if not any(isinstance(f, MaskTokens) for f in handler.filters):
                handler.addFilter(MaskTokens())


def uvicorn_log_config() -> dict:
    """uvicorn's own logging configuration, plus the token mask on every handler and the
    portal's request log on stderr (uvicorn's access log, with client addresses, stays off)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["mask_tokens"] = {"()": MaskTokens}
    for handler in config.get("handlers", {}).values():
        handler.setdefault("filters", []).append("mask_tokens")
    config["loggers"]["ci_measure.portal"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config


class SecurityHeaders:
    """Pure ASGI middleware: the security headers on every response, and a masked access log
    (method, path without the token or query, status, milliseconds; no client address)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        path = scope.get("path", "")
        status = {"code": 0}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = MutableHeaders(scope=message)
                for name, value in BASE_HEADERS.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["content-security-policy"] = PAGE_CSP
                if path.startswith("/p/"):
                    headers["cache-control"] = "no-store"
                    headers["pragma"] = "no-cache"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            log.info(
                "%s %s %s %dms",
                scope.get("method", "-"),
                mask(path),
                status["code"] or "-",
                int((time.monotonic() - started) * 1000),
            )
