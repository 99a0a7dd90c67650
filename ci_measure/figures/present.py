"""Indicator rows as a terminal table, CSV or JSON (SPEC §9 `indicators --format`)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ci_measure.config.model import ORIGIN_LABELS, SEX_LABELS, Workspace

STATUS_DA = {
    "ok": "ok",
    "undefined": "udefineret (nævner 0)",
    "missing_at_source": "mangler hos kilden",
    "incomplete": "ufuldstændig",
    "missing": "mangler",
    "suppressed": "diskretioneret",
    "pending_approval": "afventer godkendelse",
}
# What stands in an empty figure, so that nothing missing looks like a zero.
EMPTY_MARK = {
    "undefined": "÷",
    "missing_at_source": "..",
    "incomplete": "(ufuldst.)",
    "missing": "–",
    "suppressed": "(diskr.)",
    "pending_approval": "(afv.)",
}
HEADERS_DA = [
    "Indikator",
    "Område",
    "Periode",
    "Køn",
    "Herkomst",
    "Tæller",
    "Nævner",
    "Værdi",
    "Status",
]
SEX_DA = {code: da for code, (da, _) in SEX_LABELS.items()}
ORIGIN_DA = {code: da for code, (da, _) in ORIGIN_LABELS.items()}


def _number(x: float, decimals: int) -> str:
    """Danish notation: 1.234,5."""
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _count(x: float) -> str:
    return _number(x, 0) if float(x).is_integer() else _number(x, 2)


def to_table(rows: pd.DataFrame, workspace: Workspace) -> str:
    """An aligned table with Danish labels; empty figures carry their status mark."""
    if rows.empty:
        return "Ingen indikatorrækker. / No indicator rows (has anything been ingested?).\n"
    names = {a.code: a.name for a in workspace.partnership.areas}
    lines = []
    for r in rows.itertuples(index=False):
        mark = EMPTY_MARK.get(r.status, "")
        num = _count(r.numerator) if not _empty(r.numerator) else mark
        den = (
            _count(r.denominator)
            if not _empty(r.denominator)
            else ("" if r.status == "ok" else mark)
        )
        val = _number(r.value, 1) if not _empty(r.value) else mark
        lines.append(
            [
                r.indicator,
                f"{r.area} {names.get(r.area, '')}".strip()[:32],
                r.period,
                SEX_DA.get(r.sex, r.sex),
                ORIGIN_DA.get(r.origin, r.origin),
                num,
                den,
                val,
                STATUS_DA.get(r.status, r.status),
            ]
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(HEADERS_DA)]
    right = {5, 6, 7}

    def fmt(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [fmt(HEADERS_DA), fmt(["-" * w for w in widths])] + [fmt(line) for line in lines]
    legend = "Tegn: .. mangler hos kilden, – mangler, (ufuldst.) ufuldstændig, (diskr.) diskretioneret, ÷ nævner 0"
    if (rows["status"] == "pending_approval").any():
        legend += ", (afv.) afventer godkendelse"
    return "\n".join(out + ["", legend]) + "\n"


def _empty(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def to_csv(rows: pd.DataFrame) -> str:
    """The rows as CSV, the same text as pandas' ``to_csv(float_format="%.15g")`` writes.

    Written by Arrow in C: each distinct number is formatted once (a national run has
    millions of figures but repeats many), the lines are joined by ``pyarrow.csv``. A cell
    that would need quotation marks (never in codes, but possible) takes pandas' path."""
    fast = _arrow_csv(rows)
    if fast is not None:
        return fast
    return rows.to_csv(index=False, lineterminator="\n", float_format="%.15g")


def _texts(column: pd.Series) -> pa.Array:
    """A column as the text pandas' CSV writer gives it (empty cells null)."""
    values = column.to_numpy()
    if values.dtype.kind == "f":
        bits = values.astype(np.float64).view(np.int64)  # -0.0 and 0.0 stay apart
        empty = np.isnan(values)
        distinct, inverse = np.unique(bits[~empty], return_inverse=True)
        texts = np.array([format(v, ".15g") for v in distinct.view(np.float64)], dtype=object)
        out = np.full(len(values), None, dtype=object)
        out[~empty] = texts[inverse]
        return pa.array(out, type=pa.string())
    if values.dtype.kind in "iub":
        return pa.array(column.astype(str).to_numpy(dtype=object), type=pa.string())
    try:  # text (Arrow-backed or Python str): taken as it is, empty cells null
        return pa.array(column, from_pandas=True).cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        cells = column.astype(object).where(column.notna(), None).to_numpy(dtype=object)
        return pa.array([None if c is None else str(c) for c in cells], type=pa.string())


def _arrow_csv(rows: pd.DataFrame) -> str | None:
    import csv
    import io

    import pyarrow.csv as pa_csv

    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([str(c) for c in rows.columns])
    if rows.empty:
        return header.getvalue()
    table = pa.table({f"c{i}": _texts(rows[c]) for i, c in enumerate(rows.columns)})
    body = io.BytesIO()
    try:
        pa_csv.write_csv(
            table, body, pa_csv.WriteOptions(include_header=False, quoting_style="none")
        )
    except pa.ArrowInvalid:  # a delimiter, quote or line break in a cell: pandas quotes it
        return None
    return header.getvalue() + body.getvalue().decode("utf-8")


def to_json(rows: pd.DataFrame) -> str:
    """The rows as a JSON list of records (``json.dumps(indent=1)``, empty cells null)."""
    return "".join(json_pieces(rows))


def json_pieces(rows: pd.DataFrame, batch: int = 100_000) -> Iterator[str]:
    """:func:`to_json`'s text in pieces of ``batch`` records, to write without holding it all.

    Joined by Arrow in C: each distinct cell is encoded once by the json module, the records
    are the keys and their cells joined element-wise; the same text as the record-by-record
    path, which columns of other types still take."""
    if len(rows) == 0:
        yield "[]"
        return
    parts = _json_parts(rows)
    if parts is None:
        yield _python_json(rows)
        return
    yield "[\n"
    for start in range(0, len(rows), batch):
        sliced = [p.slice(start, batch) if isinstance(p, pa.Array) else p for p in parts]
        records = pc.binary_join_element_wise(*sliced)
        listed = pa.LargeListArray.from_arrays([0, len(records)], records)
        joined = pc.binary_join(listed, pa.scalar(",\n", pa.large_string()))[0].as_py()
        yield (",\n" if start else "") + joined
    yield "\n]"


def _python_json(rows: pd.DataFrame) -> str:
    records = [
        {k: (None if _empty(v) else v) for k, v in record.items()}
        for record in rows.astype(object).to_dict(orient="records")
    ]
    return json.dumps(records, ensure_ascii=False, indent=1)


def _json_cells(column: pd.Series) -> pa.Array | None:
    """Each cell as its JSON text (``null`` for an empty one); None: not a plain column."""
    values = column.to_numpy()
    kind = values.dtype.kind
    if kind in "fiub":
        keys = values.astype(np.float64).view(np.int64) if kind == "f" else values
        empty = np.isnan(values) if kind == "f" else np.zeros(len(values), dtype=bool)
        distinct, inverse = np.unique(keys[~empty], return_inverse=True)
        originals = distinct.view(np.float64) if kind == "f" else distinct
        texts = np.array([json.dumps(v.item()) for v in originals], dtype=object)
        out = np.full(len(values), "null", dtype=object)
        out[~empty] = texts[inverse]
        return pa.array(out, type=pa.large_string())
    try:
        text = pa.array(column, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None
    if not (pa.types.is_string(text.type) or pa.types.is_large_string(text.type)):
        return None
    if isinstance(text, pa.ChunkedArray):  # pandas' Arrow-backed text may come in chunks
        text = text.combine_chunks()
    encoded = text.dictionary_encode()
    words = [json.dumps(w, ensure_ascii=False) for w in encoded.dictionary.to_pylist()]
    cells = pa.array(words, type=pa.large_string()).take(encoded.indices)
    return pc.fill_null(cells, "null")


def _json_parts(rows: pd.DataFrame) -> list[pa.Array | pa.Scalar] | None:
    """The arguments of a record's element-wise join: key texts and cell columns, then the
    record's end and the empty separator (None: a frame the Arrow path does not take)."""
    labels = list(rows.columns)
    if not labels or len(set(labels)) != len(labels) or not all(isinstance(c, str) for c in labels):
        return None  # what json.dumps makes of such keys is left to it

    def text(value: str) -> pa.Scalar:
        return pa.scalar(value, pa.large_string())

    parts: list[pa.Array | pa.Scalar] = []
    for i, label in enumerate(labels):
        cells = _json_cells(rows[label])
        if cells is None:
            return None
        key = json.dumps(label, ensure_ascii=False)
        parts += [text((" {\n  " if i == 0 else ",\n  ") + key + ": "), cells]
    return [*parts, text("\n }"), text("")]
