"""Each stage exports the reject codes it gives (the audit counts unread rows by them):
every code a stage passes to its reject helper is in its own exported set, and no more."""

from __future__ import annotations

import ast
import inspect
from types import ModuleType

import pytest

from pipeline import events, layout


def _codes_passed(module: ModuleType, helper: str) -> set[str]:
    """The string codes passed as the third (layout) or second (events) argument."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(module))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
            node.func, "id", "")
        if name == helper:
            found.update(arg.value for arg in node.args
                         if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                         and arg.value.replace("-", "").isalpha() and "-" in arg.value)
    return found


@pytest.mark.parametrize(("module", "helper"), [(layout, "_reject"), (events, "reject")])
def test_a_stage_exports_every_reject_code_it_gives(module: ModuleType, helper: str) -> None:
    assert _codes_passed(module, helper) == module.ROW_REJECTS
