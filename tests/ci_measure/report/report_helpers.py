"""Hand-built catalog, partnership and published rows, and an HTML parser, for the report tests."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd

from ci_measure.config.model import Area, Catalog, DataElement, Indicator, Partnership, Target
from ci_measure.figures.compute import COLUMNS
from ci_measure.report.html import render_page

NUMBERS = ("numerator", "denominator", "value")


def catalog() -> Catalog:
    elements = {
        "UDD": DataElement("UDD", "I uddannelse", "In education", "persons", "school_year", "sum"),
        "AFG": DataElement(
            "AFG", "Afgangselever", "School leavers", "persons", "school_year", "sum"
        ),
        "NEET": DataElement("NEET", "Uden job og uddannelse", "NEET", "persons", "year", "last"),
        "BEF": DataElement("BEF", "15–24-årige", "Aged 15–24", "persons", "year", "last"),
    }
    indicators = {
        "UDD_OVERGANG": Indicator(
            "UDD_OVERGANG",
            "Overgang til uddannelse",
            "Transition to education",
            "UDD",
            "AFG",
            100,
            "%",
            "up",
            "Andel i uddannelse 15 mdr. efter 9. klasse.",
            "Share in education 15 months after 9th grade.",
            "UVM",
        ),
        "NEET_ANDEL": Indicator(
            "NEET_ANDEL", "=NEET-andel", "NEET share", "NEET", "BEF", 100, "%", "down"
        ),
    }
    return Catalog(elements, indicators)


def partnership() -> Partnership:
    return Partnership(
        name="Testpartnerskab <&>",
        areas=(
            Area("0561", "Esbjerg Kommune"),
            Area("0561-OST", "Østerbyen", "0561"),
            Area("DK", "Hele landet"),
        ),
        partners=(),
        main_area="0561-OST",
        baselines=(Target("UDD_OVERGANG", "0561-OST", "2018/19", 71.0),),
        targets=(Target("UDD_OVERGANG", "0561-OST", "2029/30", 90.0),),
    )


def published_rows() -> pd.DataFrame:
    """Published rows: a rising curve with a suppressed and a missing year, breakdowns, national."""
    rows = []
    values = {
        "2018/19": 70.0,
        "2019/20": 72.0,
        "2020/21": None,
        "2021/22": 76.0,
        "2022/23": 78.0,
        "2023/24": 80.0,
    }
    for period, value in values.items():
        status = "ok" if value is not None else "suppressed"
        rows.append(
            (
                "UDD_OVERGANG",
                "0561-OST",
                period,
                "_T",
                "_T",
                value and value * 2,
                value and 200.0,
                value,
                status,
            )
        )
        rows.append(("UDD_OVERGANG", "0561", period, "_T", "_T", 700.0, 1000.0, 70.0, "ok"))
        rows.append(("UDD_OVERGANG", "DK", period, "_T", "_T", 7500.0, 10000.0, 75.0, "ok"))
        rows.append(("UDD_OVERGANG", "0561-OST", period, "M", "_T", 60.0, 100.0, 60.0, "ok"))
        rows.append(("UDD_OVERGANG", "0561-OST", period, "F", "_T", None, None, None, "suppressed"))
    rows.append(
        ("UDD_OVERGANG", "0561-OST", "2024/25", "_T", "_T", None, None, None, "missing_at_source")
    )
    for year, value, status in (
        ("2021", 12.5, "ok"),
        ("2022", None, "incomplete"),
        ("2023", 11.0, "ok"),
    ):
        rows.append(
            (
                "NEET_ANDEL",
                "0561-OST",
                year,
                "_T",
                "_T",
                value and value * 8,
                value and 800.0,
                value,
                status,
            )
        )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for c in NUMBERS:
        frame[c] = frame[c].astype("float64")
    return frame


class Collector(HTMLParser):
    """Elements with their attributes and the text directly inside them."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.keyed: dict[str, list[str]] = {}  # data-key -> texts inside that element
        self._open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag in ("br", "meta", "circle", "line", "path", "polyline", "input"):
            return
        key = attributes.get("data-key")
        self._open.append(key)
        if key:
            self.keyed.setdefault(key, []).append(
                " ".join(f"{k}={v}" for k, v in attributes.items() if k != "data-key")
            )

    def handle_endtag(self, tag):
        if self._open and tag not in ("br", "meta", "circle", "line", "path", "polyline", "input"):
            self._open.pop()

    def handle_data(self, data):
        for key in {k for k in self._open if k}:
            self.keyed[key].append(data)


def parse(html: str) -> Collector:
    parser = Collector()
    parser.feed(html)
    return parser


def external_references(html: str) -> list[str]:
    """Every src/href/url() that would need the network."""
    found = re.findall(
        r"""(?:src|href|xlink:href|action)\s*=\s*["']?\s*([^"'\s>]+)""", html, flags=re.I
    )
    found += re.findall(r"url\(\s*['\"]?([^)'\"]+)", html, flags=re.I)
    return [
        u
        for u in found
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", u, flags=re.I) and not u.startswith("data:")
    ]


def page(rows: pd.DataFrame | None = None) -> str:
    return render_page(
        published_rows() if rows is None else rows,
        catalog(),
        partnership(),
        downloads={"CSV": "published_figures.csv"},
    )
