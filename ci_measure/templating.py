"""HTML from Jinja2 templates with autoescape on: escaping is the default, never a hand-made step.

Each package keeps its pages in ``<package>/templates/``; a page can be read as HTML. A value
that is already safe HTML (an inline SVG chart we drew, a rendered story) is marked with
``markupsafe.Markup`` by the code that made it, never by the template.
"""

from __future__ import annotations

from functools import cache

import jinja2


@cache
def environment(package: str) -> jinja2.Environment:
    """The template environment of ``package`` (e.g. ``"ci_measure.report"``)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(package: str, template: str, **context: object) -> str:
    return environment(package).get_template(template).render(**context)
