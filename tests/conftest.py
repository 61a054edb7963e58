from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
REPORT = ROOT / "raw" / "fy2012_sister_city_exchanges.txt"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


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
