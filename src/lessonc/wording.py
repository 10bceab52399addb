"""Counts in the words lessonc prints: "1 chapter", "4 chapters", never "1 chapters"."""

from __future__ import annotations

import functools
import gettext


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``number`` with the noun that agrees with it ("1 error", "2 errors").

    ``plural`` defaults to ``singular`` + "s". The choice goes through gettext's
    ``ngettext``, so the day lessonc's messages get catalogues, languages with
    other plural rules need no change here.
    """
    return f"{number:,} {_messages().ngettext(singular, plural or singular + 's', number)}"


@functools.cache
def _messages() -> gettext.NullTranslations:
    # Looked up once: gettext.ngettext looks for the catalogue on disk at every call
    # (four files tried, 14 us), and a course build counts a lesson's files for each lesson.
    return gettext.translation("messages", fallback=True)
