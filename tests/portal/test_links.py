"""Secret upload links: printed once, stored only as a hash, revocable, compared in constant time."""

from __future__ import annotations

import hashlib
import json
import stat

import pytest

from ci_measure.config.workspace import load_workspace
from ci_measure.portal import tokens


def test_partner_link_prints_the_link_once_and_stores_only_its_hash(portal_root, cli):
    code, out, err = cli(
        "partner-link", "skole", "--url", "https://portal.example/", "--workspace", portal_root
    )
    assert code == 0
    link = out.strip()
    assert link.startswith("https://portal.example/p/") and link.endswith("/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43
    assert "vises kun nu" in err and "SKOLE" in err

    stored = (portal_root / "portal" / "tokens.json").read_text(encoding="utf-8")
    assert token not in stored
    [entry] = json.loads(stored)["tokens"]
    assert entry["partner"] == "SKOLE" and entry["revoked_at"] is None
    assert entry["sha256"] == hashlib.sha256(token.encode()).hexdigest()
    mode = stat.S_IMODE((portal_root / "portal" / "tokens.json").stat().st_mode)
    assert mode == 0o600, "the hashes guard upload rights: owner only"
    for file in (portal_root / "portal").iterdir():
        assert token not in file.read_text(encoding="utf-8", errors="replace")

    verdict = tokens.verify(load_workspace(portal_root), token)
    assert verdict.valid and verdict.partner == "SKOLE"


def test_a_new_link_closes_the_old_one_and_revoke_closes_all(portal_root, cli):
    ws = load_workspace(portal_root)
    first, _, revoked = tokens.create_link(ws, "SKOLE")
    assert revoked == 0
    second, _, revoked = tokens.create_link(ws, "SKOLE")
    assert revoked == 1
    assert tokens.verify(ws, first).state == "revoked"
    assert tokens.verify(ws, second).valid

    code, out, _ = cli("partner-link", "SKOLE", "--revoke", "--workspace", portal_root)
    assert code == 0 and "SKOLE" in out and "revoked" in out
    assert tokens.verify(ws, second).state == "revoked"
    code, out, _ = cli("partner-link", "SKOLE", "--revoke", "--workspace", portal_root)
    assert code == 0 and "intet aktivt link" in out
    entries = tokens.load_entries(portal_root)
    assert len(entries) == 2 and all(e["revoked_at"] for e in entries)  # kept: an audit trail


def test_unknown_partner_is_a_usage_error(portal_root, cli):
    code, out, err = cli("partner-link", "NOBODY", "--workspace", portal_root)
    assert code == 2 and out == ""
    assert "NOBODY" in err and "SKOLE" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "presented",
    ["", "short", "x" * 200, "../../etc/passwd" + "a" * 40, "a" * 43, "ä" * 43, None],
)
def test_malformed_or_unknown_tokens_open_nothing(portal_root, presented):
    ws = load_workspace(portal_root)
    tokens.create_link(ws, "SKOLE")
    verdict = tokens.verify(ws, presented)
    assert not verdict.valid and verdict.partner is None and verdict.state == "unknown"


def test_every_stored_hash_is_compared_in_constant_time(portal_root, monkeypatch):
    ws = load_workspace(portal_root)
    links = [tokens.create_link(ws, p)[0] for p in ("SKOLE", "NGO", "KOMMUNE")]
    calls = []
    real = tokens.hmac.compare_digest

    def counting(a, b):  # noqa: ANN001, ANN202
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(tokens.hmac, "compare_digest", counting)
    assert tokens.verify(ws, links[0]).partner == "SKOLE"  # a match on the first entry…
    assert len(calls) == 3  # …still compares every stored hash: no early exit
    calls.clear()
    assert not tokens.verify(ws, "b" * 43).valid
    assert len(calls) == 3


def test_a_link_of_a_partner_removed_from_the_partnership_opens_nothing(portal_root):
    ws = load_workspace(portal_root)
    token, _, _ = tokens.create_link(ws, "KOMMUNE")
    yaml = (portal_root / "partnership.yaml").read_text(encoding="utf-8")
    start = yaml.index("  - code: KOMMUNE")
    end = yaml.index("  - code: NGO")
    (portal_root / "partnership.yaml").write_text(yaml[:start] + yaml[end:], encoding="utf-8")
    assert not tokens.verify(load_workspace(portal_root), token).valid


def test_the_csrf_key_is_private_and_stable(portal_root):
    key = tokens.secret_key(portal_root)
    assert len(key) >= 32 and tokens.secret_key(portal_root) == key
    mode = stat.S_IMODE((portal_root / "portal" / "secret.key").stat().st_mode)
    assert mode == 0o600
