"""When a typed short answer counts as the accepted one: the rules of every output.

The page's checker (lesson.js, ``normalise``) applies the same rules in the
browser; GIFT and QTI cannot fold, so they list the spellings a learner's
keyboard may produce as further accepted answers (:func:`spellings`).

- Unicode NFKC: full-width and half-width forms (CJK input methods), ligatures.
- Arabic script: tatweel and short vowels (harakat) are ignored; Arabic and
  Persian yeh (ي ى / ی) and kaf (ك / ک) are one letter, as keyboards differ;
  Arabic-Indic and Persian digits are digits; ta marbuta (ة) is heh (ه) in the
  languages that write it so (Persian, Urdu).
- Case folds where the script has case, unless the question is case-sensitive.
"""

from __future__ import annotations

import re
import unicodedata

_MARKS = re.compile("[\u0640\u064b-\u065f\u0670]")
_LETTERS = str.maketrans(
    {"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9"}
    | {chr(0x0660 + d): str(d) for d in range(10)}
    | {chr(0x06F0 + d): str(d) for d in range(10)}
)
_TA_MARBUTA_AS_HEH = frozenset({"fa", "ur", "ps"})
_ARABIC_KEYBOARD = str.maketrans({"\u06cc": "\u064a", "\u06a9": "\u0643"})
_PERSIAN_KEYBOARD = str.maketrans({"\u064a": "\u06cc", "\u0643": "\u06a9"})


def folds_ta_marbuta(language: str) -> bool:
    """Whether the language writes ta marbuta as heh in everyday spelling."""
    return language.replace("_", "-").split("-")[0].lower() in _TA_MARBUTA_AS_HEH


def fold(text: str, language: str, case_sensitive: bool = False) -> str:
    """The form two answers are compared in: equal folds are the same answer."""
    folded = " ".join(unicodedata.normalize("NFKC", text).split())
    folded = _MARKS.sub("", folded).translate(_LETTERS)
    if folds_ta_marbuta(language):
        folded = folded.replace("\u0629", "\u0647")
    return folded if case_sensitive else folded.casefold()


def spellings(answer: str) -> list[str]:
    """The answer and the other spellings a learner's keyboard types for it (Arabic or
    Persian letters), for formats that compare answers exactly; the answer comes first."""
    variants = [answer, answer.translate(_ARABIC_KEYBOARD), answer.translate(_PERSIAN_KEYBOARD)]
    return list(dict.fromkeys(variants))
