"""Constrained fields in words: where a value is ("'tags', item 1") and what it may be.

Pydantic names a list item by its index ('0') and a pattern error by its regular
expression; an author new to lessonc can read neither.
"""

from __future__ import annotations

from typing import Any

from lessonc.model import KEY_PATTERN, SLUG_PATTERN


def label(loc: tuple[int | str, ...]) -> str:
    """The field in words: 'number', or 'tags', item 1 (Pydantic names list items by index)."""
    items: list[int] = []
    rest = list(loc)
    while rest and isinstance(rest[-1], int):
        items.insert(0, int(rest.pop()))
    name = f"'{rest[-1]}'" if rest else "the lesson"
    return ", ".join([name, *(f"item {index + 1}" for index in items)])


PATTERNS: dict[str, tuple[str, str]] = {
    SLUG_PATTERN: (
        "a valid id",
        "use lower-case letters a–z, digits 0–9 and single '-' between them (no capitals, "
        "spaces, '_' or letters of other scripts), e.g. 'fm-definition'",
    ),
    KEY_PATTERN: (
        "a valid id",
        "use lower-case letters and digits of any script, with single '-' between words "
        "(no capitals, spaces, '_' or punctuation), e.g. 'fm-definition' or 'مدل-پایه'",
    ),
    r"^https?://[^\s/$.?#][^\s]*$": (
        "an absolute web address",
        "write the whole URL, starting with https:// or http://, e.g. 'https://example.org/page'",
    ),
    r"^\d+(\.\d+)*$": (
        "a lesson number",
        'write whole numbers joined by dots, in quotes, e.g. "15.1" or "2"',
    ),
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$": (
        "a language tag",
        "write a BCP 47 tag: a 2- or 3-letter lower-case language code, then optionally "
        "'-' and a region or script, e.g. 'en', 'pt-BR' or 'zh-Hant'",
    ),
    r"^[^@\s]+@[^@\s]+$": (
        "an e-mail address",
        "write one address, with a single '@' and no spaces, e.g. 'authors@lessonc.dev'",
    ),
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}(\+[A-Za-z0-9][A-Za-z0-9_-]{0,19})?$": (
        "a voice name",
        "write the speech engine's voice: letters, digits, '-' or '_', starting with a letter "
        "or digit, optionally '+' and a variant, e.g. 'en-gb+f2' (`espeak-ng --voices` lists them)",
    ),
    r"^L\d{3}$": (
        "a lint rule code",
        "write 'L' and three digits, e.g. 'L101' (`lessonc lint --list-rules` lists them)",
    ),
}
"""What each pattern of a constrained text field means, in words: an author should never
have to read a regular expression. A test checks every pattern in the schemas is here."""


def pattern_problem(label: str, value: Any, pattern: str, described: str | None) -> tuple[str, str]:
    """The message and hint for ``value`` not matching ``pattern``, with no regular expression
    in them when :data:`PATTERNS` knows it; ``described`` is the field's own description."""
    meaning = PATTERNS.get(pattern)
    if meaning is not None:
        return f"{label}: {value!r} is not {meaning[0]}", meaning[1]
    # A pattern added to the models without words here: fall back to the field's description.
    hint = f"{described} (it must match {pattern})" if described else f"it must match {pattern}"
    return f"{label}: {value!r} is not in the form this field needs", hint
