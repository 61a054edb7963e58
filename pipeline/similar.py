"""How alike two texts are, and where they differ, in time linear in their length.

difflib's SequenceMatcher is quadratic in the worst case: on a 48 KB item changed by one
character it takes 31 s to pair and 127 s to mark up. Texts as short as real descriptions
(LONG characters together) go through difflib whole, so ordinary reports get difflib's
own figures and marks. Longer ones are cut to what differs —
the common start and end are found by a linear scan — and only that middle goes through
difflib, when it is small enough (MAX_MIDDLE_WORK); otherwise the answer is None (ratio)
or one replaced span (opcodes), and the caller says so.
"""

from __future__ import annotations

from difflib import SequenceMatcher

# Combined length under which difflib compares the whole texts, as it always did.
LONG = 2_000
# The product of the differing middles' lengths difflib may be given (1,000 × 1,000).
MAX_MIDDLE_WORK = 1_000_000

Opcode = tuple[str, int, int, int, int]


def common_ends(a: str, b: str) -> tuple[int, int]:
    """(length of the common prefix, length of the common suffix), not overlapping."""
    limit = min(len(a), len(b))
    prefix = 0
    step = 1024  # compare slices a block at a time (C speed), then characters
    while prefix + step <= limit and a[prefix : prefix + step] == b[prefix : prefix + step]:
        prefix += step
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while (suffix + step <= limit - prefix
           and a[len(a) - suffix - step : len(a) - suffix]
           == b[len(b) - suffix - step : len(b) - suffix]):
        suffix += step
    while suffix < limit - prefix and a[len(a) - suffix - 1] == b[len(b) - suffix - 1]:
        suffix += 1
    return prefix, suffix


def _middles(a: str, b: str) -> tuple[int, int, str, str]:
    prefix, suffix = common_ends(a, b)
    return prefix, suffix, a[prefix : len(a) - suffix], b[prefix : len(b) - suffix]


def ratio(a: str, b: str) -> float | None:
    """difflib's ratio for short texts; for long ones, 2 × matched / total with the common
    start and end matched and difflib matching the middle; None when the middle is too
    large to match in bounded time."""
    if len(a) + len(b) <= LONG:
        return SequenceMatcher(None, a, b, autojunk=False).ratio()
    prefix, suffix, left, right = _middles(a, b)
    if len(left) * len(right) > MAX_MIDDLE_WORK:
        return None
    matched = prefix + suffix
    if left and right:
        matched += sum(block.size for block in
                       SequenceMatcher(None, left, right, autojunk=False).get_matching_blocks())
    return 2 * matched / (len(a) + len(b))


def opcodes(a: str, b: str) -> list[Opcode]:
    """difflib's opcodes turning a into b for short texts; for long ones the common start
    and end are `equal`, and the middle is difflib's opcodes when small enough, else one
    `replace`."""
    if len(a) + len(b) <= LONG:
        return [(tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in
                SequenceMatcher(None, a, b, autojunk=False).get_opcodes()]
    prefix, suffix, left, right = _middles(a, b)
    codes: list[Opcode] = [("equal", 0, prefix, 0, prefix)] if prefix else []
    if len(left) * len(right) <= MAX_MIDDLE_WORK:
        codes.extend((tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix)
                     for tag, i1, i2, j1, j2 in
                     SequenceMatcher(None, left, right, autojunk=False).get_opcodes())
    else:
        codes.append(("replace", prefix, prefix + len(left), prefix, prefix + len(right)))
    if suffix:
        codes.append(("equal", len(a) - suffix, len(a), len(b) - suffix, len(b)))
    return codes
