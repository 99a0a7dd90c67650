"""A workspace whose partner DST sends Statistikbanken exports, and ways to write mappings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REALDATA
from tests.support.services import require

PARTNERSHIP = """\
name: Statistiktest
areas:
  - {code: "0561", name: Esbjerg Kommune}
  - {code: "0621", name: Kolding Kommune}
  - {code: "0461", name: Odense Kommune}
  - {code: DK, name: Hele landet}
  - {code: KBH, name: København}
  - {code: KBH-IB, name: Indre By, parent: KBH}
partners:
  - code: DST
    name: Danmarks Statistik
    reports:
      - data_elements: [BEF_16_64, BEF_25, BEF_25_UDD, BEF_I_ALT, BEF_15_24, BEF_18_24, BESK_16_64,
                        BEF_KVT, BEF_16_64_KVT, UDD_18_25, UDD_18_25_FULDFOERT, TILFLYTTEDE]
        areas: ["0561", "0621", "0461", DK]
      - data_elements: [BYGNINGER_1850]
        areas: [KBH, KBH-IB]
  - code: SKOLE
    name: Skolerne
    reports:
      - data_elements: [ELEVER_AFGANG_9KL]
        areas: ["0561"]
"""

CATALOG = """\
data_elements:
  - {code: BEF_KVT, label_da: "Indbyggere den 1. i kvartalet", label_en: "Residents, 1st of the quarter",
     unit: persons, period_type: quarter, time: last}
  - {code: BEF_16_64_KVT, label_da: "16-64-årige den 1. i kvartalet", label_en: "Aged 16-64, 1st of the quarter",
     unit: persons, period_type: quarter, time: last}
  - {code: UDD_18_25, label_da: "18-25-årige", label_en: "Aged 18-25",
     unit: persons, period_type: year, time: last}
  - {code: UDD_18_25_FULDFOERT, label_da: "18-25-årige med fuldført ungdomsuddannelse",
     label_en: "Aged 18-25 with a completed upper secondary education",
     unit: persons, period_type: year, time: last}
  - {code: TILFLYTTEDE, label_da: "Tilflyttede", label_en: "People moving in",
     unit: persons, period_type: year, time: sum}
  - {code: BYGNINGER_1850, label_da: "Bygninger opført 1850-1899", label_en: "Buildings built 1850-1899",
     unit: buildings, period_type: year, time: last}
"""


@pytest.fixture
def stat_root(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "statistics").mkdir(parents=True)
    (root / "partnership.yaml").write_text(PARTNERSHIP, encoding="utf-8")
    (root / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    for partner in ("DST", "SKOLE"):
        (root / "inbox" / partner).mkdir(parents=True)
    return root


@pytest.fixture
def add_mapping(stat_root: Path):
    def write(name: str, text: str) -> Path:
        path = stat_root / "statistics" / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def real(name: str) -> Path:
    path = REALDATA / name
    require(path.is_file(), f"the real data file {path} (shared/realdata)")
    return path
