"""The domain as plain, immutable data: catalog, partnership, workspace paths.

Loaders (``catalog.py``, ``workspace.py``) build these; everything else only reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

PERIOD_TYPES = ("year", "quarter", "month", "school_year")
TIME_RULES = ("sum", "last")
# Units that count people/days/grades: values must be whole; persons are disclosure-controlled.
COUNT_UNITS = ("persons", "days", "grades")
# The breakdowns of a cell (SPEC §3), defined once: the categories of each dimension in their
# order, then the total they add up to. Everything that lists, sorts or sums them reads these.
TOTAL = "_T"
SEX_PARTS = ("M", "F")
ORIGIN_PARTS = ("DK", "IMM", "DESC")
SEXES = (*SEX_PARTS, TOTAL)
ORIGINS = (*ORIGIN_PARTS, TOTAL)
# What people read for each code (Danish, English), in the same order.
SEX_LABELS = {"M": ("mænd", "men"), "F": ("kvinder", "women"), TOTAL: ("i alt", "total")}
ORIGIN_LABELS = {
    "DK": ("dansk oprindelse", "Danish origin"),
    "IMM": ("indvandrere", "immigrants"),
    "DESC": ("efterkommere", "descendants"),
    TOTAL: ("i alt", "total"),
}


def sql_codes(codes: tuple[str, ...]) -> str:
    """Constant codes as an SQL list (``'M', 'F'``): our own constants, never partner text."""
    return ", ".join(f"'{code}'" for code in codes)


@dataclass(frozen=True)
class DataElement:
    code: str
    label_da: str
    label_en: str
    unit: str  # persons | days | grades | tonnes | ... (free for workspace extensions)
    period_type: str  # one of PERIOD_TYPES
    time_rule: str  # one of TIME_RULES
    definition_da: str = ""
    definition_en: str = ""
    source: str = ""
    allow_negative: bool = False  # KARAKTER_SUM_9KL: the Danish grade scale has -3

    @property
    def is_count(self) -> bool:
        return self.unit in COUNT_UNITS


@dataclass(frozen=True)
class Indicator:
    code: str
    label_da: str
    label_en: str
    numerator: str
    denominator: str | None
    multiplier: float
    unit: str  # "%", "grade", "persons", "per 10,000", ...
    direction: str  # "up" | "down": which way is better
    definition_da: str = ""
    definition_en: str = ""
    source: str = ""


@dataclass(frozen=True)
class Rule:
    """part <= whole for the same cell key."""

    part: str
    whole: str


@dataclass(frozen=True)
class Catalog:
    data_elements: dict[str, DataElement]
    indicators: dict[str, Indicator]
    rules: tuple[Rule, ...] = ()

    def is_person_based(self, indicator: Indicator) -> bool:
        """Disclosure control applies when numerator and denominator (if any) count persons."""
        codes = [indicator.numerator] + ([indicator.denominator] if indicator.denominator else [])
        return all(self.data_elements[c].unit == "persons" for c in codes)


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    parent: str | None = None


@dataclass(frozen=True)
class Assignment:
    """One `reports` entry of a partner: these data elements for these areas."""

    data_elements: tuple[str, ...]
    areas: tuple[str, ...]
    sex: tuple[str, ...] = ("_T",)  # breakdowns the partner reports (for templates)
    origin: tuple[str, ...] = ("_T",)


@dataclass(frozen=True)
class Partner:
    code: str
    name: str
    reports: tuple[Assignment, ...]


@dataclass(frozen=True)
class Target:
    """A baseline or a target value for an indicator in an area and period."""

    indicator: str
    area: str
    period: str
    value: float


@dataclass(frozen=True)
class Partnership:
    name: str
    areas: tuple[Area, ...]
    partners: tuple[Partner, ...]
    suppression_threshold: int = 5
    max_file_mb: float = 100.0
    baselines: tuple[Target, ...] = ()
    targets: tuple[Target, ...] = ()
    main_area: str | None = None  # the scorecard's focus; default: first root area's first child
    public_scorecard: bool = False
    approval_required: bool = False  # publishing: {approval: required} (SPEC §13)
    warehouse: str | None = None  # ducklake:postgres:… (SPEC §12); None: warehouse.duckdb
    lake_data: str | None = None  # the lake's data path (folder or s3://…)

    def area(self, code: str) -> Area:
        """The area with this code (StopIteration when there is none, as before the index)."""
        try:
            return self._areas_by_code[code]
        except KeyError:
            raise StopIteration(code) from None

    def children(self, code: str | None) -> list[str]:
        """The codes of the area's children, in the partnership's order."""
        return list(self._children_by_code.get(code, ()))

    def subtree(self, code: str) -> list[str]:
        """The area and every area under it."""
        found, todo = [], [code]
        while todo:
            found.append(todo.pop())
            todo.extend(self._children_by_code.get(found[-1], ()))
        return found

    def partner(self, code: str) -> Partner | None:
        return self._partners_by_code.get(code.upper())

    # Indexes built once per partnership (a national one has 2,157 areas and lookups run per
    # area): frozen dataclasses may cache in their __dict__; the first of equal codes wins,
    # as the linear scans they replace found it.
    @cached_property
    def _areas_by_code(self) -> dict[str, Area]:
        index: dict[str, Area] = {}
        for a in self.areas:
            index.setdefault(a.code, a)
        return index

    @cached_property
    def _children_by_code(self) -> dict[str | None, tuple[str, ...]]:
        index: dict[str | None, list[str]] = {}
        for a in self.areas:  # None: the roots, as children(None) listed them
            index.setdefault(a.parent, []).append(a.code)
        return {parent: tuple(codes) for parent, codes in index.items()}

    @cached_property
    def _partners_by_code(self) -> dict[str, Partner]:
        index: dict[str, Partner] = {}
        for p in self.partners:
            index.setdefault(p.code.upper(), p)
        return index

    def due_areas(self, elements: list[str]) -> set[str]:
        """The areas for which every one of ``elements`` is promised in the area or under it
        (where a figure of them is owed; elsewhere nobody will ever report it)."""
        parent = {a.code: a.parent for a in self.areas}
        promised: dict[str, set[str]] = {e: set() for e in elements}
        for element, area in self.responsibility():
            if element in promised:
                while area is not None and area not in promised[element]:
                    promised[element].add(area)  # the area and every area above it
                    area = parent.get(area)
        sets = list(promised.values())
        return set.intersection(*sets) if sets else set()

    def responsibility(self) -> dict[tuple[str, str], str]:
        """(data element, area) -> the one partner responsible for it."""
        return {
            (d, a): p.code
            for p in self.partners
            for assignment in p.reports
            for d in assignment.data_elements
            for a in assignment.areas
        }


@dataclass(frozen=True)
class Workspace:
    root: Path
    partnership: Partnership
    catalog: Catalog
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        return self.root / "archive"

    @property
    def outbox(self) -> Path:
        return self.root / "outbox"

    @property
    def warehouse_path(self) -> Path:
        """The embedded warehouse's file (used unless a shared one is configured)."""
        return self.root / "warehouse.duckdb"

    @property
    def warehouse(self):  # noqa: ANN201  (Path | ci_measure.warehouse.lake.Lake)
        """Where the figures live: ``warehouse.duckdb``, or a shared DuckLake (SPEC §12)."""
        from ci_measure.warehouse.lake import locate

        return locate(self.root, self.partnership.warehouse, self.partnership.lake_data)

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"
