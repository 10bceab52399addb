"""Lesson text (the Markdown subset) turned into what a voice should say.

Markup is dropped, links and images keep their words, code blocks are announced
and skipped (read aloud, code is noise), inline code and maths are read from
their plain form, and the lesson's ``pronunciations:`` replace whole words.
Text is then split into sentences, one caption cue each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_INLINE_CODE = re.compile(r"`+([^`]*)`+")
_MATH = re.compile(r"\\\((.*?)\\\)|\$([^$\n]+)\$")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_LINE_MARKS = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+)", re.MULTILINE)
# A sentence ends at . ! ? … and their Arabic, Devanagari and CJK forms, then space or the end.
_SENTENCE_END = re.compile(r"(?<=[.!?…؟।。！？])[\"”’)\]]*\s+")

CODE_ANNOUNCEMENTS = {
    "en": "Code example, skipped.",
    "fr": "Exemple de code, omis.",
    "de": "Codebeispiel, übersprungen.",
    "es": "Ejemplo de código, omitido.",
}
"""Said in place of a code block; other languages skip the block with a pause only."""


def speakable(text: str, language: str, pronunciations: Mapping[str, str] | None = None) -> str:
    """Plain text to speak for one piece of lesson text."""
    announcement = CODE_ANNOUNCEMENTS.get(language.split("-")[0].lower(), "")
    text = _FENCE.sub(f"\n{announcement}\n", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _INLINE_CODE.sub(r"\1", text)
    text = _MATH.sub(lambda m: m.group(1) or m.group(2) or "", text)
    for _ in range(2):  # nested emphasis: **_word_**
        text = _EMPHASIS.sub(r"\2", text)
    text = _LINE_MARKS.sub("", text)
    text = apply_pronunciations(text, pronunciations or {})
    return " ".join(text.split())


def apply_pronunciations(text: str, pronunciations: Mapping[str, str]) -> str:
    """Replace each whole-word term by its spoken form, longest terms first."""
    if not pronunciations:
        return text
    terms = sorted(pronunciations, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)")
    return pattern.sub(lambda m: pronunciations[m.group(1)], text)


def sentences(text: str) -> list[str]:
    """``text`` split into sentences (already speakable); never an empty piece."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece.strip()]
