"""YAML read as text with line numbers: codes survive as typed, errors name the line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ci_measure.config.yamlsource import Map, Seq, Source, Text, line_of, load_yaml, parse_yaml
from ci_measure.errors import ConfigError

DOC = """\
name: Test
codes:
  - 0561
  - 0101
  - 1e3
flags: {a: yes, b: no, c: null, d: ~}
nested:
  key: 08
"""


def test_every_scalar_stays_the_text_as_typed():
    doc = parse_yaml(DOC, "x.yaml")
    assert doc["codes"] == ["0561", "0101", "1e3"]
    assert doc["flags"] == {"a": "yes", "b": "no", "c": "null", "d": "~"}
    assert doc["nested"]["key"] == "08"
    assert all(type(c) is Text for c in doc["codes"])


def test_every_node_knows_its_line():
    doc = parse_yaml(DOC, "x.yaml")
    assert isinstance(doc, Map) and isinstance(doc["codes"], Seq)
    assert [line_of(c) for c in doc["codes"]] == [3, 4, 5]
    assert doc.key_line("flags") == 6 and line_of(doc["flags"]["b"]) == 6
    assert doc.key_line("nested") == 7 and doc["nested"].key_line("key") == 8
    assert line_of("plain") is None


def test_an_empty_document_is_none():
    assert parse_yaml("# only a comment\n", "x.yaml") is None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", 3),
        ("a:\n  - 1\n b: 2\n", 3),
        ("a: 'unterminated\n", 2),
    ],
)
def test_invalid_yaml_names_file_and_line(text, line):
    with pytest.raises(ConfigError, match=rf"x\.yaml, line {line}: not valid YAML"):
        parse_yaml(text, "x.yaml")


def test_a_key_given_twice_is_refused_with_both_lines():
    with pytest.raises(
        ConfigError, match=r"x\.yaml, line 3: the key 'a' is given twice \(also on line 1\)"
    ):
        parse_yaml("a: 1\nb: 2\na: 3\n", "x.yaml")


def test_load_yaml_reads_utf8_with_bom_and_refuses_other_encodings(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes("\ufeffname: Østerbyen\n".encode())
    assert load_yaml(path) == {"name": "Østerbyen"}
    path.write_bytes("name: Østerbyen\n".encode("cp1252"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_yaml(path)
    with pytest.raises(ConfigError, match="cannot be read"):
        load_yaml(tmp_path / "missing.yaml")


def test_source_checks_keys_and_values_with_lines():
    src = Source("p.yaml")
    node = parse_yaml("a: 1\nb: x\nc: true\nd: 2,5\nzz: 1\n", "p.yaml")
    with pytest.raises(ConfigError, match=r"p\.yaml, line 5: thing: unknown key 'zz'"):
        src.keys(node, "thing", ("a",), ("b", "c", "d"))
    with pytest.raises(ConfigError, match=r"p\.yaml, line 1: thing: 'e' is required"):
        src.keys(node, "thing", ("e",), ("a", "b", "c", "d", "zz"))
    assert src.number(node, "a", "thing") == 1.0
    assert src.number(node, "d", "thing") == 2.5
    assert src.integer(node, "missing", "thing", 5) == 5
    assert src.boolean(node, "c", "thing", False) is True
    with pytest.raises(ConfigError, match=r"p\.yaml, line 2: thing: 'b' must be a number, not 'x'"):
        src.number(node, "b", "thing")
    with pytest.raises(ConfigError, match=r"line 2: thing: 'b' must be true or false"):
        src.boolean(node, "b", "thing", False)
    with pytest.raises(
        ConfigError, match=r"line 2: thing: 'b' is 'x', but must be one of: up, down"
    ):
        src.choice(node, "b", "thing", ("up", "down"))
    with pytest.raises(ConfigError, match=r"line 4: thing: the code '2,5' must be upper-case"):
        src.code(node, "d", "thing")


def test_source_lists_accept_a_single_value_and_refuse_mappings():
    src = Source("p.yaml")
    node = parse_yaml("one: A\nmany: [A, B]\nbad: {x: 1}\n", "p.yaml")
    assert src.texts(node, "one", "t") == ["A"]
    assert src.texts(node, "many", "t") == ["A", "B"]
    with pytest.raises(ConfigError, match=r"line 3: t: 'bad' must be a list"):
        src.texts(node, "bad", "t")


@given(st.from_regex(r"[0-9][0-9A-Za-z_-]{0,8}", fullmatch=True))
def test_codes_that_look_like_numbers_survive_unquoted(code):
    assert parse_yaml(f"code: {code}\nlist: [{code}]\n", "x.yaml") == {"code": code, "list": [code]}


def test_the_lean_loader_builds_what_the_stock_base_loader_built(monkeypatch):
    """issue 19: the loader skips BaseResolver's per-node calls; same values, same lines."""
    import yaml

    from ci_measure.config import yamlsource

    text = (
        "name: Nord\nareas:\n  - code: 0561\n    name: 'Esbjerg'\n    parent: ~\n"
        "  - {code: '0101', name: !!str Kbh}\nflags: [yes, no, 1.5, null]\n"
        "target: !custom 12\nblock: |\n  two\n  lines\n"
    )

    def plain(node):
        if isinstance(node, dict):
            return {k: (plain(v), yamlsource.line_of(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [(plain(v), yamlsource.line_of(v)) for v in node]
        return (type(node).__name__, str(node), yamlsource.line_of(node))

    lean = plain(yamlsource.parse_yaml(text, "x.yaml"))
    monkeypatch.setattr(yamlsource, "_Loader", getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    assert lean == plain(yamlsource.parse_yaml(text, "x.yaml"))
    assert lean["areas"][0][0][0]["code"] == (("Text", "0561", 3), 3)
