"""One maker per example partnership (``make(root)`` writes ``root/<slug>/submissions/``).

The shared helpers are in ``synthetic.py``; the demo's maker (data/demo/make_demo_files.py)
uses them too. Run them all with ``examples/make_example_files.py``.
"""

from __future__ import annotations

from . import (
    baeredygtige_landskaber,
    bo_trygt,
    dk2020,
    hjem_til_alle,
    rummelighed_for_alle,
    toendermarsk,
    troldhedestien,
)

# In the order the examples were added (each maker has its own seed, so order does not matter).
MAKERS = (
    troldhedestien,
    rummelighed_for_alle,
    hjem_til_alle,
    dk2020,
    baeredygtige_landskaber,
    toendermarsk,
    bo_trygt,
)
