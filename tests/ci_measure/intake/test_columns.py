import pytest

from ci_measure.intake.columns import HEADER_ALIASES, canonical_header


@pytest.mark.parametrize(
    "header, canon",
    [
        ("Område", "area"),
        ("OMRAADE", "area"),
        (" omrade ", None),
        ("Værdi", "value"),
        ("VAERDI", "value"),
        ("Skoleår", "period"),
        ("År", "period"),
        ("Køn", "sex"),
        ("Herkomst", "origin"),
        ("Bemærkning", "comment"),
        ("Data element", "data_element"),
        ("area code", "area"),
        ("Antal", "value"),
        ("Afsender", "partner"),
        ("Befolkning", None),
        (None, None),
    ],
)
def test_headers_match_case_and_accent_insensitively(header, canon):
    assert canonical_header(header) == canon


def test_every_spec_alias_is_accepted():
    for canon, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            assert canonical_header(alias.upper()) == canon
