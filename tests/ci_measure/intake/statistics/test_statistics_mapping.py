"""A mapping with a mistake is refused with its file and line, like partnership.yaml."""

from __future__ import annotations

import pytest

from ci_measure.config.workspace import load_workspace
from ci_measure.errors import ConfigError
from ci_measure.intake.statistics.mapping import load_mappings

GOOD = """\
partner: DST
columns: [OMRÅDE, KØN, ALDER, TID, INDHOLD]
value: INDHOLD
period: TID
area:
  column: OMRÅDE
  map: {"561": "0561", "000": DK}
sex:
  column: KØN
  map: {"1": M, "2": F}
elements:
  - data_element: BEF_16_64
    where: {ALDER: "16-64"}
    year_from: last
  - data_element: BEF_25
    where: {ALDER: ["25"]}
    year_from: last
"""


def _refusal(stat_root, add_mapping, text: str) -> str:
    add_mapping("folk1a.yaml", text)
    with pytest.raises(ConfigError) as raised:
        load_mappings(load_workspace(stat_root))
    return str(raised.value)


def test_the_worked_example_of_spec_11_loads(stat_root, add_mapping):
    add_mapping("folk1a.yaml", GOOD)
    (mapping,) = load_mappings(load_workspace(stat_root))
    assert mapping.name == "statistics/folk1a.yaml" and mapping.partner == "DST"
    assert [e.data_element for e in mapping.elements] == ["BEF_16_64", "BEF_25"]
    assert mapping.area.values == {"561": "0561", "000": "DK"}
    (condition,) = mapping.elements[0].where
    assert condition.matches("16") and condition.matches("64 år") and not condition.matches("65")
    assert condition.matches("20-24 år") and not condition.matches("60-69 år")
    assert not condition.matches("ialt") and not condition.matches("alder i alt")


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (
            ("BEF_16_64", "BEF_16_46"),
            12,
            "unknown data element 'BEF_16_46'; did you mean BEF_16_64",
        ),
        (
            ("BEF_25\n", "ELEVER_AFGANG_9KL\n"),
            15,
            "DST is not responsible for ELEVER_AFGANG_9KL in area 0561",
        ),
        (("value: INDHOLD", "value: VÆRDI"), 3, "the export has no such column"),
        (("period: TID", "period: PERIODE"), 4, "'period' is the column 'PERIODE'"),
        (("  column: OMRÅDE", "  column: KOMMUNE"), 6, "'column' is the column 'KOMMUNE'"),
        (("where: {ALDER:", "where: {ALDRE:"), 13, "'where' names the column 'ALDRE'"),
        (("period: TID\n", "period: TID\nperiode: TID\n"), 5, "unknown key 'periode'"),
        (('"000": DK}', '"000": DKK}'), 7, "unknown area 'DKK'; did you mean DK"),
        (('"2": F}', '"2": W}'), 10, "unknown sex code 'W'"),
        (
            (
                "year_from: last\n  - data_element: BEF_25",
                "year_from: first\n  - data_element: BEF_25",
            ),
            14,
            "must be one of: last, sum",
        ),
        (('ALDER: ["25"]', 'ALDER: ["IALT", "25"]'), 16, "mixes the total ('ialt') with its parts"),
        (("partner: DST", "partner: DTS"), 1, "unknown partner 'DTS'; did you mean DST"),
        (('ALDER: "16-64"', 'ALDER: "64-16"'), 13, "runs backwards"),
        (("BEF_25\n", "BEF_16_64\n"), 15, "BEF_16_64 is listed twice (also on line 12)"),
    ],
)
def test_a_mistake_names_the_mapping_file_and_line(stat_root, add_mapping, change, line, words):
    old, new = change
    assert old in GOOD
    message = _refusal(stat_root, add_mapping, GOOD.replace(old, new, 1))
    assert message.startswith(f"[config_error] statistics/folk1a.yaml, line {line}: "), message
    assert words in message


def test_layout_mistakes_are_refused(stat_root, add_mapping):
    across = GOOD.replace("period: TID", "period: {across: true}")
    assert "remove 'value'" in _refusal(stat_root, add_mapping, across)
    quarterly = GOOD.replace("BEF_25\n", "INKL_DELTAGERE\n")
    assert "no partner does" in _refusal(stat_root, add_mapping, quarterly)
    headerless = GOOD.replace("period: TID", "header: false\nperiod: {across: true}").replace(
        "value: INDHOLD\n", ""
    )
    assert "'header: false' cannot be used" in _refusal(stat_root, add_mapping, headerless)
    no_value = GOOD.replace("value: INDHOLD\n", "")
    assert "which column holds the numbers?" in _refusal(stat_root, add_mapping, no_value)
    twice = GOOD.replace("INDHOLD]", "INDHOLD, indhold]")
    assert "named twice" in _refusal(stat_root, add_mapping, twice)


def test_year_from_only_for_elements_counted_per_year(stat_root, add_mapping):
    text = GOOD.replace("BEF_16_64\n", "BEF_16_64_KVT\n")
    message = _refusal(stat_root, add_mapping, text)
    assert "line 14" in message and "reported per quarter, not per year" in message


def test_every_mapping_in_the_docs_loads(stat_root):
    """docs/statistics.md's worked examples are real mappings, not pseudo-code."""
    import re
    from pathlib import Path

    from ci_measure.intake.statistics.mapping import load_mapping

    docs = Path(__file__).resolve().parents[4] / "docs" / "statistics.md"
    blocks = re.findall(r"```yaml\n(.*?)```", docs.read_text(encoding="utf-8"), re.S)
    examples = [b for b in blocks if b.startswith("# statistics/")]
    assert len(examples) == 4
    ws = load_workspace(stat_root)
    for text in [*examples, blocks[0]]:
        path = stat_root / "statistics" / "example.yaml"
        path.write_text(text, encoding="utf-8")
        assert load_mapping(path, ws).partner == "DST"
