"""What a team would otherwise use to check a submission, as plain scripts (no ci-measure code).

    python -m benchmarks.alternatives pandera FILE WORKSPACE [PARTNER]      # pandas + pandera
    python -m benchmarks.alternatives frictionless FILE WORKSPACE           # frictionless validate

``pandera``: pandas reads the ``;`` CSV as text, the columns are normalised with pandas
string methods, and one pandera DataFrameSchema (pandas backend) holds the same checks as
the DuckDB floor (codes, period type, number, negative, whole, duplicate cell, responsible
partner, part <= whole). ``frictionless``: a Table Schema with enum constraints for the
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


def pandera_check(file: str, workspace: Path, partner: str) -> int:
    import numpy as np
    import pandas as pd
    import pandera.pandas as pa

    catalog, partnership = _load(workspace)
    elements = {d["code"]: d for d in catalog["data_elements"]}
    areas = [str(a["code"]) for a in partnership["areas"]]
    resp = pd.DataFrame(
        [
            (e, str(a))
            for p in partnership["partners"]
            if p["code"] == partner
            for r in p["reports"]
            for e in r["data_elements"]
            for a in r["areas"]
        ],
        columns=["data_element", "area"],
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
    elif kind == "frictionless":
        frictionless_check(argv[1], Path(argv[2]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
