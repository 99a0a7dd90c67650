"""The story behind the curve (SPEC §13): ``stories/<INDICATOR>.md`` under the indicator.

The partnership writes the story in Markdown; it is rendered by markdown-it-py (CommonMark)
with raw HTML off, so ``<script>`` and any other tag is shown as the text it is. Images are
never loaded: the scorecard is one offline file and a remote image would tell a third party
who reads it, so an image is shown as its alt text. Links keep markdown-it's own check
(no ``javascript:``, ``vbscript:``, ``file:`` or ``data:``) and open without a referrer.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

FOLDER = "stories"
MAX_BYTES = 100_000  # a story is a few paragraphs; a huge file is cut, never a huge page


def _image_as_text(tokens, idx, options, env) -> str:  # noqa: ANN001
    """An image becomes its alt text in brackets: nothing is fetched."""
    alt = "".join(child.content for child in tokens[idx].children or [])
    return str(escape(f"[{alt}]")) if alt else ""


def _link_open(tokens, idx, options, env) -> str:  # noqa: ANN001
    tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
    return renderer.renderToken(tokens, idx, options, env)


def _heading(tokens, idx, options, env) -> str:  # noqa: ANN001
    """Headings sit under the indicator's own (h2, h3): a story's '#' is an h4."""
    tokens[idx].tag = f"h{min(int(tokens[idx].tag[1]) + 3, 6)}"
    return renderer.renderToken(tokens, idx, options, env)


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
renderer = _md.renderer
renderer.rules["image"] = _image_as_text
renderer.rules["link_open"] = _link_open
renderer.rules["heading_open"] = renderer.rules["heading_close"] = _heading


def render_story(text: str) -> Markup:
    """Markdown to safe HTML (the renderer escapes every text; raw HTML is text)."""
    return Markup(_md.render(text))  # noqa: S704 - markdown-it output with html off


def load_stories(root: Path, codes: list[str]) -> dict[str, Markup]:
    """The stories present in ``<workspace>/stories/``, by indicator code (file name in any case)."""
    folder = Path(root) / FOLDER
    if not folder.is_dir():
        return {}
    files = {p.stem.upper(): p for p in folder.glob("*.md") if p.is_file()}
    stories = {}
    for code in codes:
        path = files.get(code.upper())
        if path is not None:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES)
            stories[code] = render_story(raw.decode("utf-8", errors="replace"))
    return stories
