"""pipeline: Japanese government exchange reports -> analysis-ready tables.

Public API: `find_dates` (the date engine), `extract_bytes` (one report), `run` (a folder
of reports -> CSV, Parquet and manifest), `load` (an output folder -> pandas DataFrames).
Heavy modules load on first use so that the date command starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "extract_bytes", "find_dates", "load", "run"]

if TYPE_CHECKING:
    from pipeline.dates import find_dates
    from pipeline.extract import extract_bytes
    from pipeline.loading import load
    from pipeline.runner import run


def __getattr__(name: str) -> Any:
    # Each name imports its module on first use, only for speed: `import pipeline` and the
    # date engine never load pyarrow or pandas.
    if name == "find_dates":
        from pipeline.dates import find_dates  # lazy (speed)

        return find_dates
    if name == "extract_bytes":
        from pipeline.extract import extract_bytes  # lazy (speed)

        return extract_bytes
    if name == "load":  # pandas is imported by load() itself, on its first call
        from pipeline.loading import load  # lazy (speed)

        return load
    if name == "run":
        from pipeline.runner import run  # lazy (speed)

        return run
    raise AttributeError(name)
