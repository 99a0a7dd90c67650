"""pandera, imported without its hypothesis strategies: every `check` imports pandera.

pandera imports hypothesis (≈ 0.1 s) whenever it is installed, only to offer data synthesis
(``schema.strategy()``), which ci-measure never uses. hypothesis is a test dependency (the
``dev`` extra): a production install has no hypothesis and pandera skips it by itself. Here
it is skipped in a development environment too, so `check` starts as fast as it does in
production. When hypothesis is already imported (pytest), pandera gets it as usual.
"""

from __future__ import annotations

import sys

if "pandera" not in sys.modules and "hypothesis" not in sys.modules:
    sys.modules["hypothesis"] = None  # type: ignore[assignment]  # `import hypothesis` fails
    try:
        import pandera.pandas as pa
        import pandera.strategies.pandas_strategies  # noqa: F401  (decides once: no hypothesis)
    finally:
        del sys.modules["hypothesis"]  # later imports of hypothesis work as usual
else:
    import pandera.pandas as pa

from pandera.typing.pandas import Series  # noqa: E402

__all__ = ["pa", "Series"]
