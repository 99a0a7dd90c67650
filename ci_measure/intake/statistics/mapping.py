"""Read and check ``<workspace>/statistics/*.yaml`` (SPEC §11) into :class:`Mapping` objects.

A mapping says how one kind of public-statistics export (a Statistikbanken table) becomes
the partnership's cells. It is configuration written by an analyst, so every mistake is
refused with the mapping's file and line, the way ``partnership.yaml`` is: a silently wrong
mapping would put a municipality's population into the wrong area or sum the wrong ages.

Where SPEC §11 is silent the format is extended minimally (docs/statistics.md):

* ``header: false`` - an export without a header row (STATUSU6): ``columns`` names the
  file's columns, left to right;
* ``period: {across: true}`` - the table download, periods across the columns: ``columns``
  names the label columns on the left (their header cells may be blank: matched by position);
* ``value`` per element - an export with several value columns (STATUSU6's statuses).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ci_measure.config.model import ORIGINS, SEXES, Workspace
from ci_measure.config.yamlsource import Map, Source, Text, is_null, line_of, load_yaml
from ci_measure.intake.columns import ORIGIN_ALIASES, SEX_ALIASES, normalise, normalise_code_value

FOLDER = "statistics"
REQUIRED = ("partner", "columns", "period", "area", "elements")
OPTIONAL = ("value", "sex", "origin", "header")
ELEMENT_KEYS = ("where", "year_from", "value")
YEAR_FROM = ("last", "sum")
# A total row of an export: TOT / IALT (codes), "I alt", "Alder i alt", "København i alt" (labels).
_TOTAL = re.compile(r"^(tot|total|ialt|i alt|.+ i alt)$")
_RANGE = re.compile(r"^\s*(\d+)\s*[-–]\s*(\d+)\s*$")
_NUMBER = re.compile(r"^\s*(\d+)\s*$")


def value_key(text: object) -> str:
    """How a cell of the export is compared with the mapping: trimmed, any case, æøå folded."""
    return normalise_code_value(str(text))


def is_total(key: str) -> bool:
    """A total row's label or code (``TOT``, ``IALT``, ``I alt``, ``Alder i alt``)."""
    return bool(_TOTAL.match(key))


@dataclass(frozen=True)
class Dimension:
    """area, sex or origin: the column that holds it and how its values become codes."""

    column: str  # the column's key (normalised name)
    values: dict[str, str]  # value_key(cell) -> code


@dataclass(frozen=True)
class Condition:
    """One ``where`` entry: the rows whose ``column`` holds one of these values or numbers."""

    column: str
    exact: frozenset[str]  # value keys
    ranges: tuple[tuple[int, int], ...]  # inclusive

    def matches(self, key: str) -> bool:
        """``key`` is a value key; a number range matches "16", "16 år", and "15-19 år" only
        when the whole interval lies inside."""
        if key in self.exact:
            return True
        interval = numeric_interval(key)
        return interval is not None and any(
            low <= interval[0] and interval[1] <= high for low, high in self.ranges
        )


def numeric_interval(key: str) -> tuple[int, int] | None:
    """The numbers a value starts with: "16 år" -> (16, 16), "15-19 år" -> (15, 19)."""
    match = re.match(r"^\s*(\d+)(?:\s*[-–]\s*(\d+))?", key)
    if match is None:
        return None
    low = int(match.group(1))
    return low, int(match.group(2)) if match.group(2) else low


@dataclass(frozen=True)
class ElementRule:
    data_element: str
    where: tuple[Condition, ...]
    year_from: str | None  # last | sum | None
    value: str  # key of the value column
    line: int | None


@dataclass(frozen=True)
class Mapping:
    name: str  # "statistics/folk1a.yaml", as messages show it
    partner: str
    columns: tuple[str, ...]  # as written in the mapping
    keys: tuple[str, ...]  # normalise(column)
    header: bool  # False: the export has no header row
    across: bool  # True: the periods run across the columns (the table download)
    period: str | None  # key of the period column (None when across)
    area: Dimension
    sex: Dimension | None
    origin: Dimension | None
    elements: tuple[ElementRule, ...]

    @property
    def value_keys(self) -> tuple[str, ...]:
        """The value columns, in the order of ``columns``."""
        used = {e.value for e in self.elements}
        return tuple(k for k in self.keys if k in used)

    def shown(self, key: str) -> str:
        """A column's name as the mapping writes it."""
        return self.columns[self.keys.index(key)] if key in self.keys else key


def mapping_files(root: Path) -> list[Path]:
    """The mapping files of a workspace, in name order (dot files are never read)."""
    folder = Path(root) / FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in (".yaml", ".yml") and not p.name.startswith(".") and p.is_file()
    )


def load_mappings(workspace: Workspace) -> list[Mapping]:
    """Every mapping of the workspace, checked; the first mistake is a ConfigError."""
    return [load_mapping(path, workspace) for path in mapping_files(workspace.root)]


def load_mapping(path: Path, workspace: Workspace) -> Mapping:
    name = f"{FOLDER}/{Path(path).name}"
    return _Reader(Source(name), workspace).mapping(load_yaml(Path(path), name))


class _Reader:
    def __init__(self, src: Source, workspace: Workspace) -> None:
        self.src = src
        self.workspace = workspace
        self.keys: dict[str, Text] = {}  # key -> column as written

    def mapping(self, loaded: Any) -> Mapping:
        if loaded is None:
            raise self.src.error(None, "the file is empty; see docs/statistics.md for an example")
        doc = self.src.mapping(loaded, "a statistics mapping")
        self.src.keys(doc, "mapping", REQUIRED, OPTIONAL)
        partners = {p.code.upper(): p.code for p in self.workspace.partnership.partners}
        partner = self.src.known(doc["partner"], partners, "partner")
        header = self.src.boolean(doc, "header", "mapping", True)
        columns = self.columns(doc)
        across, period = self.period(doc, header)
        value = self.column(doc, "value") if not is_null(doc.get("value")) else None
        if across and value is not None:
            raise self.src.error(
                doc["value"],
                "with the periods across the columns the numbers are the cells under the periods; "
                "remove 'value'",
            )
        area = self.dimension(doc, "area", None, required=True)
        assert area is not None
        sex = self.dimension(doc, "sex", (SEXES, SEX_ALIASES))
        origin = self.dimension(doc, "origin", (ORIGINS, ORIGIN_ALIASES))
        dims = {area.column, period} | {d.column for d in (sex, origin) if d}
        elements = self.elements(doc, partner, value, across, dims, area)
        return Mapping(
            name=self.src.name,
            partner=partner,
            columns=tuple(str(c) for c in columns),
            keys=tuple(self.keys),
            header=header,
            across=across,
            period=period,
            area=area,
            sex=sex,
            origin=origin,
            elements=elements,
        )

    def columns(self, doc: Map) -> list[Text]:
        columns = self.src.texts(doc, "columns", "mapping")
        if not columns:
            raise self.src.error(
                doc.key_line("columns"), "'columns' must name the export's columns"
            )
        for column in columns:
            key = normalise(column)
            if not key:
                raise self.src.error(column, "a column name must not be empty")
            if key in self.keys:
                raise self.src.error(
                    column,
                    f"the column '{column}' is named twice (also '{self.keys[key]}'); "
                    "name each column once",
                )
            self.keys[key] = column
        return columns

    def column(self, node: Map, key: str, what: str = "mapping") -> str:
        """The key of a column the mapping names, which must be one of ``columns``."""
        text = self.src.text(node, key, what) or ""
        if normalise(text) not in self.keys:
            close = difflib.get_close_matches(text, [str(c) for c in self.keys.values()], n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise self.src.error(
                node.get(key) or node,
                f"{what}: '{key}' is the column '{text}', but the export has no such column "
                f"('columns' lists {', '.join(str(c) for c in self.keys.values())}){hint}",
            )
        return normalise(text)

    def period(self, doc: Map, header: bool) -> tuple[bool, str | None]:
        node = doc["period"]
        if isinstance(node, Map):
            self.src.keys(node, "period", ("across",))
            if not self.src.boolean(node, "across", "period", False):
                raise self.src.error(
                    node,
                    "period: write the period column's name (period: TID), or "
                    "{across: true} when the periods run across the columns",
                )
            if not header:
                raise self.src.error(
                    doc.key_line("header"),
                    "with the periods across the columns the header row holds the periods; "
                    "'header: false' cannot be used with it",
                )
            return True, None
        return False, self.column(doc, "period")

    def dimension(
        self,
        doc: Map,
        key: str,
        codes: tuple[tuple[str, ...], dict[str, str]] | None,
        required: bool = False,
    ) -> Dimension | None:
        node = doc.get(key)
        if is_null(node) and not required:
            return None
        if isinstance(node, str) and codes is not None:  # sex: KØN - the spellings of SPEC §3
            column = self.column(doc, key)
            return Dimension(column, dict(codes[1]))
        node = self.src.mapping(node, f"'{key}'", at=doc.key_line(key))
        self.src.keys(node, key, ("column", "map") if codes is None else ("column",), ("map",))
        column = self.column(node, "column", key)
        mapped = node.get("map")
        if is_null(mapped) and codes is not None:
            return Dimension(column, dict(codes[1]))
        mapped = self.src.mapping(mapped, f"{key}: 'map'", at=node.key_line("map"))
        known = (
            {a.code.upper(): a.code for a in self.workspace.partnership.areas}
            if codes is None
            else {c.upper(): c for c in codes[0]}
        )
        what = "area" if codes is None else f"{key} code"
        values: dict[str, str] = {}
        lines: dict[str, int | None] = {}
        for cell, code in mapped.items():
            target = self.src.known(code, known, what)
            vkey = value_key(cell)
            if vkey in values and values[vkey] != target:
                raise self.src.error(
                    mapped.key_line(cell),
                    f"{key}: '{cell}' is mapped twice (also on line {lines[vkey]})",
                )
            values[vkey] = target
            lines[vkey] = mapped.key_line(cell)
        return Dimension(column, values)

    def elements(
        self,
        doc: Map,
        partner: str,
        value: str | None,
        across: bool,
        dims: set[str | None],
        area: Dimension,
    ) -> tuple[ElementRule, ...]:
        seq = self.src.sequence(doc["elements"], "elements", at=doc.key_line("elements"))
        catalog = self.workspace.catalog
        known = {c.upper(): c for c in catalog.data_elements}
        responsible = self.workspace.partnership.responsibility()
        rules: list[ElementRule] = []
        seen: dict[str, int | None] = {}
        for item in seq:
            node = self.src.mapping(item, "each entry of 'elements'", at=seq)
            self.src.keys(node, "element", ("data_element",), ELEMENT_KEYS)
            code = self.src.known(node["data_element"], known, "data element")
            if code in seen:
                raise self.src.error(
                    node["data_element"], f"{code} is listed twice (also on line {seen[code]})"
                )
            seen[code] = line_of(node["data_element"])
            for target in sorted(set(area.values.values())):
                owner = responsible.get((code, target))
                if owner != partner:
                    who = f"partner {owner} does" if owner else "no partner does"
                    raise self.src.error(
                        node["data_element"],
                        f"{partner} is not responsible for {code} in area {target} "
                        f"({who}, see partnership.yaml); add it to {partner}'s 'reports' "
                        "or take the area out of 'area: map'",
                    )
            own = None if is_null(node.get("value")) else self.column(node, "value", code)
            if own is not None and across:
                raise self.src.error(
                    node["value"], f"{code}: the numbers are under the periods; remove 'value'"
                )
            column = own or value
            if column is None and not across:
                raise self.src.error(
                    node,
                    f"{code}: which column holds the numbers? write 'value: COLUMN' "
                    "(for the mapping, or for this element)",
                )
            if column is not None and column in dims:
                raise self.src.error(
                    node.get("value") or doc.get("value"),
                    f"{code}: the column '{self.keys[column]}' is used for the area, period, "
                    "sex or origin and cannot hold the numbers",
                )
            year_from = self.year_from(node, code)
            where = self.where(node, code, dims)
            rules.append(ElementRule(code, where, year_from, column or "", line_of(node)))
        if not rules:
            raise self.src.error(doc.key_line("elements"), "'elements' must list a data element")
        self.no_value_in_where(rules)
        return tuple(rules)

    def year_from(self, node: Map, code: str) -> str | None:
        if is_null(node.get("year_from")):
            return None
        choice = self.src.choice(node, "year_from", code, YEAR_FROM)
        kind = self.workspace.catalog.data_elements[code].period_type
        if kind != "year":
            raise self.src.error(
                node["year_from"],
                f"{code} is reported per {kind.replace('_', ' ')}, not per year; "
                "'year_from' makes years from quarters or months - remove it",
            )
        return choice

    def where(self, node: Map, code: str, dims: set[str | None]) -> tuple[Condition, ...]:
        if is_null(node.get("where")):
            return ()
        where = self.src.mapping(node["where"], f"{code}: 'where'", at=node.key_line("where"))
        conditions = []
        for name, wanted in where.items():
            key = normalise(name)
            if key not in self.keys:
                raise self.src.error(
                    where.key_line(name),
                    f"{code}: 'where' names the column '{name}', but the export has no such column "
                    f"('columns' lists {', '.join(str(c) for c in self.keys.values())})",
                )
            if key in dims:
                raise self.src.error(
                    where.key_line(name),
                    f"{code}: '{name}' is the area, period, sex or origin column; "
                    "choose rows by another column",
                )
            conditions.append(self.condition(key, name, wanted, code, where.key_line(name)))
        return tuple(conditions)

    def condition(self, key: str, name: str, wanted: Any, code: str, line: int | None) -> Condition:
        items = [wanted] if isinstance(wanted, str) else wanted
        if not isinstance(items, list) or not items:
            raise self.src.error(
                line, f"{code}: where {name} must be a value, a range (16-64) or a list of values"
            )
        exact: set[str] = set()
        ranges: list[tuple[int, int]] = []
        for item in items:
            if not isinstance(item, str) or is_null(item):
                raise self.src.error(line, f"{code}: where {name} must list plain values")
            found = _RANGE.match(item)
            number = _NUMBER.match(item)
            if found:
                low, high = int(found.group(1)), int(found.group(2))
                if low > high:
                    raise self.src.error(
                        item, f"{code}: the range {item} runs backwards; write {high}-{low}"
                    )
                ranges.append((low, high))
            elif number:
                ranges.append((int(number.group(1)), int(number.group(1))))
            else:
                exact.add(value_key(item))
        totals = sorted(k for k in exact if is_total(k))
        if totals and (len(exact) > 1 or ranges):
            raise self.src.error(
                line,
                f"{code}: where {name} mixes the total ('{totals[0]}') with its parts; a total "
                "is never added to its own parts - choose the total alone, or the parts",
            )
        return Condition(key, frozenset(exact), tuple(ranges))

    def no_value_in_where(self, rules: list[ElementRule]) -> None:
        values = {r.value for r in rules}
        for rule in rules:
            for condition in rule.where:
                if condition.column in values:
                    raise self.src.error(
                        rule.line,
                        f"{rule.data_element}: '{self.keys[condition.column]}' holds numbers "
                        "(a 'value' column); 'where' chooses rows by a label column",
                    )
