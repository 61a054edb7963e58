"""Command line for `pipeline diff` and `pipeline audit` (being written)."""

from __future__ import annotations

from typing import Any

COMMAND_NAMES: tuple[str, ...] = ()


def register(commands: Any) -> None:
    """Add the audit subcommands to the `pipeline` parser's subparsers."""
    del commands
