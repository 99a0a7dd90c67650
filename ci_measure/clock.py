"""One clock, two faces: people read Danish local time with the zone named, machines read
ISO 8601 UTC.

The warehouse stores naive UTC (``utc_now``). Everything a person reads — receipts, the
scorecard, `status`, `history` tables, the portal — shows :func:`for_people`
(``28-11-2026 kl. 14:03 CET``); everything a program reads — JSON, CSV, receipts' JSON —
carries :func:`for_machines` (``2026-11-28T13:03:00Z``).
"""

from __future__ import annotations

import datetime as dt

ZONE = "Europe/Copenhagen"


def utc_now() -> dt.datetime:
    """Now, as the warehouse stores it: naive UTC."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def as_utc(instant: dt.datetime | str) -> dt.datetime:
    """An aware UTC datetime from a naive-UTC datetime, an aware one, or ISO text."""
    if isinstance(instant, str):
        instant = dt.datetime.fromisoformat(instant.strip().replace("Z", "+00:00"))
    if instant.tzinfo is None:
        return instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(dt.UTC)


def _local(instant: dt.datetime) -> dt.datetime:
    try:
        from zoneinfo import ZoneInfo

        return instant.astimezone(ZoneInfo(ZONE))
    except Exception:  # no time zone database on this machine: say UTC, never guess
        return instant


def for_people(instant: dt.datetime | str | None, seconds: bool = False) -> str:
    """``28-11-2026 kl. 14:03 CET`` (Danish time, the zone named); '' for no time."""
    if instant is None or instant == "":
        return ""
    local = _local(as_utc(instant))
    zone = local.tzname() or "UTC"
    clock = "%H:%M:%S" if seconds else "%H:%M"
    return local.strftime(f"%d-%m-%Y kl. {clock}") + f" {zone}"


def for_machines(instant: dt.datetime | str | None) -> str:
    """``2026-11-28T13:03:00Z`` (ISO 8601, UTC, whole seconds); '' for no time."""
    if instant is None or instant == "":
        return ""
    return as_utc(instant).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
