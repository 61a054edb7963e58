"""What a run needs of the previous manifest.json, its outputs, read without its per-input
list, which grows with the data (commit.earlier_outputs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_KEYS = tuple(f'\n  "{key}": '.encode() for key in ("pipeline_version", "inputs", "outputs"))
_READ = 1 << 20  # bytes: the manifest is scanned a piece at a time


def manifest_outline(path: Path) -> Any:
    """manifest.json's top-level keys with its "outputs" read, without its per-input list:
    loaded whole, the list of 32,000 inputs alone took hundreds of megabytes, and even its
    bytes 55 MB. A manifest laid out as a run writes it (json_bytes) has each top-level
    key on a line of its own at a two-space indent, which no JSON string can contain (a
    newline in one is escaped); it is scanned for those lines a piece at a time and read
    from its "outputs" on. Any other manifest is loaded whole."""
    places = _key_places(path)
    with path.open("rb") as file:
        if (file.read(1) != b"{" or not all(places.values())
                or len(places[_KEYS[-1]]) != 1):
            file.seek(0)
            return json.loads(file.read())
        file.seek(places[_KEYS[-1]][0] + len(_KEYS[-1]))
        outputs, _ = json.JSONDecoder().raw_decode(file.read().decode("utf-8"))
    return {key.decode().strip()[1:-2]: None for key in _KEYS} | {"outputs": outputs}


def _key_places(path: Path) -> dict[bytes, list[int]]:
    """Where in the file each of _KEYS' lines starts, read a piece at a time (a line cut
    between two pieces found once)."""
    places: dict[bytes, list[int]] = {key: [] for key in _KEYS}
    keep = max(map(len, _KEYS)) - 1  # the end of a piece, read again with the next
    tail, offset = b"", 0  # offset: where `tail` starts in the file
    with path.open("rb") as file:
        while piece := file.read(_READ):
            window = tail + piece
            for key in _KEYS:
                start = window.find(key)
                while start != -1:
                    if start + len(key) > len(tail):  # not wholly in the part read before
                        places[key].append(offset + start)
                    start = window.find(key, start + 1)
            cut = max(0, len(window) - keep)
            tail, offset = window[cut:], offset + cut
    return places
