"""A submission is (partner, SHA-256) (SPEC §7.1, issue 15): the same bytes from two partners
are two submissions with two receipts, and three processes taking in the same file at once
load it once; the others are told ``already_received``."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

from tests.helpers import write
from tests.reliability.common import CLI, GOOD, REPO

EMPTY = "dataelement;område;periode;værdi\n"


def _history(cli, root: Path) -> list[dict]:  # noqa: ANN001
    code, out, err = cli("history", "--workspace", root, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def _receipt(root: Path, partner: str, name: str, text: str) -> dict:
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    stem = f"{Path(name).stem}.{sha[:8]}"
    return json.loads((root / "outbox" / partner / f"{stem}.json").read_text(encoding="utf-8"))


def test_the_same_bytes_from_two_partners_are_two_submissions(workspace_dir, cli):
    write(workspace_dir / "inbox" / "SKOLE" / "tal.csv", GOOD)
    write(workspace_dir / "inbox" / "KOMMUNE" / "tal.csv", GOOD)
    write(workspace_dir / "inbox" / "SKOLE" / "tom.csv", EMPTY)
    write(workspace_dir / "inbox" / "NGO" / "tom.csv", EMPTY)
    code, out, err = cli("ingest", "--workspace", workspace_dir)
    assert code == 1, err  # KOMMUNE does not report the school's figures; the empty files
    trail = _history(cli, workspace_dir)
    assert sorted((r["partner"], r["file"], r["status"]) for r in trail) == [
        ("KOMMUNE", "tal.csv", "rejected"),
        ("NGO", "tom.csv", "rejected"),
        ("SKOLE", "tal.csv", "accepted"),
        ("SKOLE", "tom.csv", "rejected"),
    ]
    for partner, name, text in [
        ("SKOLE", "tal.csv", GOOD),
        ("KOMMUNE", "tal.csv", GOOD),
        ("SKOLE", "tom.csv", EMPTY),
        ("NGO", "tom.csv", EMPTY),
    ]:
        receipt = _receipt(workspace_dir, partner, name, text)
        assert receipt["partner"] == partner and "note" not in receipt, receipt
        assert not (workspace_dir / "inbox" / partner / name).exists()
    kommune = _receipt(workspace_dir, "KOMMUNE", "tal.csv", GOOD)
    assert {e["code"] for e in kommune["errors"]} == {"not_responsible"}
    assert _receipt(workspace_dir, "NGO", "tom.csv", EMPTY)["errors"][0]["code"] == "empty_file"


def test_the_same_bytes_again_from_the_same_partner_are_already_received(workspace_dir, cli):
    source = write(workspace_dir.parent / "tal.csv", GOOD)
    code, out, _ = cli("ingest", source, "--partner", "SKOLE", "--workspace", workspace_dir)
    assert code == 0 and "already_received" not in out
    code, out, _ = cli("ingest", source, "--partner", "SKOLE", "--workspace", workspace_dir)
    assert code == 0 and "allerede modtaget" in out and "Den er ikke indlæst igen" in out
    code, out, _ = cli("ingest", source, "--partner", "KOMMUNE", "--workspace", workspace_dir)
    assert code == 1 and "allerede modtaget" not in out  # another partner: its own submission
    assert [r["partner"] for r in _history(cli, workspace_dir)] == ["SKOLE", "KOMMUNE"]
    # the school's outbox keeps the acceptance receipt it got the first time
    assert "note" not in _receipt(workspace_dir, "SKOLE", "tal.csv", GOOD)


def test_three_processes_ingesting_the_same_file_load_it_once(workspace_dir, tmp_path):
    source = write(tmp_path / "skole.csv", GOOD)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CI_MEASURE_")}
    command = [*CLI, "ingest", str(source), "--partner", "SKOLE", "--workspace", str(workspace_dir)]
    runs = [
        subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err
        assert "internal_error" not in err and "Traceback" not in err, err
        assert "Godkendt / Accepted: skole.csv" in out
    told = sorted("allerede modtaget" in out for out, _ in outputs)
    assert told == [False, True, True], [out for out, _ in outputs]
    with_cells = subprocess.run(
        [*CLI, "history", "--workspace", str(workspace_dir), "--format", "json"],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert [(r["file"], r["status"], r["rows"]) for r in json.loads(with_cells.stdout)] == [
        ("skole.csv", "accepted", 4)
    ]
    assert list((workspace_dir / "inbox" / "SKOLE").iterdir()) == []
    assert "note" not in _receipt(workspace_dir, "SKOLE", "skole.csv", GOOD)
