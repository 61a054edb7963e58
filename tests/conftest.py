from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
REPORT = ROOT / "raw" / "fy2012_sister_city_exchanges.txt"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="session", autouse=True)
def user_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The cache's secret key lives in the user's cache folder: tests keep theirs in a
    temporary one, never in the real ~/.cache (child processes inherit it)."""
    folder = tmp_path_factory.mktemp("user-cache")
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if previous is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(scope="session")
def report_bytes() -> bytes:
    return REPORT.read_bytes()


@pytest.fixture(scope="session")
def fy2012_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real `pipeline run` of raw/ through the command line, shared by the golden tests."""
    from pipeline.cli import main

    out = tmp_path_factory.mktemp("fy2012")
    assert main(["run", str(REPORT.parent), "--out", str(out), "--quiet"]) == 0
    return out
