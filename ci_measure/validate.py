"""Validate one partner file into a Receipt (and the observations to store). Never raises for bad data."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ci_measure import periods
from ci_measure.columns import HEADER_DA
from ci_measure.cpr import find_cpr
from ci_measure.errors import FileProblem, Problem, UsageError
from ci_measure.harmonise import Harmonised, harmonise, map_headers
from ci_measure.model import ORIGINS, SEXES, Workspace
from ci_measure.read import read_table
from ci_measure.receipt import Receipt
from ci_measure.schema import KEY, Observation, rule_failures, submission_schema

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
    """Read and validate a submission from ``partner``; the receipt lists every problem."""
    known = workspace.partnership.partner(partner)
    if known is None:
        codes = ", ".join(p.code for p in workspace.partnership.partners)
        raise UsageError(f"unknown partner {partner!r}; the partners are: {codes}")
    receipt = Receipt(
        status="rejected",
        partner=known.code,
        file=file_name or path.name,
        sha256=sha256_of(path),
        rows=0,
    )
    max_bytes = int(workspace.partnership.max_file_mb * 1024 * 1024)
    try:
        table = read_table(path, max_bytes)
    except FileProblem as failure:
        receipt.errors = [failure.problem]
        return Validation(receipt, None)
    receipt.rows = len(table.frame)

    personal = find_cpr(table)
    if personal:
        receipt.errors = [
            Problem.make("personal_data", row=row, column=column) for row, column in personal
        ]
        return Validation(receipt, None)

    positions, errors, warnings = map_headers(table)
    receipt.warnings = warnings
    if errors:
        receipt.errors = errors
        return Validation(receipt, None)
    if table.frame.empty:
        receipt.errors = [Problem.make("empty_file", row=table.header_row)]
        return Validation(receipt, None)

    harmonised = harmonise(table, workspace, positions)
    receipt.errors = _check(harmonised, workspace, known.code)
    if receipt.errors:
        return Validation(receipt, None)
    receipt.status = "accepted"
    observations = Observation.validate(harmonised.frame[STORED].reset_index(drop=True))
    return Validation(receipt, observations)


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


def _shown(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, (dt.datetime, dt.date)):
        return cell.strftime("%d-%m-%Y")
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
        self._closest: dict[tuple[str, str], str] = {}

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

    def closest(self, column: str, value: str, known: list[str]) -> str:
        """``_closest``, once per distinct (column, value): the same wrong code is often repeated."""
        if (column, value) not in self._closest:
            self._closest[column, value] = _closest(value, known)
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
    header = h.headers.get(column) if column else None
    raw_cell = raw.at[index, h.positions[column]] if column in h.positions else None
    value = _shown(raw_cell)
    element = frame.at[index, "data_element"]
    catalog = workspace.catalog
    fields: dict[str, object] = {
        "element": element,
        "area": frame.at[index, "area"],
        "period": frame.at[index, "period"],
        "partner": partner,
        "sex": frame.at[index, "sex"],
        "origin": frame.at[index, "origin"],
    }
    if code == "unknown_code":
        known = {
            "data_element": list(catalog.data_elements),
            "area": [a.code for a in workspace.partnership.areas],
            "sex": list(SEXES),
            "origin": list(ORIGINS),
        }.get(column or "", [])
        fields["suggestions"] = lookups.closest(column or "", value, known)
        value = value or "(tom/empty)"
    elif code == "invalid_period":
        kind = (
            catalog.data_elements[element].period_type
            if element in catalog.data_elements
            else "year"
        )
        fields["expected"] = periods.EXAMPLES[kind]
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
    elif code == "duplicate_cell":
        fields["rows"] = lookups.other_rows(index)
    elif code == "rule_violation":
        fields.update(_rule_fields(index, frame, workspace, lookups))
    elif code == "partner_mismatch":
        value = frame.at[index, "partner"]
    return Problem.make(code, row=int(row), column=header, value=value, **fields)


def _rule_fields(
    index: int, frame: pd.DataFrame, workspace: Workspace, lookups: _Lookups
) -> dict[str, object]:
    element = frame.at[index, "data_element"]
    key = tuple(frame.at[index, c] for c in ("area", "period", "sex", "origin"))
    if any(part is None for part in key):  # pandas' == never matches an empty cell
        key = None
    for rule in workspace.catalog.rules:
        if rule.part != element or key is None:
            continue
        whole = lookups.first_value(rule.whole, key)
        if whole is not None and whole < frame.at[index, "value"]:
            return {"part": rule.part, "whole": rule.whole, "detail": _shown(float(whole))}
    return {"part": element, "whole": "", "detail": ""}


def _closest(value: str, known: list[str]) -> str:
    if not known:
        return ""
    upper = {k.upper(): k for k in known}
    matches = (
        difflib.get_close_matches(value.upper(), list(upper), n=3, cutoff=0.4) or list(upper)[:3]
    )
    return " / ".join(upper[m] for m in matches)


__all__ = ["Validation", "validate_file", "sha256_of", "rule_failures"]
