"""Where formulas start and end in lesson text: ``$…$``, ``$$…$$``, ``\\(…\\)`` and ``\\[…\\]``.

The rules run before markdown-it's escapes and emphasis, so a formula's source reaches
the writers exactly as written (``x_i*w_i``, ``\\{``, ``\\\\``). Dollars come from
mdit-py-plugins' dollarmath; the LaTeX brackets from the small rule below.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin

_CLOSING = {"\\(": "\\)", "\\[": "\\]"}
_NO_CLOSING = "lessonc_math_unclosed"
"""env key: the closings known to be missing from the rest of an inline source, so a run of
unclosed ``\\(`` costs one search, not one search each (linear, not quadratic)."""


def math_plugins(md: MarkdownIt) -> None:
    """Teach ``md`` lesson text's formula delimiters."""
    # Digits next to a dollar are money ("$5 and $10"), never a formula; labels are not
    # part of the format.
    dollarmath_plugin(md, allow_labels=False, allow_digits=False, double_inline=True)
    md.inline.ruler.before("escape", "math_bracket", _bracket_math)


def _bracket_math(state: StateInline, silent: bool) -> bool:
    opening = state.src[state.pos : state.pos + 2]
    closing = _CLOSING.get(opening)
    if closing is None:
        return False
    missing: dict[str, str] = state.env.setdefault(_NO_CLOSING, {})
    if missing.get(closing) is state.src:
        return False
    end = state.src.find(closing, state.pos + 2)
    if end < 0:
        missing[closing] = state.src
        return False
    if not silent:
        token = state.push("math_bracket", "math", 0)
        token.content = state.src[state.pos + 2 : end]
        token.markup = opening
    state.pos = end + 2
    return True


CALLOUTS = ("note", "tip", "warning", "solution")
"""Kinds of ``::: kind [title]`` block; a solution folds on the page."""


def callout_plugins(md: MarkdownIt) -> None:
    """Teach ``md`` the callout blocks (``::: note``, ``::: solution Title`` … ``:::``)."""
    for kind in CALLOUTS:
        container_plugin(md, kind)
