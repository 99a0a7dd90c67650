"""YAML configuration read as text with line numbers, so every error can name its line.

Every scalar stays a string: YAML 1.1 would turn an unquoted ``0561`` into the octal number
369 and ``no`` into False, and a partnership's codes must survive exactly as typed. The
loader returns :class:`Map`, :class:`Seq` and :class:`Text` (``dict``, ``list`` and ``str``
subclasses) that each carry the ``line`` they start on; :class:`Source` turns them into
checked Python values or a :class:`ConfigError` saying "<file>, line N: ...".
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from ci_measure.errors import ConfigError

_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # no type resolution at all
NULLS = ("", "~", "null", "Null", "NULL")
TRUE = ("true", "yes", "on", "ja", "1")
FALSE = ("false", "no", "off", "nej", "0")
_IDENTIFIER = re.compile(r"^[A-Z][A-Z0-9_]*$")


class Text(str):
    """A scalar exactly as written, with the line it is on."""

    line: int | None = None


class Map(dict):
    """A mapping; ``key_line(key)`` is the line of a key, ``line`` that of the mapping."""

    line: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[str, int] = {}

    def key_line(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


class Seq(list):
    """A sequence; each item carries its own line."""

    line: int | None = None


def line_of(value: Any) -> int | None:
    """The line a loaded value starts on (None for values not read from YAML)."""
    return getattr(value, "line", None)


def _build(node: yaml.Node, source: str) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        text = Text(node.value)
        text.line = line
        return text
    if isinstance(node, yaml.SequenceNode):
        seq = Seq(_build(item, source) for item in node.value)
        seq.line = line
        return seq
    mapping = Map()
    mapping.line = line
    for key_node, value_node in node.value:
        key_line = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            raise ConfigError(f"{source}, line {key_line}: a key must be a plain word")
        key = key_node.value
        if key in mapping:
            raise ConfigError(
                f"{source}, line {key_line}: the key '{key}' is given twice "
                f"(also on line {mapping.key_lines[key]}); keep one",
                file=source,
                line=key_line,
            )
        mapping[key] = _build(value_node, source)
        mapping.key_lines[key] = key_line
    return mapping


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text into Map/Seq/Text (None for an empty document)."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        where = f"{source}, line {line}" if line else source
        raise ConfigError(
            f"{where}: not valid YAML ({error.problem or error.context}); check the indentation "
            "and quote values that contain ':' or '#'",
            file=source,
            line=line,
        ) from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not valid YAML ({error})", file=source) from None
    return None if node is None else _build(node, source)


def load_yaml(path: Path, source: str | None = None) -> Any:
    """Read and parse a YAML file; ``source`` is the name errors use (default: the path)."""
    name = source or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{name}: not UTF-8 text; save the file as UTF-8", file=name) from None
    except OSError as error:
        raise ConfigError(f"{name}: cannot be read ({error.strerror})", file=name) from None
    return parse_yaml(text, name)


def is_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in NULLS)


class Source:
    """Checks loaded values and raises ConfigErrors that name this file and the line."""

    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, at: Any, message: str) -> ConfigError:
        line = at if isinstance(at, int) or at is None else line_of(at)
        where = f"{self.name}, line {line}" if line else self.name
        return ConfigError(f"{where}: {message}", file=self.name, line=line)

    def known(self, value: Any, known: dict[str, str], what: str) -> str:
        """The canonical spelling of a known code (``known``: upper-case -> as written), or an
        error naming the line and suggesting the closest codes."""
        text = str(value).strip()
        if text.upper() in known:
            return known[text.upper()]
        close = difflib.get_close_matches(text.upper(), list(known), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(known[c] for c in close)}?" if close else ""
        if not close and len(known) <= 12:
            hint = f"; use one of: {', '.join(known.values())}"
        raise self.error(value, f"unknown {what} '{text}'{hint}")

    def mapping(self, value: Any, what: str, at: Any = None) -> Map:
        if isinstance(value, Map):
            return value
        raise self.error(
            at if value is None else value, f"{what} must be a mapping of 'key: value' lines"
        )

    def sequence(self, value: Any, what: str, at: Any = None) -> Seq:
        """A list; absent or empty means an empty list. ``at`` locates an absent value."""
        if is_null(value):
            empty = Seq()
            empty.line = line_of(value) or line_of(at)
            return empty
        if isinstance(value, Seq):
            return value
        raise self.error(value, f"{what} must be a list (lines starting with '- ', or [a, b])")

    def keys(
        self, node: Map, what: str, required: Iterable[str], optional: Iterable[str] = ()
    ) -> None:
        required = tuple(required)
        allowed = required + tuple(optional)
        for key in node:
            if key not in allowed:
                raise self.error(
                    node.key_line(key),
                    f"{what}: unknown key '{key}'; the keys are: {', '.join(allowed)}",
                )
        for key in required:
            if key not in node or is_null(node[key]):
                raise self.error(node.key_line(key), f"{what}: '{key}' is required")

    def text(self, node: Map, key: str, what: str, default: str | None = None) -> str | None:
        value = node.get(key)
        if is_null(value):
            return default
        if not isinstance(value, str):
            raise self.error(
                value, f"{what}: '{key}' must be a single value, not a list or mapping"
            )
        return str(value).strip()

    def code(self, node: Map, key: str, what: str) -> str:
        """An upper-case identifier such as NEET_ANDEL (catalog codes)."""
        value = self.text(node, key, what) or ""
        if not _IDENTIFIER.match(value):
            raise self.error(
                node.get(key) or node,
                f"{what}: the code '{value}' must be upper-case letters, digits and _, "
                f"starting with a letter (e.g. {re.sub(r'[^A-Z0-9_]', '_', value.upper()) or 'MY_CODE'})",
            )
        return value

    def choice(
        self, node: Map, key: str, what: str, options: Iterable[str], default: str | None = None
    ) -> str:
        options = tuple(options)
        value = self.text(node, key, what, default)
        if value not in options:
            raise self.error(
                node.get(key) or node,
                f"{what}: '{key}' is '{value}', but must be one of: {', '.join(options)}",
            )
        return value

    def number(self, node: Map, key: str, what: str, default: float | None = None) -> float:
        value = self.text(node, key, what)
        if value is None and default is not None:
            return default
        text = (value or "").replace("_", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")  # a Danish decimal comma: 71,5
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise self.error(
                node.get(key) or node, f"{what}: '{key}' must be a number, not '{value}'"
            )
        return number

    def integer(self, node: Map, key: str, what: str, default: int) -> int:
        number = self.number(node, key, what, float(default))
        if not number.is_integer():
            raise self.error(
                node.get(key), f"{what}: '{key}' must be a whole number, not '{node[key]}'"
            )
        return int(number)

    def boolean(self, node: Map, key: str, what: str, default: bool) -> bool:
        value = self.text(node, key, what)
        if value is None:
            return default
        if value.lower() in TRUE:
            return True
        if value.lower() in FALSE:
            return False
        raise self.error(node.get(key), f"{what}: '{key}' must be true or false, not '{value}'")

    def texts(self, node: Map, key: str, what: str) -> list[Text]:
        """A list of plain values (``[a, b]`` or a single value)."""
        value = node.get(key)
        if isinstance(value, str) and not is_null(value):
            return [value]
        items = self.sequence(value, f"{what}: '{key}'", at=node.key_line(key))
        for item in items:
            if not isinstance(item, str) or is_null(item):
                raise self.error(
                    item if line_of(item) else items, f"{what}: '{key}' must list plain values"
                )
        return list(items)
