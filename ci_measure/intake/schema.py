"""The shared schema, in pandera: what a stored observation is, and what a submission must satisfy.

``Observation`` is the fixed contract of the warehouse. ``submission_schema`` is built per
workspace and partner, because code lists and responsibilities are data. Every check is
named after the SPEC §8 error code it reports, so ``validate.py`` needs no guessing.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
import pandas as pd

from ci_measure.config.model import ORIGINS, SEXES, Workspace
from ci_measure.intake.pandera_import import Series, pa

KEY = ["data_element", "area", "period", "sex", "origin"]


class Observation(pa.DataFrameModel):
    """One stored cell of one submission (SPEC §2): a value, or missing at source."""

    data_element: Series[str]
    area: Series[str]
    period: Series[str] = pa.Field(str_matches=r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2])|/\d{2})?$")
    sex: Series[str] = pa.Field(isin=list(SEXES))
    origin: Series[str] = pa.Field(isin=list(ORIGINS))
    value: Series[float] = pa.Field(nullable=True)
    missing_at_source: Series[bool]
    comment: Series[str] = pa.Field(nullable=True)
    row: Series[int] = pa.Field(ge=1)

    class Config:
        strict = True
        coerce = True
        unique = KEY


def _element_lookup(frame: pd.DataFrame, mapping: dict[str, object], default: object) -> pd.Series:
    """mapping.get(element, default) for every row, looked up once per distinct element."""
    codes, distinct = _factorized(frame["data_element"])
    looked_up = np.empty(len(distinct), dtype=object)
    looked_up[:] = [mapping.get(e, default) for e in distinct]
    return pd.Series(looked_up[codes], index=frame.index, dtype=object)


def _factorized(column: pd.Series) -> tuple[np.ndarray, list[object]]:
    """(code of each row, distinct values): a missing cell is one more distinct value (None).

    A categorical column (the harmonised frame's codes) already is that, without a Python
    object per row."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64)
        distinct = [*column.cat.categories.tolist(), None]
        return np.where(codes < 0, len(distinct) - 1, codes), distinct
    codes, distinct = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
    return codes, list(distinct)


def _valid_key(frame: pd.DataFrame, workspace: Workspace) -> pd.Series:
    """Rows whose whole cell key is understood: only these take part in cross-row checks."""
    catalog, partnership = workspace.catalog, workspace.partnership
    return (
        frame["data_element"].isin(list(catalog.data_elements))
        & frame["area"].isin([a.code for a in partnership.areas])
        & frame["period"].notna()
        & frame["sex"].isin(SEXES)
        & frame["origin"].isin(ORIGINS)
    )


def rule_failures(
    frame: pd.DataFrame, workspace: Workspace, valid_rows: pd.Series | None = None
) -> pd.Series:
    """True on each part row whose value exceeds its whole's value for the same key (§5 rules).

    Only rows in ``valid_rows`` (default: every row with an understood key and a value) take
    part: a row already in error never spawns a second error against its neighbour (SPEC §8).
    """
    failed = pd.Series(False, index=frame.index)
    key = ["area", "period", "sex", "origin"]
    usable = _valid_key(frame, workspace) & frame["value"].notna()
    if valid_rows is not None:
        usable &= valid_rows
    valid = frame.loc[usable, ["data_element", *key, "value"]]
    for rule in workspace.catalog.rules:
        parts = valid[valid["data_element"] == rule.part]
        wholes = valid[valid["data_element"] == rule.whole]
        if parts.empty or wholes.empty:
            continue
        merged = parts.reset_index().merge(wholes[key + ["value"]], on=key, suffixes=("", "_whole"))
        bad = merged.loc[merged["value"] > merged["value_whole"], "index"]
        failed.loc[bad.to_numpy()] = True
    return failed


def _remembered(check: Callable[[pd.DataFrame], pd.Series]) -> Callable[[pd.DataFrame], pd.Series]:
    """``check`` that computes its result once per frame: ``rule_violation`` needs every row
    check's result again, and a national file's checks take seconds."""
    last: list[tuple[weakref.ref, pd.Series]] = []  # weak: the frame is pandera's to free

    def run(df: pd.DataFrame) -> pd.Series:
        if not last or last[0][0]() is not df:
            last[:] = [(weakref.ref(df), check(df))]
        return last[0][1]

    run.__name__ = check.__name__
    return run


def submission_schema(workspace: Workspace, partner: str) -> pa.DataFrameSchema:
    """The checks a harmonised submission from ``partner`` must pass (lazy: all at once)."""
    catalog, partnership = workspace.catalog, workspace.partnership
    elements = list(catalog.data_elements)
    areas = [a.code for a in partnership.areas]
    period_types = {c: d.period_type for c, d in catalog.data_elements.items()}
    allow_negative = {
        c: d.allow_negative or not d.is_count for c, d in catalog.data_elements.items()
    }
    is_count = {c: d.is_count for c, d in catalog.data_elements.items()}
    responsible = partnership.responsibility()

    def code_check(known: list[str] | tuple[str, ...]) -> pa.Check:
        return pa.Check(lambda s: s.isin(list(known)), name="unknown_code")

    def wrong_period_type(df: pd.DataFrame) -> pd.Series:
        expected = _element_lookup(df, period_types, None)
        return expected.isna() | df["period_type"].isna() | (df["period_type"] == expected)

    def negative_value(df: pd.DataFrame) -> pd.Series:
        return ~(df["value"] < 0) | _element_lookup(df, allow_negative, True).astype(bool)

    def not_whole_number(df: pd.DataFrame) -> pd.Series:
        counts = _element_lookup(df, is_count, False).astype(bool)
        whole = df["value"].isna() | np.isclose(df["value"] % 1, 0) | np.isclose(df["value"] % 1, 1)
        return ~counts | whole

    def duplicate_cell(df: pd.DataFrame) -> pd.Series:
        valid = _valid_key(df, workspace)
        return ~(df[KEY].duplicated(keep=False) & valid)

    def not_responsible(df: pd.DataFrame) -> pd.Series:
        known = df["data_element"].isin(elements) & df["area"].isin(areas)
        # responsible.get((element, area)), one lookup per distinct pair
        e_codes, e_names = _factorized(df["data_element"])
        a_codes, a_names = _factorized(df["area"])
        pairs, codes = np.unique(
            e_codes.astype(np.int64) * len(a_names) + a_codes, return_inverse=True
        )
        owners = np.empty(len(pairs), dtype=object)
        owners[:] = [
            responsible.get((e_names[p // len(a_names)], a_names[p % len(a_names)]))
            for p in pairs.tolist()
        ]
        owner = pd.Series(owners[codes.reshape(-1)], index=df.index, dtype=object)
        return ~known | (owner == partner)

    def partner_mismatch(df: pd.DataFrame) -> pd.Series:
        named = df["partner"]
        return named.isna() | (named.astype(str).str.upper() == partner.upper())

    row_checks = tuple(
        _remembered(check)
        for check in (
            wrong_period_type,
            negative_value,
            not_whole_number,
            duplicate_cell,
            not_responsible,
            partner_mismatch,
        )
    )

    def rule_violation(df: pd.DataFrame) -> pd.Series:
        """Part ≤ whole between rows that pass every other check (one problem, one error)."""
        valid = df["value_ok"].astype(bool) & df["period"].notna()
        for check in row_checks:
            valid &= check(df).astype(bool)
        return ~rule_failures(df, workspace, valid)

    return pa.DataFrameSchema(
        {
            "data_element": pa.Column("category", checks=[code_check(elements)]),
            "area": pa.Column("category", checks=[code_check(areas)]),
            "period": pa.Column("category", nullable=False),
            "sex": pa.Column("category", checks=[code_check(SEXES)]),
            "origin": pa.Column("category", checks=[code_check(ORIGINS)]),
            "value": pa.Column(float, nullable=True),
            "missing_at_source": pa.Column(bool),
            "value_ok": pa.Column(bool, checks=[pa.Check(lambda s: s, name="not_a_number")]),
            "partner": pa.Column(object, nullable=True),
            "comment": pa.Column(object, nullable=True),
            "row": pa.Column("int64"),
        },
        # ignore_na=False: pandera would otherwise test every row for being all-empty, a
        # whole-frame isna per check; no row is (missing_at_source, value_ok and row are
        # never empty), so the result is the same.
        checks=[
            *(pa.Check(c, name=c.__name__, ignore_na=False) for c in row_checks),
            pa.Check(rule_violation, name="rule_violation", ignore_na=False),
        ],
        strict=False,
    )
