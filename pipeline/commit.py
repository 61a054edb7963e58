"""One run per output folder at a time, and a commit that is all or nothing.

A run writes its files into a fresh staging folder inside the output folder
(`.staging-<random>/`), laid out exactly as the outputs will be. When every file is complete
it writes `journal.json` into that folder with one rename — the commit point — and then
moves each file into the output folder, `manifest.json` last, and removes the files the
previous run wrote (those its manifest lists) that this run did not make (the `excel/`
copies of an earlier `--excel` run, `events.parquet` when partitioned), and the folders
that leaves empty. A file the previous run did not write is never removed or replaced:
where an output must go, the run is refused (exit 2) before its commit. A run killed
before the commit point leaves the old outputs whole; one killed after it is finished by
the next run, which rolls the journal forward before doing anything else. Either way the
next run removes what the killed one left behind.

Runs on one output folder take turns through an exclusive lock (fcntl.flock on
`.lock`), held for the whole run: two runs never mix their files.

Nothing here follows a symbolic link inside the output folder: a link where an output
goes is refused before any work, and renames replace or move links themselves.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

from pipeline.outline import manifest_outline

LOCK_FILE = ".lock"
STAGING_PREFIX = ".staging-"
JOURNAL = "journal.json"
WAITING = "waiting: "  # how the message about waiting for another run starts
_TRASH = ".trash"
_LAST = "manifest.json"  # the file that names all the others goes in last


class OutputError(Exception):
    """The output folder cannot be written as asked: a usage error (exit 2)."""


def owned_names(tables: Iterable[str]) -> list[str]:
    """Every name a run may write at the top of the output folder (a file, or a folder of
    files: `excel/`, a partitioned `events/`). Of the files under them, a run removes only
    those the previous run's manifest lists."""
    names = [f"{table}{suffix}" for table in tables for suffix in (".csv", ".parquet", "")]
    return sorted([*names, "excel", "datapackage.json", _LAST])


def refuse_links(out_dir: Path, names: Iterable[str]) -> None:
    """A symbolic link planted where an output goes would have the run write elsewhere."""
    for name in names:
        path = out_dir / name
        if path.is_symlink():
            raise OutputError(f"{path} is a symbolic link; pipeline run never writes through "
                              "one (it could lead outside the output folder): remove it")


def check_out_dir(out_dir: Path, inputs: Iterable[Path]) -> None:
    """Usage errors of the output folder, said before any work: a link that leads nowhere
    (dangling, or a loop), something that is not a folder, or an input folder itself
    (its outputs would be skipped as inputs and the tables left empty)."""
    if out_dir.is_symlink() and not out_dir.exists():
        raise OutputError(f"{out_dir}: a symbolic link that leads nowhere (its target is "
                          "missing, or it loops); give an existing folder or a new name")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: exists and is not a folder")
    real = os.path.realpath(out_dir)
    for given in inputs:
        if given.is_dir() and os.path.realpath(given) == real:
            raise OutputError(f"{out_dir}: is the input folder {given}; give another output "
                              "folder (--out)")


def make_out_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(f"{out_dir}: cannot make the output folder: "
                          f"{error.strerror or error}") from error


# Lock files this process holds. A forked child (a --jobs worker) inherits the descriptor,
# and an flock lasts while any copy is open: a worker orphaned by a SIGKILL of its parent
# would hold the folder for ever. Each child closes its copies as it starts.
_HELD: set[int] = set()


def _forget_held_locks() -> None:
    for handle in _HELD:
        with contextlib.suppress(OSError):
            os.close(handle)
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_held_locks)


def _holder(handle: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(handle, 64, 0).decode("ascii").strip()
        if text.isdigit():
            return f"process {text}"
    return "another process"


@contextlib.contextmanager
def output_lock(out_dir: Path, *, wait: bool = True,
                notify: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the folder's exclusive lock. Busy: wait (telling `notify` who holds it), or,
    with wait=False, raise OutputError naming the holder. The lock file is never deleted
    (deleting it would let a third run lock a new file while the second holds the old)."""
    try:
        import fcntl  # POSIX only
    except ImportError:  # not silently: the user learns that runs are not kept apart
        if notify is not None:
            notify(f"warning: this system has no fcntl; {out_dir} is not locked against a "
                   "second run at the same time")
        yield
        return
    path = out_dir / LOCK_FILE
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as error:
        if path.is_symlink():
            raise OutputError(f"{path} is a symbolic link; pipeline run never writes through "
                              "one: remove it") from error
        raise OutputError(f"{path}: cannot open the lock file: {error.strerror}") from error
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            if not wait:
                raise OutputError(f"{out_dir}: {holder} is writing this folder; try again when "
                                  "it ends, or leave out --no-wait to wait for it") from None
            if notify is not None:
                notify(f"{WAITING}{holder} is writing {out_dir}; this run goes on when it ends")
            fcntl.flock(handle, fcntl.LOCK_EX)
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{os.getpid()}\n".encode("ascii"), 0)
        _HELD.add(handle)
        yield
    finally:
        _HELD.discard(handle)
        os.close(handle)  # releases the lock


def new_staging(out_dir: Path) -> Path:
    """A fresh, private folder in the output folder (same file system: renames are atomic)."""
    return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))


def publish(staging: Path, out_dir: Path, owned: Iterable[str]) -> None:
    """Commit: write the journal (one rename: from here on the run counts as done), then
    move everything into place. `owned` names what a run may write at the top of the
    output folder; what is removed is only what the previous run wrote (the files its
    manifest.json lists) and this one did not make. A file of the user's where an output
    goes is refused (OutputError) before the journal, and the run's files are discarded."""
    owned = list(owned)
    tops = sorted(p.name for p in staging.iterdir() if p.name not in (JOURNAL, _TRASH))
    if stray := [name for name in tops if name not in owned]:
        # recovery carries out only journals of owned names: this one could not be finished
        raise RuntimeError(f"staging folder holds files no run owns: {', '.join(stray)}")
    made = sorted(path.relative_to(staging).as_posix() for top in tops
                  for path in ([staging / top] if not (staging / top).is_dir()
                               else sorted((staging / top).rglob("*")))
                  if not path.is_dir())
    earlier = earlier_outputs(out_dir, owned)
    try:
        refuse_foreign(out_dir, made, earlier)
    except OutputError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    moves = [name for name in made if name != _LAST] + [n for n in made if n == _LAST]
    removals = sorted(earlier - set(made))
    temporary = staging / f".{JOURNAL}.tmp"
    temporary.write_text(json.dumps({"move": moves, "remove": removals}), encoding="utf-8")
    os.replace(temporary, staging / JOURNAL)
    _roll_forward(staging, out_dir, {"move": moves, "remove": removals})


def _is_output_path(name: str, owned: Collection[str]) -> bool:
    """A relative '/'-separated path under a name a run owns: never `../x`, never absolute."""
    parts = name.split("/")
    return (parts[0] in owned and "\\" not in name and "\0" not in name
            and all(part not in ("", ".", "..") for part in parts))


def earlier_outputs(out_dir: Path, owned: Iterable[str]) -> set[str]:
    """The files the previous run wrote: the outputs its manifest.json lists (Excel copies
    and partition files included) and the manifest itself. Nothing when there is no manifest
    or it is not one pipeline run writes: then no file in the folder is a run's."""
    owned = set(owned)
    try:
        manifest = manifest_outline(out_dir / _LAST)
    except (OSError, ValueError):
        return set()
    if not (isinstance(manifest, dict) and {"pipeline_version", "inputs", "outputs"}
            <= manifest.keys() and isinstance(manifest["outputs"], dict)):
        return set()
    return {_LAST} | {name for name in manifest["outputs"]
                      if isinstance(name, str) and _is_output_path(name, owned)}


def _through_link(out_dir: Path, name: str) -> Path | None:
    """The first folder on the way to `name` that is a link (or not a folder), if any."""
    parts = name.split("/")
    for depth in range(1, len(parts)):
        folder = out_dir.joinpath(*parts[:depth])
        if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
            return folder
    return None


def refuse_foreign(out_dir: Path, made: Iterable[str], earlier: set[str]) -> None:
    """OutputError when a file the previous run did not write sits where this run's output
    goes (or where one of its folders goes), or an output would be written through a link:
    pipeline run replaces only its own files."""
    for name in made:
        target = out_dir / name
        if (blocker := _through_link(out_dir, name)) is not None:
            if blocker.is_symlink():
                raise OutputError(f"{blocker} is a symbolic link; pipeline run never writes "
                                  "through one (it could lead outside the output folder): "
                                  "remove it")
            if blocker.relative_to(out_dir).as_posix() not in earlier:
                raise OutputError(f"{blocker}: not written by pipeline run, and the folder "
                                  f"{name.split('/')[0]}/ of this run's outputs goes there; "
                                  "move it out of the output folder or give another --out")
        if (os.path.lexists(target) and name not in earlier) or (
                target.is_dir() and not target.is_symlink()):
            raise OutputError(f"{target}: not written by pipeline run (the folder's "
                              "manifest.json does not list it), and this run writes an output "
                              "there; move it out of the output folder or give another --out")
    for name in earlier:
        if (blocker := _through_link(out_dir, name)) is not None and blocker.is_symlink():
            raise OutputError(f"{blocker} is a symbolic link; pipeline run never writes "
                              "through one (it could lead outside the output folder): remove it")


def _move(source: Path, target: Path) -> None:
    os.replace(source, target)


def _set_aside(path: Path, trash: Path) -> None:
    """Move `path` (a file or link: never followed, never a folder) into the trash folder."""
    if not os.path.lexists(path) or (path.is_dir() and not path.is_symlink()):
        return
    trash.mkdir(exist_ok=True)
    for number in range(1, 1_000_000):
        target = trash / f"{number}-{path.name}"
        if not os.path.lexists(target):
            _move(path, target)
            return


def _read_journal(staging: Path, owned: Iterable[str]) -> dict[str, list[str]] | None:
    """The journal, when it is one this pipeline writes: paths it may write, each under a
    name at the top of the output folder (never `../x`), and no link where the trash goes.
    Someone who can write the output folder could plant a staging folder; rolling a forged
    journal forward must not move or delete anything outside the outputs."""
    allowed = set(owned)
    try:
        journal = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(journal, dict) or set(journal) != {"move", "remove"}:
        return None
    for names in journal.values():
        if not isinstance(names, list) or not all(
                isinstance(name, str) and _is_output_path(name, allowed) for name in names):
            return None
    trash = staging / _TRASH
    if os.path.lexists(trash) and (trash.is_symlink() or not trash.is_dir()):
        return None
    return journal


def _roll_forward(staging: Path, out_dir: Path, journal: dict[str, list[str]]) -> None:
    """Carry out a journal, file by file; each step checks whether it was done, so a run
    killed half-way through is finished by running this again. Nothing goes through a
    link; a folder left empty by a removal goes too (one with the user's files stays)."""
    trash = staging / _TRASH
    for name in journal["remove"]:
        if _through_link(out_dir, name) is None:
            _set_aside(out_dir / name, trash)
    moves = [path.relative_to(staging).as_posix() for name in journal["move"]
             for path in ([staging / name] if not (staging / name).is_dir()
                          or (staging / name).is_symlink()
                          else sorted((staging / name).rglob("*")))  # an older journal's
             if path.is_symlink() or not path.is_dir()]
    for name in moves:
        source, target = staging / name, out_dir / name
        if not os.path.lexists(source) or _through_link(out_dir, name) is not None:
            continue  # moved before an interruption (or a link was planted since)
        target.parent.mkdir(parents=True, exist_ok=True)
        _move(source, target)  # a file replaces the old one (or a link, not its target)
    for name in journal["remove"]:
        parts = name.split("/")
        for depth in range(len(parts) - 1, 0, -1):  # the deepest folder first
            folder = out_dir.joinpath(*parts[:depth])
            if folder.is_symlink() or not folder.is_dir():
                break
            try:
                folder.rmdir()  # only when empty
            except OSError:
                break
    shutil.rmtree(staging)


def recover(out_dir: Path, owned: Iterable[str]) -> list[str]:
    """Finish or discard what killed runs left (call it holding the lock): a staging
    folder with a journal is rolled forward, one without is removed, and so are the
    temporary files of pipelines that wrote beside the outputs. `owned`: the names a run
    may write (owned_names). Returns what it did."""
    done: list[str] = []
    owned = list(owned)
    for path in sorted(out_dir.iterdir()):
        name = path.name
        if name.startswith(STAGING_PREFIX) and path.is_symlink():
            path.unlink()
            done.append(f"{name}: removed a link where a staging folder goes")
        elif name.startswith(STAGING_PREFIX) and path.is_dir():
            journal = _read_journal(path, owned) if (path / JOURNAL).exists() else None
            if journal is not None:
                _roll_forward(path, out_dir, journal)
                done.append(f"{name}: finished the commit of an interrupted run")
            elif os.path.lexists(path / JOURNAL):
                shutil.rmtree(path)
                done.append(f"{name}: removed; its journal is not one pipeline run writes")
            else:
                shutil.rmtree(path)
                done.append(f"{name}: removed an interrupted run's unfinished files")
    legacy = [out_dir, out_dir / "excel"]
    for folder in legacy:
        if not folder.is_dir() or folder.is_symlink():
            continue
        temporaries = sorted(folder.glob(".*.tmp"))
        for path in temporaries:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            done.append(f"{path.relative_to(out_dir).as_posix()}: removed an interrupted "
                        "run's temporary file")
        if temporaries and folder != out_dir:
            with contextlib.suppress(OSError):  # the killed run's folder, when it is empty
                folder.rmdir()
    return done


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block is done, then deliver it: a run interrupted
    while renaming its outputs into place would leave new tables beside an old manifest."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt
