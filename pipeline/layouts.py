"""A user's layout file (`pipeline run --layout FILE`): header words the built-in
vocabulary does not know, mapped to roles, in the vocabulary's own format. Checked before
a run: a role that does not exist or a header no input has is an error, never ignored."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from pipeline.headers import header_columns
from pipeline.model import RawRow
from pipeline.roles import (
    Vocabulary,
    VocabularyError,
    builtin_vocabulary,
    header_key,
    parse_vocabulary,
)


def read_layout(path: Path) -> tuple[Vocabulary, str]:
    """The layout's own vocabulary and a digest of the file, which keys cached results.
    Read with `layout.then(builtin_vocabulary())`. Raises VocabularyError."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise VocabularyError(f"{path}: cannot read the layout file ({error.strerror})") \
            from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise VocabularyError(f"{path}: the layout file is not UTF-8 text") from None
    return parse_vocabulary(text, path.name), hashlib.sha256(data).hexdigest()[:16]


def with_builtin(layout: Vocabulary) -> Vocabulary:
    return layout.then(builtin_vocabulary())


def unused_headers(layout: Vocabulary, documents: Iterable[tuple[RawRow, ...]]) -> list[str]:
    """The layout's [columns] headers (as written in it) that no header row of any
    document holds: a typo in a layout would otherwise leave its column unread silently."""
    vocabulary = with_builtin(layout)
    seen: set[str] = set()
    for rows in documents:
        for row in rows:
            if sum(map(len, row.cells)) < 1000 and header_columns(row.cells, vocabulary):
                seen.update(header_key(cell) for cell in row.cells if cell.strip())
    return [key for key, _ in layout.columns if key not in seen]
