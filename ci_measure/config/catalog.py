"""The catalog of data elements, indicators and rules: reference data plus a workspace's own.

The reference catalog (SPEC §5) is data, ``indicators/catalog.yaml``, so that labels,
definitions and sources can be read and corrected without touching code. A partnership may
add codes in ``<workspace>/catalog.yaml`` but never redefine a reference code: the same code
must mean the same thing in every partnership.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from ci_measure.config.model import PERIOD_TYPES, TIME_RULES, Catalog, DataElement, Indicator, Rule
from ci_measure.config.yamlsource import Map, Source, is_null, line_of, load_yaml

REFERENCE = Path(__file__).resolve().parents[2] / "indicators" / "catalog.yaml"
SECTIONS = ("data_elements", "indicators", "rules")
DIRECTIONS = ("up", "down")
TEXTS = ("definition_da", "definition_en", "source")
ELEMENT_KEYS = ("code", "label_da", "label_en", "unit", "period_type", "time")
INDICATOR_KEYS = ("code", "label_da", "label_en", "numerator", "multiplier", "unit", "direction")
FRAME_COLUMNS = (
    "code", "label_da", "label_en", "numerator", "denominator", "multiplier", "unit",
    "direction", "definition_da", "definition_en", "source", "formula",
)  # fmt: skip


class _Parser:
    """Reads one catalog file on top of the codes already known (the reference, if any)."""

    def __init__(self, path: Path, name: str, base: Catalog | None) -> None:
        self.src = Source(name)
        self.path = path
        self.base = base or Catalog({}, {}, ())
        self.elements: dict[str, DataElement] = {}
        self.indicators: dict[str, Indicator] = {}
        self.rules: list[Rule] = []
        self.lines: dict[tuple[str, str], int | None] = {}

    def parse(self) -> Catalog:
        loaded = load_yaml(self.path, self.src.name)
        doc = Map() if loaded is None else self.src.mapping(loaded, "the catalog")
        self.src.keys(doc, "the catalog", (), SECTIONS)
        for item in self.src.sequence(doc.get("data_elements"), "data_elements"):
            self._element(self.src.mapping(item, "a data element"))
        for item in self.src.sequence(doc.get("indicators"), "indicators"):
            self._indicator(self.src.mapping(item, "an indicator"))
        for item in self.src.sequence(doc.get("rules"), "rules"):
            self._rule(self.src.mapping(item, "a rule"))
        return Catalog(self.elements, self.indicators, tuple(self.rules))

    def _new_code(self, node: Map, kind: str, known: dict, mine: dict) -> str:
        code = self.src.code(node, "code", kind)
        if code in known:
            raise self.src.error(
                node["code"],
                f"{kind} {code} is already in the reference catalog and cannot be redefined; "
                f"choose a new code (e.g. {code}_EGEN)",
            )
        if code in mine:
            first = self.lines[(kind, code)]
            raise self.src.error(
                node["code"], f"{kind} {code} is listed twice (also on line {first})"
            )
        self.lines[(kind, code)] = line_of(node["code"])
        return code

    def _texts(self, node: Map, what: str) -> dict[str, str]:
        return {key: self.src.text(node, key, what, "") or "" for key in TEXTS}

    def _element(self, node: Map) -> None:
        self.src.keys(node, "data element", ELEMENT_KEYS, (*TEXTS, "allow_negative"))
        code = self._new_code(node, "data element", self.base.data_elements, self.elements)
        what = f"data element {code}"
        self.elements[code] = DataElement(
            code=code,
            label_da=self.src.text(node, "label_da", what) or "",
            label_en=self.src.text(node, "label_en", what) or "",
            unit=self.src.text(node, "unit", what) or "",
            period_type=self.src.choice(node, "period_type", what, PERIOD_TYPES),
            time_rule=self.src.choice(node, "time", what, TIME_RULES),
            allow_negative=self.src.boolean(node, "allow_negative", what, False),
            **self._texts(node, what),
        )

    def _known_element(self, node: Map, key: str, what: str) -> str:
        value = self.src.text(node, key, what) or ""
        if value not in self.elements and value not in self.base.data_elements:
            raise self.src.error(
                node[key], f"{what}: unknown {key} '{value}'; it must be a data element code"
            )
        return value

    def _element_of(self, code: str) -> DataElement:
        return self.elements.get(code) or self.base.data_elements[code]

    def _indicator(self, node: Map) -> None:
        self.src.keys(node, "indicator", INDICATOR_KEYS, ("denominator", *TEXTS))
        code = self._new_code(node, "indicator", self.base.indicators, self.indicators)
        what = f"indicator {code}"
        numerator = self._known_element(node, "numerator", what)
        denominator = None
        if not is_null(node.get("denominator")):
            denominator = self._known_element(node, "denominator", what)
            types = {self._element_of(c).period_type for c in (numerator, denominator)}
            if len(types) > 1:
                raise self.src.error(
                    node["denominator"],
                    f"{what}: numerator {numerator} and denominator {denominator} have "
                    f"different period types ({' and '.join(sorted(types))})",
                )
        multiplier = self.src.number(node, "multiplier", what)
        if multiplier <= 0:
            raise self.src.error(node["multiplier"], f"{what}: 'multiplier' must be greater than 0")
        self.indicators[code] = Indicator(
            code=code,
            label_da=self.src.text(node, "label_da", what) or "",
            label_en=self.src.text(node, "label_en", what) or "",
            numerator=numerator,
            denominator=denominator,
            multiplier=multiplier,
            unit=self.src.text(node, "unit", what) or "",
            direction=self.src.choice(node, "direction", what, DIRECTIONS),
            **self._texts(node, what),
        )

    def _rule(self, node: Map) -> None:
        self.src.keys(node, "rule", ("part", "whole"))
        part = self._known_element(node, "part", "rule")
        whole = self._known_element(node, "whole", "rule")
        rule = Rule(part, whole)
        if part == whole:
            raise self.src.error(node, f"rule: {part} cannot be a part of itself")
        if self._element_of(part).period_type != self._element_of(whole).period_type:
            raise self.src.error(node, f"rule {part} <= {whole}: the period types differ")
        if rule in self.rules or rule in self.base.rules:
            raise self.src.error(node, f"rule {part} <= {whole} is already in the catalog")
        self.rules.append(rule)


@lru_cache(maxsize=1)
def _reference() -> Catalog:
    return _Parser(REFERENCE, "indicators/catalog.yaml", None).parse()


def load_catalog(workspace_root: Path | None = None) -> Catalog:
    """The reference catalog, plus ``<workspace_root>/catalog.yaml`` when there is one."""
    reference = _reference()
    path = Path(workspace_root) / "catalog.yaml" if workspace_root is not None else None
    if path is None or not path.is_file():
        return Catalog(dict(reference.data_elements), dict(reference.indicators), reference.rules)
    own = _Parser(path, str(path), reference).parse()
    return Catalog(
        {**reference.data_elements, **own.data_elements},
        {**reference.indicators, **own.indicators},
        reference.rules + own.rules,
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def formula(indicator: Indicator) -> str:
    """The computation as a reader sees it: ``100 × ELEVER_UDD_15MD / ELEVER_AFGANG_9KL``."""
    text = indicator.numerator
    if indicator.denominator:
        text = f"{text} / {indicator.denominator}"
    if indicator.multiplier != 1:
        text = f"{_number(indicator.multiplier)} × {text}"
    return text


def catalog_frame(catalog: Catalog) -> pd.DataFrame:
    """One row per indicator, in catalog order, with its labels, definition and formula."""
    rows = [
        {
            **{c: getattr(ind, c) for c in FRAME_COLUMNS if c != "formula"},
            "formula": formula(ind),
        }
        for ind in catalog.indicators.values()
    ]
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
