"""Validate one partner file into a Receipt (and the observations to store). Never raises for bad data."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow

from ci_measure.config import periods
from ci_measure.config.model import ORIGINS, SEXES, Workspace
from ci_measure.errors import (
    FileProblem,
    InternalError,
    Problem,
    did_you_mean,
    join_or,
    plural,
    unknown_partner,
)
from ci_measure.intake.columns import HEADER_DA, normalise
from ci_measure.intake.cpr import mask
from ci_measure.intake.harmonise import Harmonised, harmonise, map_headers
from ci_measure.intake.internal import log_internal_error
from ci_measure.intake.layout import drop_notes
from ci_measure.intake.pandera_import import pa
from ci_measure.intake.personal import personal_data
from ci_measure.intake.read import RawTable, read_table
from ci_measure.intake.receipt import Receipt
from ci_measure.intake.schema import KEY, Observation, rule_failures, submission_schema
from ci_measure.intake.statistics import read_mapped
from ci_measure.intake.values import format_number

# Which column a row-level check blames (the cell the partner must fix).
BLAME = {
    "not_a_number": "value",
    "negative_value": "value",
    "not_whole_number": "value",
    "wrong_period_type": "period",
    "duplicate_cell": "data_element",
    "not_responsible": "area",
    "partner_mismatch": "partner",
    "rule_violation": "value",
}
STORED = KEY + ["value", "missing_at_source", "comment", "row"]


@dataclass(frozen=True)
class Validation:
    receipt: Receipt
    observations: pd.DataFrame | None  # the Observation frame when accepted


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def validate_file(
    path: Path, workspace: Workspace, partner: str, file_name: str | None = None
) -> Validation:
    """Read and validate a submission from ``partner``; the receipt lists every problem.

    The steps: read the table -> personal data -> map headers -> harmonise -> check.
    """
    known = workspace.partnership.partner(partner)
    if known is None:
        raise unknown_partner(partner, [p.code for p in workspace.partnership.partners])
    receipt = Receipt(
        status="rejected",
        partner=known.code,
        file=mask(file_name or path.name),  # a CPR number in the name is never kept
        sha256=sha256_of(path),
        rows=0,
    )
    max_bytes = int(workspace.partnership.max_file_mb * 1024 * 1024)
    try:  # a Statistikbanken export that fits one of the partner's mappings (SPEC §11)
        table = read_mapped(path, workspace, known.code, max_bytes) or read_table(path, max_bytes)
    except FileProblem as failure:  # still searched for personal data (SPEC §8: any cell)
        receipt.errors = personal_data(path, None, max_bytes, failure.problem) or [failure.problem]
        return Validation(receipt, None)
    except InternalError as bug:  # ours, not the partner's: logged, the file stays put
        log_internal_error(workspace.root, bug, f"reading {receipt.file} ({receipt.partner})")
        raise
    receipt.rows = len(table.frame)

    personal = personal_data(path, table, max_bytes)
    if personal:
        receipt.errors = personal
        return Validation(receipt, None)
    return validate_table(table, workspace, known.code, receipt)


def validate_table(
    table: RawTable, workspace: Workspace, partner: str, receipt: Receipt
) -> Validation:
    """Validate a table already read (and scanned for personal data) into ``receipt``."""
    mapped = list(getattr(table, "warnings", ()))  # a Statistikbanken mapping's notes
    table, notes = drop_notes(table)
    positions, errors, warnings = map_headers(table)
    receipt.warnings = [*mapped, *notes, *warnings]
    receipt.rows = len(table.frame)
    if errors:
        receipt.errors = errors
        return Validation(receipt, None)
    if table.frame.empty:
        receipt.errors = [Problem.make("empty_file", row=table.header_row)]
        return Validation(receipt, None)

    harmonised = harmonise(table, workspace, positions)
    reported = harmonised.frame["reported"]
    value_header = harmonised.headers["value"]
    if not reported.any():  # a blank template is no delivery (SPEC §4)
        receipt.errors = [
            Problem.make(
                "empty_file", row=table.header_row, column=value_header, variant="no_values"
            )
        ]
        return Validation(receipt, None)
    receipt.warnings += _not_reported(harmonised.frame, value_header)
    harmonised = harmonised.only(reported)
    receipt.rows = len(harmonised.frame)
    receipt.warnings += _small_numbers(harmonised)
    receipt.errors = _check(harmonised, workspace, partner)
    if receipt.errors:
        return Validation(receipt, None)
    receipt.status = "accepted"
    stored = _as_text(harmonised.frame[STORED].reset_index(drop=True))
    return Validation(receipt, Observation.validate(stored))


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The categorical code columns as pandas text (Arrow-backed ``str``), as the stored
    schema has them: each distinct code taken by Arrow, not one Python string per row."""
    out = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            cat = frame[column].array
            names = pyarrow.array(np.asarray(cat.categories, dtype=object), type=pyarrow.string())
            texts = names.take(pyarrow.array(cat.codes, mask=cat.codes < 0))
            out[column] = pd.Series(pd.array(texts, dtype="str"), index=frame.index)
    return out


SHOWN_ROWS = 10  # row numbers listed in the rows_not_reported warning


def _rows_text(rows: list[int], one: str, many: str, word: str) -> str:
    shown = [f"{r:,}".replace(",", ".") for r in rows[:SHOWN_ROWS]]
    if len(rows) > SHOWN_ROWS:
        return f"{many} {', '.join(shown)} …"
    return f"{one if len(rows) == 1 else many} {join_or(shown, word)}"


def _not_reported(frame: pd.DataFrame, value_header: str) -> list[Problem]:
    """One warning naming the rows skipped because their value cell is empty."""
    rows = frame.loc[~frame["reported"], "row"].tolist()
    if not rows:
        return []
    return [
        Problem.make(
            "rows_not_reported",
            column=value_header,
            detail=plural(len(rows), "række", "rækker"),
            detail_en=f"{len(rows):,} {'row' if len(rows) == 1 else 'rows'}",
            verb_en="is" if len(rows) == 1 else "are",
            rows=_rows_text(rows, "række", "rækkerne", "og"),
            rows_en=_rows_text(rows, "row", "rows", "and"),
        )
    ]


def _small_numbers(harmonised: Harmonised) -> list[Problem]:
    """A warning for each `<5`: accepted as missing at source, but please send the number."""
    frame = harmonised.frame
    small = frame.index[frame["small_number"]]
    raw = harmonised.raw.frame[harmonised.positions["value"]]
    column = harmonised.headers["value"]
    return [
        Problem.make("small_number", row=int(frame.at[i, "row"]), column=column, value=raw.at[i])
        for i in small
    ]


def _check(harmonised: Harmonised, workspace: Workspace, partner: str) -> list[Problem]:
    schema = submission_schema(workspace, partner)
    try:
        schema.validate(harmonised.frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as failures:
        cases = failures.failure_cases
    return to_problems(cases, harmonised, workspace, partner)


def _code_for(check: str, column: str | None) -> tuple[str, str | None]:
    """(SPEC code, canonical column blamed) for one pandera failure."""
    if check in BLAME:
        return check, BLAME[check]
    if column == "period":
        return "invalid_period", "period"
    if column == "value_ok":
        return "not_a_number", "value"
    return "unknown_code", column


def to_problems(
    cases: pd.DataFrame, harmonised: Harmonised, workspace: Workspace, partner: str
) -> list[Problem]:
    """The one place where pandera's failure cases become the partner's problems."""
    seen: set[tuple[int, str]] = set()
    problems: list[Problem] = []
    lookups = _Lookups(harmonised.frame)
    for check, column, index in zip(cases["check"], cases["column"], cases["index"], strict=True):
        if index is None or pd.isna(index):
            continue
        code, blamed = _code_for(str(check), None if pd.isna(column) else str(column))
        if (int(index), code) in seen:
            continue
        seen.add((int(index), code))
        problems.append(_problem(code, blamed, int(index), harmonised, workspace, partner, lookups))
    order = list(HEADER_DA)
    return sorted(problems, key=lambda p: (p.row or 0, order.index(_canon(p, harmonised)), p.code))


def _canon(problem: Problem, harmonised: Harmonised) -> str:
    reverse = {header: canon for canon, header in harmonised.headers.items()}
    return reverse.get(problem.column, "value")


def _shown(cell: object, column: str | None = None) -> str:
    """A cell as the partner reads it: dates day-month-year, value numbers the Danish way
    (``5,12``, ``1.234``), other numbers (a year, an area code) without grouping."""
    if cell is None:
        return ""
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.strftime("%d-%m-%Y")
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and column == "value":
        return format_number(float(cell))
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


class _Lookups:
    """What the problems of one file look up in its rows, built once per file on first use
    (not once per problem: a national file with a thousand problems has a million rows)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._same_key: dict[tuple, list[tuple[int, int]]] | None = None
        self._first_value: dict[tuple, float] | None = None
        self._closest: dict[tuple[str, str], list[str]] = {}
        self._choices: dict[str, dict[str, str]] = {}

    def _keys(self, frame: pd.DataFrame) -> Iterator[tuple]:
        return zip(*(frame[c].to_numpy(dtype=object) for c in KEY), strict=True)

    def other_rows(self, index: int) -> str:
        """The rows (as the partner sees them) of the other cells with this row's key."""
        if self._same_key is None:
            dup = self.frame[self.frame.duplicated(KEY, keep=False)]
            self._same_key = {}
            for key, i, row in zip(self._keys(dup), dup.index, dup["row"], strict=True):
                self._same_key.setdefault(key, []).append((i, row))
        key = tuple(self.frame.at[index, c] for c in KEY)
        return ", ".join(str(row) for i, row in self._same_key.get(key, []) if i != index)

    def closest(self, column: str, value: str, known: Callable[[], dict[str, str]]) -> list[str]:
        """``_closest``, once per distinct (column, value): the same wrong code is often
        repeated. ``known`` (the choices) is asked for once per column."""
        if column not in self._choices:
            self._choices[column] = known()
        if (column, value) not in self._closest:
            self._closest[column, value] = _closest(value, self._choices[column])
        return self._closest[column, value]

    def first_value(self, element: str, key: tuple) -> float | None:
        """The value of the first row holding cell (element, *key), or None if there is none."""
        if self._first_value is None:
            first = self.frame.drop_duplicates(subset=KEY, keep="first")
            self._first_value = dict(zip(self._keys(first), first["value"], strict=True))
        return self._first_value.get((element, *key))


def _problem(
    code: str,
    column: str | None,
    index: int,
    h: Harmonised,
    workspace: Workspace,
    partner: str,
    lookups: _Lookups | None = None,
) -> Problem:
    frame, raw = h.frame, h.raw.frame
    lookups = lookups or _Lookups(frame)
    row = frame.at[index, "row"]

    def at(column: str) -> object:  # a categorical's missing cell reads as NaN: None here
        cell = frame.at[index, column]
        return None if isinstance(cell, float) and np.isnan(cell) else cell

    header = h.headers.get(column) if column else None
    raw_cell = raw.at[index, h.positions[column]] if column in h.positions else None
    value = _shown(raw_cell, column)
    element = at("data_element")
    catalog = workspace.catalog
    variant = None
    fields: dict[str, object] = {
        "element": element,
        "area": at("area"),
        "period": at("period"),
        "partner": partner,
        "sex": at("sex"),
        "origin": at("origin"),
    }
    if code == "unknown_code":
        options = lookups.closest(column or "", value, lambda: _choices(column, workspace, partner))
        if value:
            fields["suggest"], fields["suggest_en"] = did_you_mean(options)
        else:
            variant = "empty"
            fields["suggest"] = f", fx {join_or(options, 'eller')}." if options else "."
            fields["suggest_en"] = f", e.g. {join_or(options, 'or')}." if options else "."
    elif code == "invalid_period":
        kind = (
            catalog.data_elements[element].period_type
            if element in catalog.data_elements
            else "year"
        )
        fields["expected"] = periods.EXAMPLES[kind]
        variant = None if value else "empty"
        if isinstance(raw_cell, (dt.datetime, dt.date)):
            fields["expected"] += (
                " (Excel har gjort perioden til en dato / Excel turned it into a date)"
            )
    elif code == "wrong_period_type":
        kind = catalog.data_elements[element].period_type
        fields.update(
            expected=periods.NAMES_DA[kind],
            expected_en=periods.NAMES_EN[kind],
            detail=periods.EXAMPLES[kind],
        )
    elif code == "not_a_number" and frame.at[index, "formula_error"]:
        variant = "formula"
    elif code == "duplicate_cell":
        fields["rows"] = lookups.other_rows(index)
    elif code == "rule_violation":
        fields.update(_rule_fields(index, frame, workspace, lookups))
    elif code == "partner_mismatch":
        value = frame.at[index, "partner"]
    return Problem.make(code, row=int(row), column=header, value=value, variant=variant, **fields)


def _rule_fields(
    index: int, frame: pd.DataFrame, workspace: Workspace, lookups: _Lookups
) -> dict[str, object]:
    element = frame.at[index, "data_element"]
    key = tuple(frame.at[index, c] for c in ("area", "period", "sex", "origin"))
    if any(
        part is None or isinstance(part, float) for part in key
    ):  # float: NaN  # pandas' == never matches an empty cell
        key = None
    for rule in workspace.catalog.rules:
        if rule.part != element or key is None:
            continue
        whole = lookups.first_value(rule.whole, key)
        if whole is not None and whole < frame.at[index, "value"]:
            return {"part": rule.part, "whole": rule.whole, "detail": format_number(float(whole))}
    return {"part": element, "whole": "", "detail": ""}


def _choices(column: str | None, workspace: Workspace, partner: str) -> dict[str, str]:
    """What "did you mean" may suggest for a column: what THIS partner reports (its data
    elements and areas; every code if it reports none), as {text to match: shown as}.
    An area matches by its code and by its name and is shown as ``code (name)``."""
    partnership = workspace.partnership
    reports = partnership.partner(partner).reports
    if column == "data_element":
        mine = [d for r in reports for d in r.data_elements] or list(
            workspace.catalog.data_elements
        )
        return {d: d for d in dict.fromkeys(mine)}
    if column == "area":
        mine = [a for r in reports for a in r.areas] or [a.code for a in partnership.areas]
        choices: dict[str, str] = {}
        for code in dict.fromkeys(mine):
            name = partnership.area(code).name
            shown = f"{code} ({name})" if name and name != code else code
            choices[code] = shown
            if name:
                choices.setdefault(name, shown)
        return choices
    if column == "sex":
        return {c: c for c in SEXES}
    if column == "origin":
        return {c: c for c in ORIGINS}
    return {}


MAX_SUGGESTIONS = 3


def _closest(value: str, known: dict[str, str]) -> list[str]:
    """Up to three suggestions, closest first (accent- and case-insensitive); all of them
    when there are no more than three, none when nothing is close among many."""
    keys = {normalise(k): v for k, v in known.items()}
    shown = list(dict.fromkeys(known.values()))
    if len(shown) <= MAX_SUGGESTIONS:  # all of them, the closest first
        score = {v: 0.0 for v in shown}
        for k, v in keys.items():
            ratio = difflib.SequenceMatcher(None, normalise(value), k).ratio()
            score[v] = max(score[v], ratio)
        return sorted(shown, key=lambda v: -score[v])
    matches = difflib.get_close_matches(normalise(value), list(keys), n=10, cutoff=0.4)
    found = list(dict.fromkeys(keys[m] for m in matches))[:MAX_SUGGESTIONS]
    return found or shown[:MAX_SUGGESTIONS]


__all__ = ["Validation", "validate_file", "validate_table", "sha256_of", "rule_failures"]
