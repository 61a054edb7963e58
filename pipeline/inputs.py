"""The inputs of a run or an audit: the files named and the files under the folders named,
with each link's way checked (only into the folders named), a file reached twice read
once, and an output folder or an empty folder refused before anything is read.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.layouts import read_layout, unused_headers, with_builtin
from pipeline.model import Issue
from pipeline.roles import Vocabulary, VocabularyError
from pipeline.sources import ReadError, read_document


@dataclass(frozen=True, slots=True)
class InputFile:
    # The path as a string: a run keeps one InputFile an input, and a Path object with
    # its parts took some 500 bytes of the 1 KB an input cost (32,000 inputs: 15 MB).
    location: str
    name: str  # relative to the input folder given, '/'-separated
    vocabulary: Vocabulary | None = None  # header words to read it with (None: built-in)
    # False for a file found as a plain file in a folder: it is opened without following
    # a link, so one swapped in after discovery cannot lead the read outside the folder.
    follow: bool = True

    @property
    def path(self) -> Path:
        return Path(self.location)


def read_input(item: InputFile) -> bytes:
    """The input's bytes; OSError (ELOOP) when a plain file found in a folder has become
    a link since."""
    if item.follow:
        return item.path.read_bytes()
    handle = os.open(item.location, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(handle, "rb") as stream:
        return stream.read()


class InputError(Exception):
    """An input path that does not exist, or a bad option: a usage error."""


class NoReportsError(Exception):
    """An input folder with no file to read: the run stops before writing anything, so
    the output of an earlier run is never replaced by empty tables."""


def is_run_output(path: Path) -> bool:
    """Whether `path` is an output folder of `pipeline run`: it holds the manifest.json the
    pipeline writes (a JSON object with its version, inputs and outputs)."""
    manifest = path / "manifest.json"
    if not (path.is_dir() and manifest.is_file()):
        return False
    try:
        found = json.loads(manifest.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(found, dict) and {"pipeline_version", "inputs", "outputs"} <= found.keys()


def refuse_output_folders(inputs: Sequence[Path]) -> None:
    """An output folder given as input would be read as a dozen broken reports."""
    for given in inputs:
        if is_run_output(given):
            raise InputError(f"{given}: this is an output folder of pipeline run; pass the "
                             "report files or folders")


def refuse_empty_folders(inputs: Sequence[Path], files: Sequence[InputFile],
                         skip: Path | None) -> None:
    """Every folder given must hold a report: an empty one is most likely a wrong path."""
    folders = [given for given in inputs if given.is_dir()]
    if len(folders) == 1 and len(inputs) == 1:
        empty = folders if not files else []
    else:  # which folder gave which file is not kept: look again at each one
        empty = [folder for folder in folders if not discover([folder], skip)]
    if empty:
        raise NoReportsError(f"no reports found in {', '.join(map(str, empty))}")


def discover(inputs: Sequence[Path], skip: Path | None = None,
             warnings: list[Issue] | None = None) -> list[InputFile]:
    """Files named directly, and every non-hidden file under folders, recursively; never
    anything under `skip` (the output folder, which may sit inside an input folder).
    Names are relative to their folder; with several folders (`pipeline run 2012/ 2013/`)
    they start with the folder's own name, so 2012/report.html and 2013/report.html differ.
    A link inside a folder is read only when it leads inside the folders named (a file
    named directly is read as given); what is skipped for that is added to `warnings`."""
    found: list[InputFile] = []
    skipped = Path(os.path.realpath(skip)) if skip is not None else None
    folders = [given for given in inputs if given.is_dir()]
    roots = [Path(os.path.realpath(folder)) for folder in folders]
    notes: list[Issue] = []
    followed: list[Path] = []  # links followed: a file may then be reached twice
    for given in inputs:
        prefix = f"{given.resolve().name}/" if len(folders) > 1 else ""
        if given.is_dir():
            real = Path(os.path.realpath(given))
            if skipped is None or not real.is_relative_to(skipped):
                found.extend(_walk(given, prefix, real, roots, skipped, notes, followed))
        elif given.is_file():
            found.append(InputFile(str(given), given.name))
        else:
            raise InputError(f"{given}: no such file or folder")
    # Only a link followed can reach one file twice: without one, no file is resolved.
    found = _one_name_per_file(found, notes) if followed else found
    if warnings is not None:
        warnings.extend(sorted(notes, key=lambda issue: issue.source_file))
    counts = Counter(f.name for f in found)
    if twice := sorted(name for name, count in counts.items() if count > 1):
        raise InputError(f"two inputs have the same name: {', '.join(twice)}")
    return sorted(found, key=lambda f: f.name)


# Files that sit beside reports in a folder and are never one: notes, code, data of other
# tools. Their text could still pass for a table (a README quoting a header row with its
# commas read as CSV gave junk entries), so a folder's copy is skipped with a warning; a
# file named on the command line is read whatever its name.
NOT_REPORT_SUFFIXES = (".md", ".markdown", ".rst", ".json", ".jsonl", ".yaml", ".yml",
                       ".toml", ".ini", ".cfg", ".py", ".sh", ".bat", ".ps1", ".js", ".css",
                       ".ipynb", ".log", ".parquet", ".sqlite", ".sqlite3", ".db")


def _not_a_report(name: str, notes: list[Issue]) -> bool:
    suffix = Path(name).suffix.lower()
    if suffix not in NOT_REPORT_SUFFIXES:
        return False
    notes.append(_link_warning("input-not-a-report", name, f"a {suffix} file is no report "
                               "format; not read (name it on the command line to read it)"))
    return True


def _link_warning(code: str, name: str, what: str) -> Issue:
    return Issue(code, f"{name}: {what}", "warning", name, 0)


def _walk(folder: Path, prefix: str, real: Path, roots: list[Path], skipped: Path | None,
          notes: list[Issue], followed: list[Path],
          chain: tuple[Path, ...] = ()) -> Iterator[InputFile]:
    """The non-hidden files under `folder` (whose real path is `real`), in name order.
    A link is followed only into the named folders, a folder link once per way in, and
    never into a folder it is already inside (a loop). `chain`: the real folders above."""
    chain = (*chain, real)
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:  # an unreadable sub-folder costs itself, said so
        notes.append(_link_warning("input-folder-unreadable", prefix.rstrip("/") or str(folder),
                                   f"cannot list the folder: {error.strerror}"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        name = f"{prefix}{entry.name}"
        path = Path(entry.path)
        if entry.is_symlink():
            target = Path(os.path.realpath(path))
            if not any(target.is_relative_to(root) for root in roots):
                notes.append(_link_warning(
                    "input-symlink-outside", name, "a symbolic link to a place outside the "
                    "input folders; not read (name its target on the command line to read it)"))
                continue
            if skipped is not None and target.is_relative_to(skipped):
                continue  # into the output folder: never an input, as a plain path there
            if target.is_dir():
                if target in chain:
                    notes.append(_link_warning(
                        "input-symlink-loop", name, "a symbolic link to a folder it is inside "
                        "(a loop); not followed"))
                else:
                    followed.append(path)
                    yield from _walk(path, f"{name}/", target, roots, skipped, notes, followed,
                                     chain)
            elif target.is_file():
                if _not_a_report(name, notes):
                    continue
                followed.append(path)
                yield InputFile(entry.path, name)
            else:
                notes.append(_link_warning("input-symlink-broken", name, "a symbolic link "
                                           "that leads nowhere (its target is missing or a loop)"))
        elif entry.is_dir(follow_symlinks=False):
            sub = real / entry.name
            if skipped is None or not sub.is_relative_to(skipped):
                yield from _walk(path, f"{name}/", sub, roots, skipped, notes, followed, chain)
        elif entry.is_file(follow_symlinks=False):
            if _not_a_report(name, notes):
                continue
            yield InputFile(entry.path, name, follow=False)


def _one_name_per_file(found: list[InputFile], notes: list[Issue]) -> list[InputFile]:
    """A file reached twice (through a link and its own path) is read once, under the
    first of its names in name order; the other name is a warning, not a second copy."""
    first: dict[str, InputFile] = {}
    kept: list[InputFile] = []
    for item in sorted(found, key=lambda f: f.name):
        real = os.path.realpath(item.location)
        if real in first:
            notes.append(_link_warning(
                "input-symlink-duplicate", item.name,
                f"the same file as {first[real].name} (through a link); read once, as that"))
            continue
        first[real] = item
        kept.append(item)
    return kept


def with_layout(files: list[InputFile], path: Path) -> tuple[list[InputFile], str]:
    """The inputs to be read with a layout file's words, and the file's digest (see
    layout_vocabulary)."""
    vocabulary, digest = layout_vocabulary(files, path)
    return [replace(item, vocabulary=vocabulary) for item in files], digest


def layout_vocabulary(files: Sequence[InputFile], path: Path) -> tuple[Vocabulary, str]:
    """The words to read the inputs with, given a layout file, and the file's digest.
    Raises InputError for a layout that cannot be used or names a header no input has."""
    try:
        layout, digest = read_layout(path)
    except VocabularyError as error:
        raise InputError(str(error)) from None
    vocabulary = with_builtin(layout)
    documents = []
    for item in files:
        try:
            documents.append(read_document(item.path.read_bytes(), item.name, vocabulary).rows)
        except (OSError, ReadError):
            continue  # the run itself reports an unreadable input
    if unused := unused_headers(layout, documents):
        raise InputError(f"{path.name}: no input has a header row with {', '.join(unused)}; "
                         "check the spelling against the report (headers are compared "
                         "without spaces and brackets)")
    return vocabulary, digest
