"""The floors: what the same jobs cost done directly in DuckDB SQL, with no ci-measure code.

    python -m benchmarks.floors check FILE WORKSPACE          # read as text + every check in SQL
    python -m benchmarks.floors ingest FILE WORKSPACE DB      # the same, then append to DB
    python -m benchmarks.floors indicators DB WORKSPACE OUT   # latest wins + sums up the tree + ratios

The checks are those of SPEC §8 that apply to a long-format CSV (CPR-looking cells, unknown
codes, invalid period / wrong period type, not a number, negative, not whole, duplicate cell,
not responsible, part <= whole rules). Each prints the number of failing rows per check.
Only duckdb and yaml are imported.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import yaml

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
    "indvandrere": "IMM",
    "efterkommere": "DESC",
    "dansk oprindelse": "DK",
}
COUNT_UNITS = ("persons", "days", "grades")


def _load(workspace: Path) -> tuple[dict, dict]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    catalog = yaml.load((ROOT / "indicators" / "catalog.yaml").read_text("utf-8"), Loader=loader)
    partnership = yaml.load((workspace / "partnership.yaml").read_text("utf-8"), Loader=loader)
    return catalog, partnership


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: str, rows: list[tuple]) -> None:
    """A Python table in one statement (lists bound as parameters, unnested; no executemany)."""
    names = [c.split()[0] for c in columns.split(",")]
    lists = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _ in names]
    select = ", ".join(f"unnest(?) AS {n}" for n in names)
    con.execute(f"CREATE TEMP TABLE {table} ({columns})")
    con.execute(f"INSERT INTO {table} SELECT {select}", lists)


def _tables(con: duckdb.DuckDBPyConnection, catalog: dict, partnership: dict) -> None:
    _insert(
        con,
        "el",
        "code VARCHAR, up VARCHAR, ptype VARCHAR, is_count BOOLEAN, neg BOOLEAN",
        [
            (
                d["code"],
                d["code"].upper(),
                d["period_type"],
                d["unit"] in COUNT_UNITS,
                bool(d.get("allow_negative")) or d["unit"] not in COUNT_UNITS,
            )
            for d in catalog["data_elements"]
        ],
    )
    _insert(
        con,
        "ar",
        "code VARCHAR, up VARCHAR, parent VARCHAR",
        [(str(a["code"]), str(a["code"]).upper(), a.get("parent")) for a in partnership["areas"]],
    )
    _insert(
        con,
        "alias",
        "kind VARCHAR, spelled VARCHAR, code VARCHAR",
        [("sex", k, v) for k, v in SEX.items()] + [("origin", k, v) for k, v in ORIGIN.items()],
    )
    _insert(
        con,
        "resp",
        "element VARCHAR, area VARCHAR, partner VARCHAR",
        [
            (e, str(a), p["code"])
            for p in partnership["partners"]
            for r in p["reports"]
            for e in r["data_elements"]
            for a in r["areas"]
        ],
    )
    _insert(
        con,
        "rules",
        "part VARCHAR, whole VARCHAR",
        [(r["part"], r["whole"]) for r in catalog["rules"]],
    )


CHECK_SQL = r"""
CREATE TEMP TABLE raw AS
SELECT row_number() OVER () + 1 AS line, trim(dataelement) AS d, trim("område") AS a,
       trim(periode) AS p, trim("køn") AS s, trim(herkomst) AS o, trim("værdi") AS v,
       concat_ws(';', dataelement, "område", periode, "køn", herkomst, "værdi") AS whole_row
FROM read_csv('{file}', delim=';', header=true, all_varchar=true, quote='"');

CREATE TEMP TABLE parsed AS
WITH p AS (
    SELECT r.line, r.whole_row, el.code AS element, el.ptype, el.is_count, el.neg,
           ar.code AS area, sx.code AS sex, og.code AS origin, r.p, r.v,
           regexp_replace(r.v, '[\s\x{{00a0}}'']', '', 'g') AS compact
    FROM raw r
    LEFT JOIN el ON el.up = upper(r.d)
    LEFT JOIN ar ON ar.up = upper(r.a)
    LEFT JOIN alias sx ON sx.kind = 'sex' AND sx.spelled = lower(coalesce(r.s, '_t'))
    LEFT JOIN alias og ON og.kind = 'origin' AND og.spelled = lower(coalesce(r.o, '_t'))
)
SELECT *,
    CASE
      WHEN ptype = 'school_year' AND regexp_full_match(p, '\d{{4}}\s*[/-]\s*(\d{{2}}|\d{{4}})')
           AND (CAST(regexp_extract(p, '[/-]\s*(\d+)$', 1) AS INTEGER) IN
                ((CAST(left(p, 4) AS INTEGER) + 1) % 100, CAST(left(p, 4) AS INTEGER) + 1))
        THEN left(p, 4) || '/' || lpad(CAST((CAST(left(p, 4) AS INTEGER) + 1) % 100 AS VARCHAR), 2, '0')
      WHEN ptype = 'year' AND regexp_full_match(p, '\d{{4}}') THEN p
      WHEN ptype = 'quarter' AND regexp_full_match(p, '(?i)\d{{4}}\s*[-/ ]?\s*[QK][1-4]')
        THEN left(p, 4) || '-Q' || right(p, 1)
      WHEN ptype = 'month' AND regexp_full_match(p, '\d{{4}}-(0?[1-9]|1[0-2])')
        THEN left(p, 4) || '-' || lpad(regexp_extract(p, '-(\d+)$', 1), 2, '0')
    END AS period,
    regexp_full_match(coalesce(v, ''), '(?i)(|\.\.|-|–|x|<\s*\d+|na|n/a)') AS missing,
    CASE WHEN regexp_full_match(compact, '[-+]?(\d{{1,3}}(\.\d{{3}})+|\d+)(,\d+)?')
         THEN CAST(replace(replace(compact, '.', ''), ',', '.') AS DOUBLE) END AS value
FROM p;

CREATE TEMP TABLE failures AS
WITH f AS (
    SELECT line, 'personal_data' AS code FROM parsed
      WHERE regexp_matches(whole_row, '\d{{6}}[-– ]?\d{{4}}')
    UNION ALL SELECT line, 'unknown_code' FROM parsed
      WHERE element IS NULL OR area IS NULL OR sex IS NULL OR origin IS NULL
    UNION ALL SELECT line, 'invalid_period' FROM parsed WHERE element IS NOT NULL AND period IS NULL
    UNION ALL SELECT line, 'not_a_number' FROM parsed WHERE NOT missing AND value IS NULL
    UNION ALL SELECT line, 'negative_value' FROM parsed WHERE value < 0 AND NOT neg
    UNION ALL SELECT line, 'not_whole_number' FROM parsed WHERE is_count AND value <> floor(value)
    UNION ALL SELECT line, 'duplicate_cell' FROM (
        SELECT line, count(*) OVER (PARTITION BY element, area, period, sex, origin) AS n
        FROM parsed WHERE element IS NOT NULL AND area IS NOT NULL AND period IS NOT NULL
          AND sex IS NOT NULL AND origin IS NOT NULL) WHERE n > 1
    UNION ALL SELECT line, 'not_responsible' FROM parsed x
      WHERE element IS NOT NULL AND area IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM resp WHERE resp.element = x.element AND resp.area = x.area
          AND resp.partner = '{partner}')
    UNION ALL SELECT pt.line, 'rule_violation' FROM parsed pt
      JOIN rules ru ON ru.part = pt.element
      JOIN parsed wh ON wh.element = ru.whole AND wh.area = pt.area AND wh.period = pt.period
                    AND wh.sex = pt.sex AND wh.origin = pt.origin
      WHERE pt.value > wh.value
)
SELECT * FROM f;
"""


def check(con: duckdb.DuckDBPyConnection, file: str, workspace: Path, partner: str) -> int:
    catalog, partnership = _load(workspace)
    _tables(con, catalog, partnership)
    con.execute(CHECK_SQL.format(file=file.replace("'", "''"), partner=partner))
    counts = con.execute(
        "SELECT code, count(DISTINCT line) FROM failures GROUP BY code ORDER BY code"
    ).fetchall()
    rows = con.execute("SELECT count(*) FROM parsed").fetchone()[0]
    print(f"{rows} rows; failing rows per check: {dict(counts)}")
    return sum(n for _, n in counts)


def ingest(
    con: duckdb.DuckDBPyConnection, file: str, workspace: Path, db: str, partner: str
) -> None:
    bad = check(con, file, workspace, partner)
    if bad:
        print("rejected")
        return
    con.execute(f"ATTACH '{db}' AS wh")
    con.execute(
        "CREATE TABLE IF NOT EXISTS wh.obs (submission_id BIGINT, data_element VARCHAR, area VARCHAR,"
        " period VARCHAR, sex VARCHAR, origin VARCHAR, value DOUBLE, missing_at_source BOOLEAN, row BIGINT)"
    )
    con.execute(
        "INSERT INTO wh.obs SELECT (SELECT coalesce(max(submission_id), 0) + 1 FROM wh.obs), element, area,"
        " period, sex, origin, value, missing, line FROM parsed"
    )
    print("accepted")


def indicators(con: duckdb.DuckDBPyConnection, db: str, workspace: Path, out: str) -> None:
    """Latest wins, then every sex/origin total and every area up the tree, then the ratios."""
    catalog, partnership = _load(workspace)
    _tables(con, catalog, partnership)
    _insert(
        con,
        "ind",
        "code VARCHAR, ord INTEGER, num VARCHAR, den VARCHAR, mult DOUBLE",
        [
            (i["code"], n, i["numerator"], i.get("denominator"), float(i.get("multiplier", 1)))
            for n, i in enumerate(catalog["indicators"])
        ],
    )
    con.execute(f"ATTACH '{db}' AS wh (READ_ONLY)")
    con.execute(
        """
        CREATE TEMP TABLE level AS
        SELECT o.data_element, o.area, o.period, o.sex, o.origin, o.value
        FROM wh.observations o JOIN wh.submissions s ON s.id = o.submission_id
        WHERE s.status = 'accepted'
        QUALIFY row_number() OVER (PARTITION BY o.data_element, o.area, o.period, o.sex, o.origin
                                   ORDER BY o.submission_id DESC) = 1
        """
    )
    parent = {str(a["code"]): a.get("parent") for a in partnership["areas"]}
    pairs = []
    for code in parent:  # (area, itself or an ancestor): the area tree as plain rows
        up = code
        while up is not None:
            pairs.append((code, str(up)))
            up = parent.get(up)
    _insert(con, "anc", "area VARCHAR, ancestor VARCHAR", pairs)
    con.execute(
        """
        CREATE TEMP TABLE totals AS
        SELECT data_element, ancestor AS area, period, coalesce(sex, '_T') AS sex,
               coalesce(origin, '_T') AS origin, sum(value) AS value
        FROM level JOIN anc USING (area)
        GROUP BY GROUPING SETS ((data_element, ancestor, period, sex, origin),
                                (data_element, ancestor, period, sex),
                                (data_element, ancestor, period, origin),
                                (data_element, ancestor, period))
        """
    )
    con.execute(
        f"""
        COPY (
          SELECT i.code AS indicator, n.area, n.period, n.sex, n.origin, n.value AS numerator,
                 d.value AS denominator, i.mult * n.value / nullif(d.value, 0) AS value
          FROM ind i JOIN totals n ON n.data_element = i.num
          LEFT JOIN totals d ON d.data_element = i.den AND d.area = n.area AND d.period = n.period
                             AND d.sex = n.sex AND d.origin = n.origin
          ORDER BY i.ord, n.area, n.period, n.sex, n.origin
        ) TO '{out}' (HEADER)
        """
    )


def main(argv: list[str]) -> None:
    con = duckdb.connect()
    kind = argv[0]
    if kind == "check":
        check(con, argv[1], Path(argv[2]), argv[3] if len(argv) > 3 else "SKOLER")
    elif kind == "ingest":
        ingest(con, argv[1], Path(argv[2]), argv[3], argv[4] if len(argv) > 4 else "SKOLER")
    elif kind == "indicators":
        indicators(con, argv[1], Path(argv[2]), argv[3])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
