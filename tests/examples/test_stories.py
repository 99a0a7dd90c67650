"""Every example partnership (and the demo) brings a short Danish story behind one curve,
marked as an example, and the scorecard shows it under that indicator (SPEC §13)."""

from __future__ import annotations

import re

import pytest

from ci_measure.config.examples import list_examples


@pytest.mark.parametrize("slug", [slug for slug, _, _ in list_examples()])
def test_each_example_has_a_story_marked_as_an_example_on_its_scorecard(slug, cli, tmp_path):
    root = tmp_path / slug
    assert cli("init", "--example", slug, "--workspace", root)[0] == 0
    [story] = list((root / "stories").glob("*.md"))
    text = story.read_text(encoding="utf-8")
    assert text.startswith("*Eksempel: en opdigtet historie") and "**Bag kurven.**" in text
    cli("ingest", "--workspace", root)
    assert cli("report", "--workspace", root, "-o", tmp_path / "out")[0] == 0
    page = (tmp_path / "out" / "scorecard.html").read_text(encoding="utf-8")
    section = re.search(
        rf'<section class="card indicator" id="ind-{story.stem}".*?</section>', page, re.S
    )
    assert section, f"{story.stem} is not on the scorecard"
    assert (
        "Historien bag kurven" in section.group() and "<em>Eksempel: en opdigtet" in section.group()
    )
