"""partnership.yaml is refused line by line; init creates workspaces (and the demo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ci_measure.config.model import Target
from ci_measure.config.partnership import parse_partnership
from ci_measure.config.workspace import (
    DEMO,
    REPOSITORY_DATA,
    init_workspace,
    load_workspace,
    resolve_root,
)
from ci_measure.errors import ConfigError, UsageError
from tests.helpers import write

GOOD = """\
name: Test
suppression_threshold: 3
max_file_mb: 2.5
main_area: 0561-ost
public_scorecard: yes
areas:
  - code: 0561
    name: Esbjerg Kommune
  - code: 0561-OST
    name: Østerbyen
    parent: 0561
  - code: 0561-OST-N
    name: Nord
    parent: 0561-OST
  - code: DK
    name: Hele landet
partners:
  - code: SKOLE
    name: Skolerne
    reports:
      - data_elements: [ELEVER_AFGANG_9KL, elever_udd_15md]
        areas: [0561-OST-N]
        sex: [M, f]
  - code: KOMMUNE
    name: Statistik
    reports:
      - data_elements: [BEF_25, BEF_25_UDD]
        areas: [0561, DK]
        origin: [DK, IMM, DESC, _T]
      - data_elements: INKL_DELTAGERE
        areas: 0561-OST
baselines:
  - {indicator: UDD_OVERGANG, area: 0561-OST, period: 2018/2019, value: 71}
targets:
  - {indicator: UDD_OVERGANG, area: 0561-OST, period: 2029-30, value: "90,5"}
  - {indicator: INKL_DELTAGERE, area: 0561-OST, period: 2030, value: 400}
  - {indicator: INKL_DELTAGERE, area: 0561-OST, period: K2 2030, value: 100}
"""


@pytest.fixture
def catalog():
    from ci_measure.config.catalog import load_catalog

    return load_catalog(None)


def test_a_good_partnership_keeps_codes_as_text_and_canonical(catalog):
    p = parse_partnership(GOOD, "partnership.yaml", catalog)
    assert [a.code for a in p.areas] == ["0561", "0561-OST", "0561-OST-N", "DK"]
    assert p.area("0561-OST").parent == "0561" and p.children("0561-OST") == ["0561-OST-N"]
    assert (p.suppression_threshold, p.max_file_mb, p.main_area, p.public_scorecard) == (
        3,
        2.5,
        "0561-OST",
        True,
    )
    skole, kommune = p.partners
    assert skole.reports[0].data_elements == ("ELEVER_AFGANG_9KL", "ELEVER_UDD_15MD")
    assert skole.reports[0].sex == ("M", "F") and skole.reports[0].origin == ("_T",)
    assert kommune.reports[0].origin == ("DK", "IMM", "DESC", "_T")
    assert kommune.reports[1].data_elements == ("INKL_DELTAGERE",) and kommune.reports[1].areas == (
        "0561-OST",
    )
    assert p.responsibility()[("BEF_25", "0561")] == "KOMMUNE"
    assert p.baselines == (Target("UDD_OVERGANG", "0561-OST", "2018/19", 71.0),)
    assert p.targets == (
        Target("UDD_OVERGANG", "0561-OST", "2029/30", 90.5),
        Target("INKL_DELTAGERE", "0561-OST", "2030", 400.0),
        Target("INKL_DELTAGERE", "0561-OST", "2030-Q2", 100.0),
    )
    assert all(type(a.code) is str for a in p.areas)


def test_defaults(catalog):
    text = "name: X\nareas: [{code: A, name: A}]\npartners: [{code: P, name: P, reports: [{data_elements: [BEF_25], areas: [A]}]}]\n"
    p = parse_partnership(text, "partnership.yaml", catalog)
    assert (p.suppression_threshold, p.max_file_mb, p.main_area, p.public_scorecard) == (
        5,
        100.0,
        None,
        False,
    )
    assert p.baselines == p.targets == ()


def change(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


BAD = [
    (change("name: Test\n", ""), 1, "partnership: 'name' is required"),
    (change("name: Test\n", "name: Test\ncolour: blue\n"), 2, "partnership: unknown key 'colour'"),
    (
        change("suppression_threshold: 3", "suppression_threshold: 0"),
        2,
        "'suppression_threshold' must be 1 or more",
    ),
    (
        change("suppression_threshold: 3", "suppression_threshold: 2.5"),
        2,
        "'suppression_threshold' must be a whole number",
    ),
    (
        change("suppression_threshold: 3", "suppression_threshold: five"),
        2,
        "'suppression_threshold' must be a number, not 'five'",
    ),
    (change("max_file_mb: 2.5", "max_file_mb: -1"), 3, "'max_file_mb' must be greater than 0"),
    (
        change("main_area: 0561-ost", "main_area: 0561-OTS"),
        4,
        "unknown main_area '0561-OTS'; did you mean 0561-OST",
    ),
    (
        change("public_scorecard: yes", "public_scorecard: perhaps"),
        5,
        "'public_scorecard' must be true or false",
    ),
    (
        change("  - code: DK\n    name: Hele landet\n", "  - code: 0561-ost\n    name: Igen\n"),
        15,
        "area 0561-ost is listed twice (also on line 9)",
    ),
    (
        change("    parent: 0561-OST\n", "    parent: 0561-OTS\n"),
        14,
        "unknown parent area of 0561-OST-N '0561-OTS'; did you mean 0561-OST",
    ),
    (
        change(
            "    name: Esbjerg Kommune\n", "    name: Esbjerg Kommune\n    parent: 0561-OST-N\n"
        ),
        7,
        "the areas' parents go round in a circle (0561 → 0561-OST-N → 0561-OST → 0561)",
    ),
    (
        change("    name: Hele landet\n", "    name: Hele landet\n    parent: DK\n"),
        15,
        "go round in a circle (DK → DK)",
    ),
    (change("    name: Nord\n", "    name: Nord\n    size: 3\n"), 14, "area: unknown key 'size'"),
    ("name: X\nareas: []\npartners: []\n", 2, "'areas' must list at least one area"),
    (
        change("  - code: KOMMUNE", "  - code: SKOLE"),
        24,
        "partner SKOLE is listed twice (also on line 18)",
    ),
    (
        change("  - code: KOMMUNE", "  - code: KOMMUNE STAT"),
        24,
        "partner code 'KOMMUNE STAT' may only hold letters, digits, _ and -",
    ),
    (change("    name: Skolerne\n", ""), 18, "partner: 'name' is required"),
    (
        change("[BEF_25, BEF_25_UDD]", "[BEF_25, BEF_25_UD]"),
        27,
        "unknown data element 'BEF_25_UD'; did you mean BEF_25_UDD",
    ),
    (change("areas: [0561, DK]", "areas: [0561, DKK]"), 28, "unknown area 'DKK'; did you mean DK"),
    (change("sex: [M, f]", "sex: [M, K]"), 23, "unknown sex code 'K'; use one of: M, F, _T"),
    (change("origin: [DK, IMM, DESC, _T]", "origin: [DK, INDV]"), 29, "unknown origin code"),
    (
        change(
            "        areas: [0561-OST-N]\n", "        areas: [0561-OST-N]\n        when: always\n"
        ),
        23,
        "partner SKOLE: reports: unknown key 'when'",
    ),
    (
        change(
            "        areas: 0561-OST\n",
            "        areas: 0561-OST\n      - data_elements: [ELEVER_UDD_15MD]\n        areas: [0561-OST-N]\n",
        ),
        33,
        "partner KOMMUNE reports ELEVER_UDD_15MD for area 0561-OST-N, but partner SKOLE already does (line 22)",
    ),
    (
        change(
            "    reports:\n      - data_elements: [ELEVER_AFGANG_9KL, elever_udd_15md]\n        areas: [0561-OST-N]\n        sex: [M, f]\n",
            "    reports: []\n",
        ),
        20,
        "'reports' must list at least one entry",
    ),
    (
        change(
            "{indicator: UDD_OVERGANG, area: 0561-OST, period: 2018/2019",
            "{indicator: UDD_OVERGAN, area: 0561-OST, period: 2018/2019",
        ),
        33,
        "unknown indicator 'UDD_OVERGAN'; did you mean UDD_OVERGANG",
    ),
    (
        change("area: 0561-OST, period: 2018/2019", "area: 0561-X, period: 2018/2019"),
        33,
        "unknown area '0561-X'",
    ),
    (
        change("period: 2018/2019", "period: 2018"),
        33,
        "baseline for UDD_OVERGANG: '2018' is not a school year; write e.g. \"2023/24\"",
    ),
    (
        change("period: 2030, value: 400", "period: 2030-03, value: 400"),
        36,
        "'2030-03' is not a quarter; write e.g. \"2024-Q1 or 2024\"",
    ),
    (
        change("period: 2018/2019, value: 71", "period: 2018/2019, value: lots"),
        33,
        "baseline for UDD_OVERGANG: 'value' must be a number, not 'lots'",
    ),
    (
        change("period: 2018/2019, value: 71}", "period: 2018/2019}"),
        33,
        "baseline: 'value' is required",
    ),
    (
        change("period: 2030, value: 400", "period: 2030-Q2, value: 400"),
        37,
        "target for INKL_DELTAGERE, 0561-OST, 2030-Q2 is given twice (also on line 36)",
    ),
    ("- just\n- a list\n", 1, "partnership.yaml must be a mapping"),
    ("", None, "the file is empty"),
]


@pytest.mark.parametrize(("text", "line", "message"), BAD, ids=[b[2][:40] for b in BAD])
def test_a_bad_partnership_is_refused_with_file_and_line(tmp_path, catalog, text, line, message):
    from ci_measure.config.partnership import load_partnership

    path = write(tmp_path / "partnership.yaml", text)
    with pytest.raises(ConfigError) as failure:
        load_partnership(path, catalog)
    where = f"{path}, line {line}: " if line else f"{path}: "
    assert where in str(failure.value)
    assert message in str(failure.value)


def test_a_missing_partnership_tells_the_user_to_run_init(tmp_path):
    with pytest.raises(ConfigError, match="ci-measure init"):
        load_workspace(tmp_path)


def test_the_conftest_workspace_loads(workspace):
    assert workspace.partnership.name == "Testpartnerskab"
    assert [a.code for a in workspace.partnership.areas][:2] == ["0561", "0561-OST"]
    assert len(workspace.catalog.indicators) == 11


def test_a_workspace_catalog_extends_what_partners_may_report(tmp_path):
    write(tmp_path / "catalog.yaml", EXTRA_CATALOG)
    write(
        tmp_path / "partnership.yaml",
        GOOD.replace("[BEF_25, BEF_25_UDD]", "[BEF_25, BEF_25_UDD, FRITID]"),
    )
    workspace = load_workspace(tmp_path)
    assert "FRITID_PR_1000" in workspace.catalog.indicators
    assert workspace.partnership.responsibility()[("FRITID", "DK")] == "KOMMUNE"


def test_a_bad_workspace_catalog_is_refused_by_load_workspace(tmp_path):
    write(
        tmp_path / "catalog.yaml", EXTRA_CATALOG.replace("numerator: FRITID", "numerator: FRITTID")
    )
    write(tmp_path / "partnership.yaml", GOOD)
    with pytest.raises(
        ConfigError,
        match=r"catalog\.yaml, line 11: indicator FRITID_PR_1000: unknown numerator 'FRITTID'",
    ):
        load_workspace(tmp_path)


EXTRA_CATALOG = """\
data_elements:
  - {code: FRITID, label_da: Fritidsdeltagere, label_en: Leisure participants,
     unit: persons, period_type: year, time: last}
indicators:
  - code: FRITID_PR_1000
    label_da: Fritidsdeltagere pr. 1.000 indbyggere
    label_en: Leisure participants per 1,000 residents
    unit: per 1,000
    direction: up
    multiplier: 1000
    numerator: FRITID
    denominator: BEF_I_ALT
"""


def test_resolve_root_argument_then_environment_then_repository_data(monkeypatch, tmp_path):
    monkeypatch.setenv("CI_MEASURE_WORKSPACE", str(tmp_path / "env"))
    assert resolve_root(tmp_path / "arg") == tmp_path / "arg"
    assert resolve_root(str(tmp_path / "arg")) == tmp_path / "arg"
    assert resolve_root(None) == tmp_path / "env"
    monkeypatch.delenv("CI_MEASURE_WORKSPACE")
    assert resolve_root(None) == REPOSITORY_DATA == Path(__file__).resolve().parents[3] / "data"


def test_init_writes_a_starter_that_loads_and_refuses_a_second_time(tmp_path):
    root = init_workspace(tmp_path / "new")
    workspace = load_workspace(root)
    assert "#" in (root / "partnership.yaml").read_text(encoding="utf-8")  # commented for the user
    for partner in workspace.partnership.partners:
        assert (root / "inbox" / partner.code).is_dir() and (
            root / "outbox" / partner.code
        ).is_dir()
    assert (root / "archive").is_dir() and not (root / "catalog.yaml").exists()
    with pytest.raises(UsageError, match="already holds a workspace"):
        init_workspace(root)
    with pytest.raises(UsageError):
        init_workspace(root, demo=True)
    with pytest.raises(UsageError, match="is a file"):
        init_workspace(write(tmp_path / "file.txt", "x"))


def test_init_demo_fills_the_inboxes_in_the_order_they_must_be_taken_in(tmp_path):
    root = init_workspace(tmp_path / "demo", demo=True)
    workspace = load_workspace(root)
    p = workspace.partnership
    assert p.name == "MedVind i Østerbyen" and p.main_area == "0561-OST"
    assert {"0561", "0561-OST", "0561-VEST", "DK", "0621", "0621-TRH"} <= {a.code for a in p.areas}
    assert 5 <= len(p.partners) <= 7
    copied = sorted(root.glob("inbox/*/*"), key=lambda f: f.stat().st_mtime)
    sources = sorted(DEMO.glob("submissions/*/*"))
    assert len(copied) == len(sources) >= 6
    expected = sorted(copied, key=lambda f: (int(f.name.split("_")[0]), f.name))
    assert copied == expected
    mtimes = [f.stat().st_mtime for f in copied]
    assert all(a < b for a, b in zip(mtimes, mtimes[1:], strict=False))
    for source in sources:
        assert (
            root / "inbox" / source.parent.name / source.name
        ).read_bytes() == source.read_bytes()


def test_the_demo_files_are_accepted_except_the_one_meant_to_be_rejected(tmp_path):
    from ci_measure.intake.ingest import pending_files
    from ci_measure.intake.validate import validate_file

    workspace = load_workspace(init_workspace(tmp_path / "demo", demo=True))
    results = {
        path.name: validate_file(path, workspace, partner).receipt
        for partner, path in pending_files(workspace)
    }
    rejected = {name for name, r in results.items() if r.status != "accepted"}
    assert rejected == {"01_hjemloese_unge_2019-2025.csv"}
    problems = [(e.code, e.row, e.value) for e in results["01_hjemloese_unge_2019-2025.csv"].errors]
    assert problems == [
        ("unknown_code", 5, "0561-0ST"),
        ("not_a_number", 8, "ca. 9"),
        ("wrong_period_type", 11, "2023/24"),
    ]
    # The only note: the FOLK1A file says it was read through its mapping (SPEC §11).
    notes = [(name, w.code) for name, r in results.items() for w in r.warnings]
    assert notes == [("00_FOLK1A_befolkning_2019-2025.csv", "statistics_mapping")]


def test_the_demo_generator_is_committed_with_its_outputs():
    assert (DEMO / "make_demo_files.py").is_file() and (DEMO / "README.md").is_file()
    assert "SYNTHETIC" in (DEMO / "README.md").read_text(encoding="utf-8")
    assert (
        os.path.getsize(DEMO / "submissions" / "SKOLER" / "01_skoler_2019-20_til_2024-25.xlsx")
        < 50_000
    )


def test_area_lookups_are_indexed_and_answer_as_the_scans_did():
    """area/children/partner use indexes built once (issue 19) with the scans' answers:
    the first of equal codes, children in file order, roots for None, StopIteration."""
    import time

    from ci_measure.config.model import Area, Partner, Partnership

    areas = (
        Area("DK", "Danmark"),
        *(Area(f"K{k}", f"Kommune {k}", "DK") for k in range(98)),
        *(Area(f"K{k}-{d}", f"Distrikt {d}", f"K{k}") for k in range(98) for d in range(21)),
        Area("K3", "a later area with a code already used", "DK"),
        Area("NORD", "a second root"),
    )
    p = Partnership("national", areas, (Partner("SKOLE", "Skolen", ()),))
    assert p.area("K3").name == "Kommune 3"
    assert p.children("K3") == [f"K3-{d}" for d in range(21)]
    assert p.children(None) == ["DK", "NORD"]
    assert p.children("K3-1") == []
    assert p.partner("skole").code == "SKOLE" and p.partner("NGO") is None
    with pytest.raises(StopIteration):
        p.area("NOPE")
    codes = [a.code for a in areas]
    started = time.perf_counter()
    for _ in range(10):
        assert [p.area(c).code for c in codes] == codes
    # 21,590 lookups: about 1 s as scans of the 2,159 areas, a few ms indexed
    assert time.perf_counter() - started < 0.25
