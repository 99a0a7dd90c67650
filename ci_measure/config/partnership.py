"""Read and check partnership.yaml (SPEC §6) into a :class:`Partnership`.

Every check names the line, and an unknown code names the closest known ones: the people
who edit this file are analysts and coordinators, not programmers. Codes are matched
case-insensitively and stored as the catalog or the areas list spell them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ci_measure.config import checked, periods
from ci_measure.config.model import (
    ORIGINS,
    SEXES,
    Area,
    Assignment,
    Catalog,
    Partner,
    Partnership,
    Target,
)
from ci_measure.config.yamlsource import Map, Source, line_of, load_yaml, parse_yaml

REQUIRED = ("name", "areas", "partners")
OPTIONAL = (
    "suppression_threshold",
    "max_file_mb",
    "baselines",
    "targets",
    "main_area",
    "public_scorecard",
    "publishing",
    "warehouse",
    "lake_data",
)
APPROVAL = ("none", "required")
# A partner's code names its inbox folder, so it must be a safe folder name.
PARTNER_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def load_partnership(path: Path, catalog: Catalog) -> Partnership:
    """Read ``partnership.yaml``; any mistake is a ConfigError naming the file and line.

    A large file that passed before is taken from the cache of checked ones
    (:mod:`ci_measure.config.checked`), keyed by the very bytes parsed here."""
    try:
        data = Path(path).read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        data = None  # load_yaml says what is wrong
    if data is None or len(data) < checked.CACHE_FROM:
        return _Reader(Source(str(path)), catalog).partnership(load_yaml(Path(path), str(path)))
    name = checked.key(data, catalog)
    kept = checked.load(name)
    if kept is not None:
        return kept
    partnership = parse_partnership(text, str(path), catalog)
    checked.store(name, partnership)
    return partnership


def parse_partnership(text: str, name: str, catalog: Catalog) -> Partnership:
    """The same, from text (the starter file, tests)."""
    return _Reader(Source(name), catalog).partnership(parse_yaml(text, name))


class _Reader:
    def __init__(self, src: Source, catalog: Catalog) -> None:
        self.src = src
        self.catalog = catalog
        self.areas: dict[str, str] = {}  # upper-case code -> code as written

    def partnership(self, loaded: Any) -> Partnership:
        if loaded is None:
            raise self.src.error(None, "the file is empty; see `ci-measure init` for an example")
        doc = self.src.mapping(loaded, "partnership.yaml")
        self.src.keys(doc, "partnership", REQUIRED, OPTIONAL)
        threshold = self.src.integer(doc, "suppression_threshold", "partnership", 5)
        if threshold < 1:
            raise self.src.error(
                doc.get("suppression_threshold"), "'suppression_threshold' must be 1 or more"
            )
        max_mb = self.src.number(doc, "max_file_mb", "partnership", 100.0)
        if max_mb <= 0:
            raise self.src.error(doc.get("max_file_mb"), "'max_file_mb' must be greater than 0")
        areas = self.read_areas(doc)
        main = self.src.text(doc, "main_area", "partnership")
        return Partnership(
            name=self.src.text(doc, "name", "partnership") or "",
            areas=areas,
            partners=self.read_partners(doc),
            suppression_threshold=threshold,
            max_file_mb=max_mb,
            baselines=self.read_targets(doc, "baselines"),
            targets=self.read_targets(doc, "targets"),
            main_area=None
            if main is None
            else self.src.known(doc["main_area"], self.areas, "main_area"),
            public_scorecard=self.src.boolean(doc, "public_scorecard", "partnership", False),
            approval_required=self.approval(doc),
            warehouse=self.read_warehouse(doc),
            lake_data=self.src.text(doc, "lake_data", "partnership"),
        )

    def read_warehouse(self, doc: Map) -> str | None:
        """``warehouse: ducklake:postgres:…`` (never with a password), or None."""
        from ci_measure.errors import UsageError

        text = self.src.text(doc, "warehouse", "partnership")
        if text:
            # only a workspace with a lake pays for DuckDB here (`check` never imports it)
            from ci_measure.warehouse.lake import check_catalog

            try:
                check_catalog(text)
            except UsageError as error:
                raise self.src.error(doc.get("warehouse"), str(error.args[0])) from None
        return text or None

    def approval(self, doc: Map) -> bool:
        """``publishing: {approval: required}``: figures are published only once approved."""
        if "publishing" not in doc or doc["publishing"] is None:
            return False
        node = self.src.mapping(doc["publishing"], "'publishing'", at=doc.key_line("publishing"))
        self.src.keys(node, "publishing", (), ("approval",))
        return self.src.choice(node, "approval", "publishing", APPROVAL, "none") == "required"

    def items(self, doc: Map, key: str, what: str, required: bool = False) -> list[Map]:
        seq = self.src.sequence(doc.get(key), key, at=doc.key_line(key))
        if required and not seq:
            raise self.src.error(
                seq.line or doc.key_line(key), f"'{key}' must list at least one {what}"
            )
        return [self.src.mapping(item, f"each entry of '{key}'", at=seq) for item in seq]

    def read_areas(self, doc: Map) -> tuple[Area, ...]:
        nodes = self.items(doc, "areas", "area", required=True)
        lines: dict[str, int | None] = {}
        for node in nodes:
            self.src.keys(node, "area", ("code", "name"), ("parent",))
            code = self.src.text(node, "code", "area") or ""
            if code.upper() in self.areas:
                raise self.src.error(
                    node["code"],
                    f"area {code} is listed twice (also on line {lines[code.upper()]})",
                )
            self.areas[code.upper()] = code
            lines[code.upper()] = line_of(node["code"])
        areas = []
        for node in nodes:
            code = self.src.text(node, "code", "area") or ""
            parent = self.src.text(node, "parent", f"area {code}")
            if parent is not None:
                parent = self.src.known(node["parent"], self.areas, f"parent area of {code}")
            areas.append(Area(code, self.src.text(node, "name", f"area {code}") or "", parent))
        self.check_tree(areas, lines)
        return tuple(areas)

    def check_tree(self, areas: list[Area], lines: dict[str, int | None]) -> None:
        """Areas must form a tree: following the parents from any area must end at a root."""
        parent_of = {a.code: a.parent for a in areas}
        for area in areas:
            chain = [area.code]
            while (parent := parent_of[chain[-1]]) is not None:
                if parent in chain:
                    loop = " → ".join(chain[chain.index(parent) :] + [parent])
                    raise self.src.error(
                        lines[area.code.upper()],
                        f"the areas' parents go round in a circle ({loop}); areas must form a tree",
                    )
                chain.append(parent)

    def read_partners(self, doc: Map) -> tuple[Partner, ...]:
        partners: list[Partner] = []
        seen: dict[str, int | None] = {}
        responsible: dict[tuple[str, str], tuple[str, int | None]] = {}
        elements = {c.upper(): c for c in self.catalog.data_elements}
        for node in self.items(doc, "partners", "partner", required=True):
            self.src.keys(node, "partner", ("code", "name", "reports"))
            code = self.src.text(node, "code", "partner") or ""
            if not PARTNER_CODE.match(code):
                raise self.src.error(
                    node["code"], f"partner code '{code}' may only hold letters, digits, _ and -"
                )
            if code.upper() in seen:
                raise self.src.error(
                    node["code"],
                    f"partner {code} is listed twice (also on line {seen[code.upper()]})",
                )
            seen[code.upper()] = line_of(node["code"])
            what = f"partner {code}"
            reports = []
            for entry in self.items(node, "reports", "entry", required=True):
                self.src.keys(
                    entry, f"{what}: reports", ("data_elements", "areas"), ("sex", "origin")
                )
                des = [
                    self.src.known(v, elements, "data element")
                    for v in self.src.texts(entry, "data_elements", what)
                ]
                areas = [
                    self.src.known(v, self.areas, "area")
                    for v in self.src.texts(entry, "areas", what)
                ]
                for d in des:
                    for a in areas:
                        if (d, a) in responsible:
                            other, line = responsible[(d, a)]
                            raise self.src.error(
                                entry["areas"],
                                f"{what} reports {d} for area {a}, but partner {other} already does "
                                f"(line {line}); only one partner may be responsible for a data element in an area",
                            )
                        responsible[(d, a)] = (code, line_of(entry["areas"]))
                reports.append(
                    Assignment(
                        tuple(des),
                        tuple(areas),
                        self.breakdown(entry, "sex", SEXES, what),
                        self.breakdown(entry, "origin", ORIGINS, what),
                    )
                )
            partners.append(Partner(code, self.src.text(node, "name", what) or "", tuple(reports)))
        return tuple(partners)

    def breakdown(self, entry: Map, key: str, codes: tuple[str, ...], what: str) -> tuple[str, ...]:
        if key not in entry:
            return ("_T",)
        known = {c.upper(): c for c in codes}
        values = [self.src.known(v, known, f"{key} code") for v in self.src.texts(entry, key, what)]
        return tuple(dict.fromkeys(values)) or ("_T",)

    def read_targets(self, doc: Map, key: str) -> tuple[Target, ...]:
        found: list[Target] = []
        lines: dict[tuple[str, str, str], int | None] = {}
        indicators = {c.upper(): c for c in self.catalog.indicators}
        for node in self.items(doc, key, "entry"):
            what = key[:-1]
            self.src.keys(node, what, ("indicator", "area", "period", "value"))
            code = self.src.known(node["indicator"], indicators, "indicator")
            area = self.src.known(node["area"], self.areas, "area")
            period = self.period(node, code, what)
            value = self.src.number(node, "value", f"{what} for {code}")
            cell = (code, area, period)
            if cell in lines:
                raise self.src.error(
                    node,
                    f"{what} for {code}, {area}, {period} is given twice (also on line {lines[cell]})",
                )
            lines[cell] = line_of(node)
            found.append(Target(code, area, period, value))
        return tuple(found)

    def period(self, node: Map, indicator: str, what: str) -> str:
        """The canonical period; a year is fine for an indicator counted by quarter or month."""
        kind = self.catalog.data_elements[self.catalog.indicators[indicator].numerator].period_type
        allowed = (kind, "year") if kind in ("quarter", "month") else (kind,)
        text = self.src.text(node, "period", what) or ""
        parsed = periods.parse_period(text, prefer=kind)
        if parsed is None or parsed[1] not in allowed:
            example = " or ".join(periods.EXAMPLES[k] for k in allowed)
            raise self.src.error(
                node["period"],
                f"{what} for {indicator}: '{text}' is not a {periods.NAMES_EN[kind]}; write e.g. \"{example}\" (in quotes)",
            )
        return parsed[0]
