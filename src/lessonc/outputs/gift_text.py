"""GIFT's string escapes, shared by every question type's writer."""

from __future__ import annotations

_SPECIAL = "~=#{}:"


def escape(text: str) -> str:
    """Text as a GIFT string: backslash first, then ``~ = # { } :``; newlines as ``\\n``."""
    escaped = text.replace("\\", "\\\\")
    for char in _SPECIAL:
        escaped = escaped.replace(char, "\\" + char)
    return escaped.replace("\n", "\\n")


def escape_html(html: str) -> str:
    """Sanitised HTML as a GIFT string on one line (newlines become ``&#10;``)."""
    return escape(html.replace("\n", "&#10;"))
