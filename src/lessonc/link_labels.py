"""markdown-it-py's link-label scan, remembered, so a text of unclosed ``[`` parses in linear time.

For every ``[`` (or ``![``) markdown-it asks :func:`parseLinkLabel` where its label
ends, and that function walks forward token by token to the matching ``]``, or to
the end of the text when there is none. Nothing of one walk is kept for the next,
so a text of 200,000 ``[`` walked the text 200,000 times: 17 s for one field,
42 s for ``![`` repeated (markdown-it-py 4.0; the JavaScript original has the same
flaw).

The walk from one ``[`` passes every text ``[`` after it, and its level count is
a bracket stack: each ``]`` closes the latest open ``[``. So one walk tells the
answer for every ``[`` it passes (matched here, or not at all), and the walk for
such a ``[`` is never repeated. The walk itself, its steps (markdown-it's
``skipToken``, whose results markdown-it caches per position) and where it stops
are unchanged, so every answer is the one the original gives: the tests compare
the rendered HTML of both on every input of CommonMark's and lessonc's tests.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt, helpers
from markdown_it.rules_inline import StateInline

_UNKNOWN = -2


@dataclass(frozen=True, slots=True)
class _Label:
    """What one walk learnt about the label that opens at a text ``[``."""

    end: int
    """The closing ``]``; -1: none before the end of the text; -2: not known (the walk
    stopped at a nested link, as one that refuses nesting does)."""
    nested_at: int
    """The first nested link (a ``[`` that starts a token) inside the label, or -1."""


class _Memo(threading.local):
    # One inline state is parsed at a time per thread; the memo belongs to the state
    # whose position cache it names (held, so identity cannot be mistaken).
    def __init__(self) -> None:
        self.cache: dict[int, int] | None = None
        self.labels: dict[tuple[int, int], _Label] = {}


_MEMO = _Memo()


def _labels_of(state: StateInline) -> dict[tuple[int, int], _Label]:
    if _MEMO.cache is not state.cache:
        _MEMO.cache = state.cache
        _MEMO.labels = {}
    return _MEMO.labels


def parse_link_label(state: StateInline, start: int, disableNested: bool = False) -> int:  # noqa: N803
    """Drop-in for ``markdown_it.helpers.parseLinkLabel`` (same arguments, same answers)."""
    labels = _labels_of(state)
    limit = state.posMax
    known = labels.get((limit, start))
    if known is not None:
        if disableNested and known.nested_at >= 0:
            return -1
        if known.end != _UNKNOWN:
            return known.end
    old_pos = state.pos
    state.pos = start + 1
    opened: list[tuple[int, int]] = [(start, 0)]  # open labels: '[' position, len(nested)
    nested: list[int] = []  # the nested links met, in order

    while state.pos < limit:
        marker = state.src[state.pos]
        if marker == "]":
            at, since = opened.pop()
            first_nested = nested[since] if since < len(nested) else -1
            labels[(limit, at)] = _Label(state.pos, first_nested)
            if not opened:  # this label closed (with nesting refused, none was met)
                end, state.pos = state.pos, old_pos
                return end
        previous = state.pos
        state.md.inline.skipToken(state)
        if marker != "[":
            continue
        if previous != state.pos - 1:  # a '[' that starts a token: a nested link
            nested.append(previous)
            if disableNested:
                for at, _ in opened:  # every open label meets it first
                    labels.setdefault((limit, at), _Label(_UNKNOWN, previous))
                state.pos = old_pos
                return -1
            continue
        # A '[' that is text opens a label. What an earlier walk learnt of that label
        # lets this walk go straight to where that one went on.
        opened.append((previous, len(nested)))
        inner = labels.get((limit, previous))
        if inner is None:
            continue
        if inner.nested_at >= 0:
            if disableNested:
                state.pos = inner.nested_at  # stops there, as that walk did
                continue
            if inner.end == _UNKNOWN:
                continue
            nested.append(inner.nested_at)
        state.pos = inner.end if inner.end >= 0 else limit
    for at, since in opened:  # the text ended with these still open
        labels[(limit, at)] = _Label(-1, nested[since] if since < len(nested) else -1)
    state.pos = old_pos
    return -1


def install(md: MarkdownIt) -> None:
    """Make ``md`` (this instance only) use :func:`parse_link_label`."""
    patched: Any = SimpleNamespace(**{n: getattr(helpers, n) for n in helpers.__all__})
    patched.parseLinkLabel = parse_link_label
    md.helpers = patched
