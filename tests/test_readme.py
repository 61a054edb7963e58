"""The README's examples, run as written: a front door that lies is worse than none."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def console_block(start: str) -> list[str]:
    """The lines of the ```console block that begins with `start`."""
    block = README.split(f"```console\n{start}", 1)[1].split("```", 1)[0]
    return (start + block).rstrip("\n").split("\n")


def test_the_dates_example(capsys: pytest.CaptureFixture[str]) -> None:
    command, *expected = console_block("$ pipeline dates ")
    assert main(["dates", *shlex.split(command.removeprefix("$ pipeline dates "))]) == 0
    assert capsys.readouterr().out.splitlines() == expected


def test_the_diff_example(tmp_path: Path) -> None:
    lines = console_block("$ mkdir old new")
    at = next(i for i, line in enumerate(lines) if line.startswith("$ pipeline diff"))
    setup = "\n".join(line.removeprefix("$ ") for line in lines[:at])
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    subprocess.run(setup, shell=True, check=True, cwd=tmp_path)
    command = lines[at].removeprefix("$ pipeline ")
    done = subprocess.run([sys.executable, "-m", "pipeline", *shlex.split(command)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1  # something differs
    assert done.stdout.rstrip("\n").split("\n") == lines[at + 1 :]


def test_the_run_example(tmp_path: Path) -> None:
    lines = console_block("$ pipeline run")
    commands = [i for i, line in enumerate(lines) if line.startswith("$ ")]
    said = {lines[i].split("#")[0].strip(): lines[i + 1 : j]
            for i, j in zip(commands, [*commands[1:], len(lines)], strict=True)}
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    first = subprocess.run([sys.executable, "-m", "pipeline", "run"], cwd=tmp_path,
                           capture_output=True, text=True)
    assert first.stderr.strip() == lines[1]
    counted = subprocess.run("wc -l output/*.csv", shell=True, cwd=tmp_path,
                             capture_output=True, text=True, check=True)
    assert counted.stdout.rstrip("\n").split("\n") == said["$ wc -l output/*.csv"]
    listed = set(" ".join(said["$ ls output"]).split())
    assert listed == {p.name for p in (tmp_path / "output").iterdir() if not p.name.startswith(".")}
    again = subprocess.run([sys.executable, "-m", "pipeline", "run"], cwd=tmp_path,
                           capture_output=True, text=True)
    assert again.stderr.strip() == lines[-1]


def test_the_first_run_example(tmp_path: Path) -> None:
    """The install block shows what a first run prints (issue 11: it showed nothing)."""
    lines = console_block("$ python3 -m pip install .")
    assert lines[1] == "$ pipeline run"
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    first = subprocess.run([sys.executable, "-m", "pipeline", "run"], cwd=tmp_path,
                           capture_output=True, text=True)
    assert first.returncode == 0
    assert first.stderr.splitlines() == lines[2:]


def test_the_partition_snippet_runs_as_written(tmp_path: Path) -> None:
    """Regression: the snippet used `pa` and `ds` without importing them."""
    import textwrap

    block = next(b.split("```", 1)[0] for b in README.split("```python\n")[1:]
                 if 'flavor="hive"' in b)
    shutil.copytree(ROOT / "raw", tmp_path / "raw")
    assert main(["run", str(tmp_path / "raw"), "--out", str(tmp_path / "output"), "--quiet",
                 "--partition-by", "fiscal_year"]) == 0
    check = "\nprint(events.num_rows, events.schema.field('fiscal_year').type)\n"
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(block) + check],
                          cwd=tmp_path, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "35 int64\n"


def test_the_readme_says_the_audit_page_needs_a_japanese_font() -> None:
    assert "fonts-noto-cjk" in README
    assert "apt_install fonts-noto-cjk" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
