"""The portal's public page under approval (SPEC §13): no number before the partnership has
approved it, the approved figure afterwards, and the story behind the curve rendered safely."""

from __future__ import annotations

import os

from ci_measure.portal.app import create_app
from tests.portal.support import GOOD, TestClient, links_for, make_workspace, send, visible_text

STORY = """# Eksempel: overgangen til uddannelse

Flere unge i **Nord** er i uddannelse 15 måneder efter 9. klasse.

<script>alert("story")</script>

![kurve fra kommunen](http://example.com/kurve.png)

[Læs mere](https://www.esbjerg.dk/) · [farlig](javascript:alert(1))
"""


def test_the_public_page_waits_for_approval_and_shows_the_story_safely(tmp_path, cli):
    root = make_workspace(
        tmp_path / "ws", "public_scorecard: true\npublishing: {approval: required}\n"
    )
    links = links_for(root, "SKOLE")
    (root / "stories").mkdir()
    (root / "stories" / "UDD_OVERGANG.md").write_text(STORY, encoding="utf-8")
    with TestClient(create_app(root)) as client:
        send(client, links["SKOLE"], "skoler.csv", GOOD)
        page = client.get("/scorecard").text
        text = visible_text(page)
        assert "Afventer godkendelse: 2023/24" in text and "85,0" not in text
        csv = client.get("/published_figures.csv").text
        assert ";34;" not in csv and "afventer godkendelse" in csv

        assert cli("approve", "--workspace", root, "--period", "2023/24")[0] == 0
        page = client.get("/scorecard").text
        text = visible_text(page)
        assert "85,0" in text and "Afventer godkendelse" not in text
        assert "Historien bag kurven" in text and "Eksempel: overgangen til uddannelse" in text
        assert "<strong>Nord</strong>" in page
        # raw HTML is text, an image loads nothing (its alt text stays), no script links
        assert "&lt;script&gt;alert(&quot;story&quot;)&lt;/script&gt;" in page
        assert '<script>alert("story")' not in page
        assert "<img" not in page and "example.com" not in page and "[kurve fra kommunen]" in text
        assert 'href="javascript:' not in page
        assert 'href="https://www.esbjerg.dk/" rel="noopener noreferrer nofollow"' in page

        # an edited story is on the next visit
        story = root / "stories" / "UDD_OVERGANG.md"
        story.write_text("Ny historie.\n", encoding="utf-8")
        later = os.stat(story).st_mtime_ns + 10**9
        os.utime(story, ns=(later, later))
        assert "Ny historie." in visible_text(client.get("/scorecard").text)
