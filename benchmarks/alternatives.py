"""What a team would otherwise use to check a submission, as plain scripts (no ci-measure code).

    python -m benchmarks.alternatives pandera FILE WORKSPACE [PARTNER]      # pandas + pandera
    python -m benchmarks.alternatives polars FILE WORKSPACE [PARTNER]       # polars + pandera
    python -m benchmarks.alternatives frictionless FILE WORKSPACE           # frictionless validate

``pandera``: pandas reads the ``;`` CSV as text, the columns are normalised with pandas
string methods, and one pandera DataFrameSchema (pandas backend) holds the same checks as
the DuckDB floor (codes, period type, number, negative, whole, duplicate cell, responsible
partner, part <= whole). ``polars``: the same checks as one pandera DataFrameSchema on
pandera's polars backend, the file read by polars as text. ``frictionless``: a Table Schema with enum constraints for the
codes, a pattern for the period, Danish numbers (group char ``.``), missing-value markers,
``minimum 0`` and the cell key as primary key; frictionless cannot express the
responsibility and part <= whole rules, so it does less than the others. Each prints the
number of failing rows.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEX = {
    "m": "M",
    "mand": "M",
    "dreng": "M",
    "male": "M",
    "f": "F",
    "k": "F",
    "kvinde": "F",
    "pige": "F",
    "female": "F",
    "_t": "_T",
    "t": "_T",
    "i alt": "_T",
    "total": "_T",
    "alle": "_T",
}
ORIGIN = {
    "dk": "DK",
    "imm": "IMM",
    "desc": "DESC",
    "_t": "_T",
    "t": "_T",
    "i alt": "_T",
    "total": "_T",
    "alle": "_T",
}
PERIOD = {
    "year": r"^\d{4}$",
    "quarter": r"^\d{4}-Q[1-4]$",
    "month": r"^\d{4}-(0[1-9]|1[0-2])$",
    "school_year": r"^\d{4}/\d{2}$",
}
COUNT_UNITS = ("persons", "days", "grades")


def _load(workspace: Path) -> tuple[dict, dict]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    catalog = yaml.load((ROOT / "indicators" / "catalog.yaml").read_text("utf-8"), Loader=loader)
    partnership = yaml.load((workspace / "partnership.yaml").read_text("utf-8"), Loader=loader)
    return catalog, partnership


def _responsible(partnership: dict, partner: str) -> list[tuple[str, str]]:
    """(data element, area) pairs the partner reports, as partnership.yaml lists them."""
    return [
        (e, str(a))
        for p in partnership["partners"]
        if p["code"] == partner
        for r in p["reports"]
        for e in r["data_elements"]
        for a in r["areas"]
    ]


def pandera_check(file: str, workspace: Path, partner: str) -> int:
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa

    catalog, partnership = _load(workspace)
    elements = {d["code"]: d for d in catalog["data_elements"]}
    areas = [str(a["code"]) for a in partnership["areas"]]
    resp = pd.DataFrame(
        _responsible(partnership, partner), columns=["data_element", "area"]
    ).assign(responsible=True)

    raw = pd.read_csv(file, sep=";", dtype=str, keep_default_na=False, engine="c")
    df = pd.DataFrame(
        {
            "data_element": raw["dataelement"].str.strip().str.upper(),
            "area": raw["område"].str.strip(),
            "period": raw["periode"].str.strip(),
            "sex": raw["køn"].str.strip().str.lower().map(SEX),
            "origin": raw["herkomst"].str.strip().str.lower().map(ORIGIN),
        }
    )
    text = raw["værdi"].str.strip()
    df["missing"] = text.str.fullmatch(r"(?i)(|\.\.|-|x|<\s*\d+|na|n/a)")
    number = text.str.fullmatch(r"[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")
    df["value"] = pd.to_numeric(
        text.where(number).str.replace(".", "", regex=False).str.replace(",", ".", regex=False),
        errors="coerce",
    )
    df["ptype"] = df["data_element"].map({k: v["period_type"] for k, v in elements.items()})
    df["count"] = df["data_element"].map({k: v["unit"] in COUNT_UNITS for k, v in elements.items()})
    df = df.merge(resp, on=["data_element", "area"], how="left")
    key = ["area", "period", "sex", "origin"]
    df["whole_value"] = np.nan
    for rule in catalog["rules"]:
        wholes = df.loc[df["data_element"] == rule["whole"], key + ["value"]]
        wholes = wholes.drop_duplicates(key)  # a duplicate cell is its own error
        part = df["data_element"] == rule["part"]
        merged = df.loc[part, key].merge(wholes, on=key, how="left")
        df.loc[part, "whole_value"] = merged["value"].to_numpy()

    def period_ok(d: pd.DataFrame) -> pd.Series:
        ok = pd.Series(False, index=d.index)
        for kind, pattern in PERIOD.items():
            sel = d["ptype"] == kind
            ok[sel] = d.loc[sel, "period"].str.fullmatch(pattern)
        return ok | d["ptype"].isna()

    schema = pa.DataFrameSchema(
        {
            "data_element": pa.Column(str, pa.Check.isin(list(elements))),
            "area": pa.Column(str, pa.Check.isin(areas)),
            "sex": pa.Column(str, nullable=False),
            "origin": pa.Column(str, nullable=False),
            "value": pa.Column(float, nullable=True),
        },
        checks=[
            pa.Check(period_ok, name="invalid_period"),
            pa.Check(lambda d: d["missing"] | d["value"].notna(), name="not_a_number"),
            pa.Check(lambda d: ~(d["value"] < 0), name="negative_value"),
            pa.Check(
                lambda d: (
                    ~d["count"].fillna(False).astype(bool)
                    | d["value"].isna()
                    | (d["value"] % 1 == 0)
                ),
                name="not_whole_number",
            ),
            pa.Check(
                lambda d: ~d.duplicated(["data_element", *key], keep=False), name="duplicate_cell"
            ),
            pa.Check(
                lambda d: d["responsible"].notna() | ~d["area"].isin(areas), name="not_responsible"
            ),
            pa.Check(lambda d: ~(d["value"] > d["whole_value"]), name="rule_violation"),
        ],
    )
    try:
        schema.validate(df, lazy=True)
        failing = 0
    except pa.errors.SchemaErrors as errors:
        failing = errors.failure_cases["index"].dropna().nunique()
    print(f"{len(df)} rows; {failing} failing rows")
    return failing


def polars_check(file: str, workspace: Path, partner: str) -> int:
    import pandera.polars as pa
    import polars as pl

    catalog, partnership = _load(workspace)
    elements = {d["code"]: d for d in catalog["data_elements"]}
    areas = [str(a["code"]) for a in partnership["areas"]]
    resp = pl.DataFrame(
        _responsible(partnership, partner), schema=["data_element", "area"], orient="row"
    ).with_columns(responsible=pl.lit(True))
    raw = pl.read_csv(file, separator=";", infer_schema=False)
    text = pl.col("værdi").fill_null("").str.strip_chars()
    number = text.str.contains(r"^[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
    df = raw.select(
        pl.col("dataelement").str.strip_chars().str.to_uppercase().alias("data_element"),
        pl.col("område").str.strip_chars().alias("area"),
        pl.col("periode").str.strip_chars().alias("period"),
        pl.col("køn")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(SEX, default=None)
        .alias("sex"),
        pl.col("herkomst")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(ORIGIN, default=None)
        .alias("origin"),
        text.str.contains(r"(?i)^(|\.\.|-|x|<\s*\d+|na|n/a)$").alias("missing"),
        pl.when(number)
        .then(text.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .cast(pl.Float64, strict=False)
        .alias("value"),
    ).with_row_index("row")
    ptype = {k: v["period_type"] for k, v in elements.items()}
    count = {k: v["unit"] in COUNT_UNITS for k, v in elements.items()}
    df = df.with_columns(
        ptype=pl.col("data_element").replace_strict(ptype, default=None),
        count=pl.col("data_element").replace_strict(count, default=False, return_dtype=pl.Boolean),
    ).join(resp, on=["data_element", "area"], how="left", maintain_order="left")
    key = ["area", "period", "sex", "origin"]
    wholes = []
    for rule in catalog["rules"]:
        whole = df.filter(pl.col("data_element") == rule["whole"]).select(*key, "value")
        whole = whole.unique(subset=key, keep="first", maintain_order=True)
        part = df.filter(pl.col("data_element") == rule["part"]).select("row", *key)
        wholes.append(part.join(whole, on=key, how="inner").select("row", whole_value="value"))
    df = df.join(pl.concat(wholes), on="row", how="left", maintain_order="left")
    period_ok = pl.col("ptype").is_null()
    for kind, pattern in PERIOD.items():
        period_ok = period_ok | ((pl.col("ptype") == kind) & pl.col("period").str.contains(pattern))

    def frame_check(name: str, expr: pl.Expr) -> pa.Check:
        return pa.Check(lambda data: data.lazyframe.select(expr.fill_null(True)), name=name)

    schema = pa.DataFrameSchema(
        {
            "data_element": pa.Column(pl.String, pa.Check.isin(list(elements))),
            "area": pa.Column(pl.String, pa.Check.isin(areas)),
            "sex": pa.Column(pl.String, nullable=False),
            "origin": pa.Column(pl.String, nullable=False),
            "value": pa.Column(pl.Float64, nullable=True),
        },
        checks=[
            frame_check("invalid_period", period_ok),
            frame_check("not_a_number", pl.col("missing") | pl.col("value").is_not_null()),
            frame_check("negative_value", ~(pl.col("value") < 0)),
            frame_check(
                "not_whole_number",
                ~pl.col("count") | pl.col("value").is_null() | (pl.col("value") % 1 == 0),
            ),
            frame_check("duplicate_cell", ~pl.struct("data_element", *key).is_duplicated()),
            frame_check(
                "not_responsible",
                pl.col("responsible").is_not_null() | ~pl.col("area").is_in(areas),
            ),
            frame_check("rule_violation", ~(pl.col("value") > pl.col("whole_value"))),
        ],
    )
    try:
        schema.validate(df, lazy=True)
        failing = 0
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        failing = cases["index"].drop_nulls().n_unique() if "index" in cases.columns else -1
    print(f"{len(df)} rows; {failing} failing rows")
    return failing


def frictionless_check(file: str, workspace: Path) -> int:
    from frictionless import Checklist, Resource, Schema, formats

    catalog, partnership = _load(workspace)
    elements = {d["code"]: d for d in catalog["data_elements"]}
    schema = Schema.from_descriptor(
        {
            "fields": [
                {
                    "name": "dataelement",
                    "type": "string",
                    "constraints": {"required": True, "enum": list(elements)},
                },
                {
                    "name": "område",
                    "type": "string",
                    "constraints": {
                        "required": True,
                        "enum": [str(a["code"]) for a in partnership["areas"]],
                    },
                },
                {
                    "name": "periode",
                    "type": "string",
                    "constraints": {
                        "required": True,
                        "pattern": r"\d{4}(/\d{2}|-Q[1-4]|-(0[1-9]|1[0-2]))?",
                    },
                },
                {
                    "name": "køn",
                    "type": "string",
                    "constraints": {"enum": list(SEX) + ["M", "K", "F", "_T"]},
                },
                {
                    "name": "herkomst",
                    "type": "string",
                    "constraints": {"enum": ["DK", "IMM", "DESC", "_T"]},
                },
                {
                    "name": "værdi",
                    "type": "number",
                    "groupChar": ".",
                    "decimalChar": ",",
                    "constraints": {"minimum": 0},
                },
            ],
            "missingValues": ["", "..", "-", "x", "NA"],
            "primaryKey": ["dataelement", "område", "periode", "køn", "herkomst"],
        }
    )
    # frictionless refuses absolute paths as unsafe: give it a base path and a file name
    path = Path(file).resolve()
    resource = Resource(
        path.name,
        basepath=str(path.parent),
        schema=schema,
        control=formats.CsvControl(delimiter=";"),
    )
    report = resource.validate(checklist=Checklist(), limit_errors=10**9)
    task = report.tasks[0]
    failing = len({e.row_number for e in task.errors if getattr(e, "row_number", None)})
    if not task.stats.get("rows"):
        raise SystemExit(
            f"frictionless did not read the file: {[e.message for e in task.errors][:3]}"
        )
    print(f"{task.stats.get('rows')} rows; {failing} failing rows; valid={report.valid}")
    return failing


def main(argv: list[str]) -> None:
    kind = argv[0] if argv else ""
    if kind == "pandera":
        pandera_check(argv[1], Path(argv[2]), argv[3] if len(argv) > 3 else "SKOLER")
    elif kind == "polars":
        polars_check(argv[1], Path(argv[2]), argv[3] if len(argv) > 3 else "SKOLER")
    elif kind == "frictionless":
        frictionless_check(argv[1], Path(argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
