"""A run with nothing to do: the same inputs, read by the same code with the same options,
into an output folder still as the last such run left it. Its outputs are already the bytes
the run would write, so it checks them (the sha256 of every output, against what that run
recorded) and stops there, without reading a cached report or writing a table.

The record is written only by a run that reused every report and met nothing out of the
ordinary (no duplicate inputs, no discovery warnings, no rejected cache entry): then its
manifest.json is exactly what the next such run would write. Any other run removes it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.cache import CACHE_FILE, ReportCache
from pipeline.files import file_digest, write_atomic
from pipeline.issue_log import IssueLog
from pipeline.model import Issue

if TYPE_CHECKING:  # only for annotations: runner imports this module
    from pipeline.runner import RunOptions, RunResult

STATE_FILE = CACHE_FILE.parent / "unchanged.json"
_LABEL = b"unchanged"
_ISSUE = ("code", "message", "severity", "source_file", "source_line", "raw")


def fingerprint(keys: Iterable[str], options: RunOptions) -> str:
    """What makes two runs' outputs the same: the cache keys in output order (names, bytes,
    code version, layout) and the options that shape the files. The sha256 of
    json.dumps([keys, excel, partition_by]), hashed as the keys come: a run need not
    hold them all."""
    digest = hashlib.sha256(b"[[")
    for index, key in enumerate(keys):
        digest.update(((", " if index else "") + json.dumps(key, ensure_ascii=False)).encode())
    digest.update(("], " + json.dumps([options.excel, options.partition_by],
                                      ensure_ascii=False)[1:]).encode())
    return digest.hexdigest()


def record(out_dir: Path, store: ReportCache, print_: str, result: RunResult) -> None:
    manifest = result.manifest
    outputs = {**manifest["outputs"], "manifest.json": file_digest(out_dir / "manifest.json")}
    state = {"fingerprint": print_, "outputs": outputs, "manifest": manifest,
             "files": result.files, "events": result.events, "rejects": result.rejects,
             "reject_reasons": result.reject_reasons, "missing_year": result.missing_year,
             "unreadable": [_issue(i) for i in result.unreadable],
             "warnings": [_issue(i) for i in result.warnings],
             "inputs_listed": result.inputs_listed,
             "inputs_with_table": result.inputs_with_table}
    payload = json.dumps(state, ensure_ascii=False).encode("utf-8")
    write_atomic(out_dir / STATE_FILE, json.dumps(
        {"mac": store.sign(_LABEL, payload), "state": payload.decode("utf-8")},
        ensure_ascii=False).encode("utf-8"))


def forget(out_dir: Path) -> None:
    (out_dir / STATE_FILE).unlink(missing_ok=True)


def check(out_dir: Path, store: ReportCache, print_: str, result: RunResult) -> bool:
    """Fill `result` from the record and say True when the outputs are in place as the
    last such run left them; False (and `result` untouched) when the run has work to do."""
    state = _load(out_dir, store)
    if state is None or state.get("fingerprint") != print_:
        return False
    for name, digest in state["outputs"].items():
        path = out_dir / name
        if path.is_symlink() or not path.is_file():
            return False
        found = file_digest(path)
        if (found["sha256"], found["bytes"]) != (digest["sha256"], digest["bytes"]):
            return False
    result.files, result.events, result.rejects = (state["files"], state["events"],
                                                   state["rejects"])
    result.reject_reasons, result.missing_year = state["reject_reasons"], state["missing_year"]
    result.unreadable = [Issue(*(i[k] for k in _ISSUE)) for i in state["unreadable"]]
    result.warnings = IssueLog(Issue(*(i[k] for k in _ISSUE)) for i in state["warnings"])
    result.manifest = state["manifest"]
    result.inputs_listed, result.inputs_with_table = (state["inputs_listed"],
                                                      state["inputs_with_table"])
    return True


def _load(out_dir: Path, store: ReportCache) -> dict[str, Any] | None:
    try:
        wrapper = json.loads((out_dir / STATE_FILE).read_bytes())
        payload = wrapper["state"].encode("utf-8")
        if not hmac.compare_digest(str(wrapper["mac"]), store.sign(_LABEL, payload)):
            return None
        state = json.loads(payload)
        return state if isinstance(state, dict) else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _issue(issue: Issue) -> dict[str, Any]:
    return {k: getattr(issue, k) for k in _ISSUE}
