"""Small files of the kind partners send, each writing its own cells (so the order in which
concurrent processes take them in cannot change a figure). Used by the shared-warehouse tests
and by benchmarks/concurrency.py."""

from __future__ import annotations


def small_files(count: int, offset: int = 0) -> dict[str, tuple[str, str]]:
    """{name: (partner, text)}: odd numbers an NGO's quarters (comma CSV, English headers),
    even numbers a school's school year (semicolon CSV, Danish headers); file n holds year
    1990 + n."""
    files = {}
    for n in range(offset, offset + count):
        year = 1990 + n
        if n % 2:
            text = "data_element,area,period,value\n" + "".join(
                f"INKL_DELTAGERE,0561-OST-N,{year}-Q{q},{n + q}\n" for q in (1, 2, 3, 4)
            )
            files[f"{n:03d}-ngo.csv"] = ("NGO", text)
        else:
            school = f"{year}/{(year + 1) % 100:02d}"
            text = (
                "dataelement;område;periode;køn;værdi\n"
                f"ELEVER_AFGANG_9KL;0561-OST-N;{school};M;{40 + n}\n"
                f"ELEVER_UDD_15MD;0561-OST-N;{school};M;{30 + n}\n"
            )
            files[f"{n:03d}-skole.csv"] = ("SKOLE", text)
    return files
