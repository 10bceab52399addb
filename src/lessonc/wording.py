"""Counts in the words lessonc prints: "1 chapter", "4 chapters", never "1 chapters"."""

from __future__ import annotations

from gettext import ngettext


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``number`` with the noun that agrees with it ("1 error", "2 errors").

    ``plural`` defaults to ``singular`` + "s". The choice goes through gettext's
    ``ngettext``, so the day lessonc's messages get catalogues, languages with
    other plural rules need no change here.
    """
    return f"{number:,} {ngettext(singular, plural or singular + 's', number)}"
