"""LaTeX formulas in lesson text: checked, and written as MathML (pages) or SVG (the handout).

Each formula is converted once per process and kept (a lesson repeats its
formulas on the page, in the quiz and in the search index). Neither converter
runs script or fetches anything: latex2mathml is a pure-Python translator, and
ziamath draws glyph outlines from the STIX Two Math font that ships inside its
wheel, so every build draws the same paths.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

_UNKNOWN_COMMAND = re.compile(r">(\\[A-Za-z]+)")
"""latex2mathml passes a command it does not know through as text (``<mi>\\foo</mi>``)."""
_MATH_OPEN = re.compile(r"^<math[^>]*>")
_SVG_SIZE = 14.0
"""ziamath's font size, in CSS px, for the handout's 10.5pt body text (14 px = 10.5 pt)."""


class LatexError(ValueError):
    """A formula that does not parse; the message says what is wrong with it."""


@lru_cache(maxsize=8192)
def problem(tex: str) -> str | None:
    """What is wrong with ``tex`` as LaTeX, or None when both writers can draw it."""
    try:
        _convert(tex, display=False)
    except LatexError as error:
        return str(error)
    return None


def _convert(tex: str, *, display: bool) -> str:
    # Imported on use: a lesson without maths pays nothing for it.
    from latex2mathml.converter import convert

    if not tex.strip():
        raise LatexError("the formula is empty")
    _check_braces(tex)
    try:
        mathml: str = convert(tex, display="block" if display else "inline")
    except Exception as error:  # latex2mathml raises many kinds, all meaning "not LaTeX"
        raise LatexError(_describe(error)) from None
    unknown = _UNKNOWN_COMMAND.search(mathml)
    if unknown:
        raise LatexError(f"unknown LaTeX command '{unknown.group(1)}'")
    return mathml


def _check_braces(tex: str) -> None:
    # latex2mathml reads "\\frac{1}{1 + e^{-x}" as if the brace were closed; LaTeX would not.
    depth = 0
    escaped = False
    for char in tex:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise LatexError("LaTeX: a '}' closes no '{'")
    if depth > 0:
        raise LatexError(f"LaTeX: {depth} '{{' never closed")


def _describe(error: Exception) -> str:
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(error).__name__.removesuffix("Error")).lower()
    detail = str(error).strip()
    return f"LaTeX {words}" + (f": {detail}" if detail else "")


@lru_cache(maxsize=8192)
def mathml(tex: str, display: bool) -> str:
    """``tex`` as a MathML ``<math>`` element, its source kept in a TeX annotation (for
    screen readers that read TeX, copying, and quiz consumers)."""
    converted = _convert(tex, display=display)
    body = _MATH_OPEN.sub("", converted).removesuffix("</math>")
    mode = "block" if display else "inline"
    # The TeX as the formula's name too: axe-core and some assistive tools take no name
    # from MathML itself (a choice that is only a formula would have no label).
    label = escape(tex)
    return (
        f'<math display="{mode}" aria-label="{label}"><semantics>{body}'
        f'<annotation encoding="application/x-tex">{escape(tex, quote=False)}</annotation>'
        "</semantics></math>"
    )


@lru_cache(maxsize=8192)
def svg(tex: str, display: bool) -> str:
    """``tex`` drawn as an SVG of glyph outlines (WeasyPrint has no MathML), set on the
    text's baseline when inline."""
    _convert(tex, display=display)  # the same errors as the page, before drawing
    from ziamath.config import config
    from ziamath.zmath import Latex

    config.svg2 = False  # plain <path>s, no <symbol>/<use> to allow through
    drawn: str = Latex(tex, size=_SVG_SIZE).svg()
    match = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', drawn)
    if match is None:  # pragma: no cover - ziamath always writes a viewBox
        return drawn
    descent = float(match.group(2)) + float(match.group(4))
    label = escape(tex)
    return drawn.replace(
        "<svg ",
        f'<svg role="img" aria-label="{label}" style="vertical-align: -{descent:.2f}px" ',
        1,
    )
