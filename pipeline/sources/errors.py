"""The error every reader raises for a file that cannot be read at all."""

from __future__ import annotations


class ReadError(Exception):
    """A file that cannot be read at all; `code` is stable, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
