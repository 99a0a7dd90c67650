"""Docs are part of the product: generated references are current; every command and code is documented."""

from __future__ import annotations

import argparse
from pathlib import Path

from ci_measure import docs
from ci_measure.cli import build_parser
from ci_measure.errors import ERROR_CODES

REPO = Path(__file__).resolve().parents[1]


def test_generated_references_are_up_to_date():
    assert docs.main(["--check"]) == 0, "run `python -m ci_measure.docs` and commit docs/"


def commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


def test_every_command_is_in_the_readme_and_the_cli_reference():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    cli = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in commands():
        assert f"ci-measure {command}" in readme, command
        assert f"## ci-measure {command}" in cli, command


def test_every_error_code_is_in_the_reference_and_the_partner_guide_is_danish():
    reference = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    for code in ERROR_CODES:
        assert f"| {code} | error |" in reference
    guide = (REPO / "docs" / "partnerguide.md").read_text(encoding="utf-8")
    assert "kvittering" in guide.lower() and "skabelon" in guide.lower()


def test_readme_opens_with_the_two_commands():
    head = (REPO / "README.md").read_text(encoding="utf-8")[:400]
    assert "make demo" in head and "make test" in head
