"""The submission's columns (SPEC §3): canonical names, accepted headers and code spellings."""

from __future__ import annotations

import re
import unicodedata

REQUIRED = ("data_element", "area", "period", "value")
OPTIONAL = ("sex", "origin", "partner", "comment")

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "data_element": ("data_element", "dataelement", "element", "indikator", "indicator"),
    "area": ("area", "område", "omraade", "area_code"),
    "period": ("period", "periode", "år", "aar", "year", "skoleår"),
    "value": ("value", "værdi", "vaerdi", "antal", "count"),
    "sex": ("sex", "køn", "koen", "gender"),
    "origin": ("origin", "herkomst"),
    "partner": ("partner", "partner_code", "afsender"),
    "comment": ("comment", "kommentar", "bemærkning", "note"),
}

# Danish headers shown in messages and templates.
HEADER_DA = {
    "data_element": "dataelement",
    "area": "område",
    "period": "periode",
    "value": "værdi",
    "sex": "køn",
    "origin": "herkomst",
    "partner": "partner",
    "comment": "kommentar",
}

SEX_ALIASES = {
    "m": "M",
    "mand": "M",
    "maend": "M",
    "dreng": "M",
    "drenge": "M",
    "male": "M",
    "f": "F",
    "k": "F",
    "kvinde": "F",
    "kvinder": "F",
    "pige": "F",
    "piger": "F",
    "female": "F",
    "_t": "_T",
    "t": "_T",
    "i alt": "_T",
    "ialt": "_T",
    "total": "_T",
    "alle": "_T",
}
ORIGIN_ALIASES = {
    "dk": "DK",
    "dansk oprindelse": "DK",
    "imm": "IMM",
    "indvandrere": "IMM",
    "indvandrer": "IMM",
    "desc": "DESC",
    "efterkommere": "DESC",
    "efterkommer": "DESC",
    "_t": "_T",
    "t": "_T",
    "i alt": "_T",
    "ialt": "_T",
    "total": "_T",
    "alle": "_T",
}

_DANISH = str.maketrans({"å": "aa", "æ": "ae", "ø": "oe"})


def normalise(text: str) -> str:
    """Case- and accent-insensitive key: 'Område ' -> 'omraade', 'Data element' -> 'data_element'."""
    text = str(text).strip().lower().translate(_DANISH)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s\-]+", "_", text)


_LOOKUP = {
    normalise(alias): canon for canon, aliases in HEADER_ALIASES.items() for alias in aliases
}


def canonical_header(header: object) -> str | None:
    """The canonical column a header means, or None for an unknown header."""
    if header is None:
        return None
    return _LOOKUP.get(normalise(str(header)))


def normalise_code_value(text: str) -> str:
    """Key for matching sex/origin spellings: lower case, single spaces, Danish letters folded."""
    return re.sub(r"\s+", " ", str(text).strip().lower().translate(_DANISH))
