"""Text from reports and file names made safe for where it is shown.

A file name or cell may hold control characters: ESC starts a terminal sequence (retitle
the window, move the cursor), a newline forges a line of our own output, and the
bidirectional overrides (U+202E …) make text read backwards, in a terminal or a page.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape

# Bidirectional formatting characters: embeddings, overrides, isolates and marks.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_TERMINAL_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")


def _code(match: re.Match[str]) -> str:
    point = ord(match.group())
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def terminal(text: str) -> str:
    """For stderr/stdout: C0 and C1 controls, DEL and bidi controls as \\xNN / \\uNNNN."""
    return _TERMINAL_UNSAFE.sub(_code, text)


def html_text(text: str) -> str:
    """html.escape, and each bidi control shown as [U+202E] instead of reordering the text
    around it: safe in element text, attributes, <title> and SVG alike (it adds no tags)."""
    return _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", escape(text))


# Every inline element that holds report text is its own bidi island: a right-to-left
# partner name cannot reorder the date or the line number beside it.
ISOLATE_CSS = ("span,mark,ins,del,b,bdi,td,th,li,pre,p,h1,h2,text,title"
               "{unicode-bidi:isolate}\n")


def source_hash(source: str) -> str:
    """The CSP source that admits exactly this inline <style> or <script> text."""
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


def content_security_policy(style: str, script: str | None = None) -> str:
    """A self-contained page: nothing from the network, no plugins, no forms; only the
    page's own style (and script) by hash."""
    scripts = source_hash(script) if script is not None else "'none'"
    return ("default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; "
            f"style-src {source_hash(style)}; script-src {scripts}")
