"""The words lessonc itself puts in front of a reader, in the lesson's language.

Every interface string (a heading, a button, a card label, a page footer) is a
message with a stable key, looked up in a gettext catalogue: one ``.po`` file a
language under ``lessonc/locale/``, named by its BCP 47 tag (``fa.po``,
``pt-BR.po``, ``zh-Hans.po``). The ``.po`` files are read directly with Babel,
so adding a language is adding one file (see docs/translating.md). The English
catalogue is the reference: every other catalogue has its keys.

This module sits below both the lesson and the course layers: text direction
and language matching live here, not in an output.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from markupsafe import Markup, escape

LOCALE_DIR = Path(__file__).parent / "locale"
"""One ``<tag>.po`` file a language."""
REFERENCE = "en"
"""The catalogue every other one is checked against, and the fallback."""
RTL_LANGUAGES = frozenset({"ar", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})
_RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg"})
_ZEROS = {"arabext": "\u06f0", "arab": "\u0660", "deva": "\u0966", "beng": "\u09e6"}
"""The zero of each CLDR numbering system whose digits follow 0–9 in Unicode."""
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def text_direction(language: str) -> Literal["ltr", "rtl"]:
    """``rtl`` for a BCP 47 tag written right to left (by language or by script), else ``ltr``."""
    parts = language.replace("_", "-").split("-")
    if any(part.title() in _RTL_SCRIPTS for part in parts[1:] if len(part) == 4):
        return "rtl"
    if any(part.title() == "Latn" for part in parts[1:] if len(part) == 4):
        return "ltr"  # Kurdish or Azerbaijani written in Latin letters
    return "rtl" if parts[0].lower() in RTL_LANGUAGES else "ltr"


def available() -> dict[str, Path]:
    """Every shipped catalogue by lower-case tag."""
    return dict(_catalogue_files(LOCALE_DIR))


@functools.cache
def _catalogue_files(folder: Path) -> tuple[tuple[str, Path], ...]:
    # Listed once a process: the shipped catalogues do not change while lessonc runs, and
    # every page, deck and quiz asks for its language's (a twentieth of a deck's time).
    return tuple((path.stem.lower(), path) for path in sorted(folder.glob("*.po")))


def catalogue_tag(language: str) -> str | None:
    """The catalogue for a BCP 47 tag: the tag itself, then shorter prefixes, then any
    catalogue of the same language (``pt`` finds ``pt-BR``, ``zh-CN`` finds ``zh-Hans``)."""
    files = available()
    parts = language.replace("_", "-").lower().split("-")
    for end in range(len(parts), 0, -1):
        tag = "-".join(parts[:end])
        if tag in files:
            return files[tag].stem
    same_language = [path.stem for tag, path in files.items() if tag.split("-")[0] == parts[0]]
    return same_language[0] if same_language else None


Message = str | tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """The messages of one language, with its plural rule, and lookup helpers."""

    tag: str
    """The catalogue's own tag (``fa``), which may differ from the lesson's (``fa-IR``)."""
    messages: Mapping[str, Message] = field(repr=False)
    plural: Callable[[int], int] = field(repr=False)
    overrides: Mapping[str, str] = field(default_factory=dict)
    """An author's ``ui:`` strings, which win over the catalogue's."""

    @property
    def locale(self) -> Locale:
        return _locale(self.tag)

    def with_overrides(self, overrides: Mapping[str, str]) -> Catalogue:
        """The same catalogue with an author's strings on top."""
        if not overrides:
            return self
        return Catalogue(self.tag, self.messages, self.plural, {**self.overrides, **overrides})

    def text(self, key: str, count: int | None = None, **values: object) -> str:
        """The message ``key`` as plain text, placeholders filled in (numbers in the language)."""
        return _fill(self._raw(key, count), self._values(count, values), str)

    def markup(self, key: str, count: int | None = None, **values: object) -> Markup:
        """The message as HTML: its text escaped, each inserted value escaped and isolated in
        ``<bdi>`` so a name or number in another direction cannot reorder the sentence."""
        filled = _fill(
            str(escape(self._raw(key, count))),
            self._values(count, values),
            lambda value: f"<bdi>{escape(value)}</bdi>",
        )
        return Markup(filled)

    def number(self, value: int | float) -> str:
        """A number in the language's digits and separators."""
        # The type is part of the key: 1, 1.0 and True are one key to a cache.
        return _number(self.tag, type(value).__name__, value)

    def date(self, when: datetime) -> str:
        """A date written the language's way (long form)."""
        return format_date(when, format="long", locale=self.locale)

    def _values(self, count: int | None, values: Mapping[str, object]) -> dict[str, object]:
        shown = {k: self.number(v) if isinstance(v, int | float) else v for k, v in values.items()}
        if count is not None and "count" not in shown:
            shown["count"] = self.number(count)
        return shown

    def _raw(self, key: str, count: int | None) -> str:
        if key in self.overrides:
            return self.overrides[key]
        message = self.messages.get(key)
        if message is None:
            message = _reference().messages[key]  # a KeyError here is a typo in lessonc
            plural = _reference().plural
        else:
            plural = self.plural
        if isinstance(message, tuple):
            index = plural(count if count is not None else 1)
            return message[min(index, len(message) - 1)]
        return message


@functools.cache
def _locale(tag: str) -> Locale:
    # Parsing a tag reads CLDR data: once per language, not once per number or date.
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale("en")


@functools.lru_cache(maxsize=4096)
def _number(tag: str, kind: str, value: int | float) -> str:
    # Every page numbers its questions, points and gaps with the same few numbers: Babel
    # formatting them again for each lesson was a tenth of the page's cost.
    if tag == "en" and kind == "int":
        # English digits, group separator and minus are Python's own: Babel's locale data
        # (a thirtieth of a one-lesson build) is then read only for other languages.
        return f"{value:,}"
    locale = _locale(tag)
    # Separators from CLDR; the digits too (Persian ۶۰), which Babel leaves Latin.
    text = format_decimal(value, locale=locale, numbering_system="default")
    zero = _ZEROS.get(locale.default_numbering_system or "latn")
    if zero is None:
        return text
    return text.translate({ord("0") + d: chr(ord(zero) + d) for d in range(10)})


def _fill(message: str, values: Mapping[str, object], show: Callable[[object], str]) -> str:
    # A regular expression, not str.format: an author's ui: string such as
    # "{0.__class__}" must stay text, never reach into an object.
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return show(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(replace, message)


@functools.cache
def _load(tag: str) -> Catalogue:
    path = available()[tag.lower()]
    with path.open("rb") as handle:
        po = read_po(handle, locale=None, abort_invalid=True)
    messages: dict[str, Message] = {}
    for message in po:
        if not message.id or not message.string:
            continue
        key = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
        string = message.string
        if isinstance(string, tuple | list):
            if all(string):  # a plural missing a form counts as missing
                messages[key] = tuple(str(s) for s in string)
        else:
            messages[key] = str(string)
    plural_expr = _plural_expression(po.mime_headers)
    return Catalogue(path.stem, messages, gettext.c2py(plural_expr))


def _plural_expression(headers: list[tuple[str, str]]) -> str:
    for name, value in headers:
        if name.lower() == "plural-forms" and "plural=" in value:
            return value.split("plural=", 1)[1].strip().rstrip(";")
    return "n != 1"


def _reference() -> Catalogue:
    return _load(REFERENCE)


def reference_keys() -> frozenset[str]:
    """Every key lessonc uses: the English catalogue's."""
    return frozenset(_reference().messages)


def catalogue(language: str) -> tuple[Catalogue, bool]:
    """The catalogue for ``language`` and whether it was found (False: English stands in)."""
    tag = catalogue_tag(language)
    if tag is None:
        return _reference(), False
    return _load(tag), True


def for_language(language: str, overrides: Mapping[str, str] | None = None) -> Catalogue:
    """The catalogue for ``language`` (English if none), with an author's ``ui:`` strings."""
    found, _ = catalogue(language)
    return found.with_overrides(overrides or {})
