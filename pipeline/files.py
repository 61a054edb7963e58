"""Files as the outputs are written: to a temporary name beside their place, renamed
into place whole, with their sha256 for the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any


def file_digest(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


class HashingFile:
    """A file being written that keeps the sha256 of what went into it: the manifest
    gets a large CSV's digest without reading the file back at the end of the run (a
    quarter of a second for 8,000 reports' tables, in the run's last, serial, step)."""

    def __init__(self, path: Path) -> None:
        self._stream = path.open("wb")
        self._sha256 = hashlib.sha256()
        self._bytes = 0

    def write(self, data: Any) -> int:
        self._sha256.update(data)  # without the GIL for all but small writes
        self._bytes += memoryview(data).nbytes
        return self._stream.write(data)

    def flush(self) -> None:
        self._stream.flush()

    @property
    def closed(self) -> bool:
        return self._stream.closed

    def close(self) -> None:
        self._stream.close()

    def digest(self) -> dict[str, Any]:
        """As file_digest gives it."""
        return {"sha256": self._sha256.hexdigest(), "bytes": self._bytes}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()  # what open() would have given; mkstemp's 0600 is too tight


def temporary_file(out_dir: Path, name: str) -> Path:
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.fchmod(handle, _FILE_MODE)
    os.close(handle)
    return Path(temporary)


def replace_dir(new: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old.tmp")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(new, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_atomic(path: Path, payload: bytes) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_file(path.parent, path.name)
    try:
        temporary.write_bytes(payload)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def json_bytes(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
