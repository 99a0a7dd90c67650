"""Write the example partnerships' submission files (SYNTHETIC figures) into examples/*/submissions/.

    .venv/bin/python examples/make_example_files.py [FOLDER] [EXAMPLE ...]

(FOLDER: write there instead of examples/, e.g. to compare with the committed files;
EXAMPLE: only these, by slug.)

Each example has its own small maker in ``examples/makers/<example>.py``, with its own seed;
the helpers they share (seeded drift, Danish numbers, ';' CSV, workbooks with title rows) are
in ``examples/makers/synthetic.py``. Deterministic: running it again gives the same bytes.
Every file imitates a format partners really send (Danish ';' CSV with decimal comma,
Windows-1252, tab-separated text, workbooks with title rows); the leading number of a file
name is the order it is taken in. A few files are wrong on purpose: they are rejected with a
receipt, and a corrected file follows (see each README).

``medvind-oesterbyen`` is the demo partnership: its files stay in data/demo/ (the source of
``make demo``, made by data/demo/make_demo_files.py with the same helpers);
examples/medvind-oesterbyen/ holds only its README and the pointer ``source.txt``
(see ci_measure/config/examples.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the makers live beside this script
    sys.path.insert(0, str(HERE))

from makers import MAKERS  # noqa: E402
from makers.synthetic import list_files  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]).resolve() if args else HERE
    wanted = set(args[1:])
    unknown = wanted - {maker.SLUG for maker in MAKERS}
    if unknown:
        raise SystemExit(f"unknown example(s): {', '.join(sorted(unknown))}")
    for maker in MAKERS:
        if not wanted or maker.SLUG in wanted:
            maker.make(root)
    list_files(root)


if __name__ == "__main__":
    main()
