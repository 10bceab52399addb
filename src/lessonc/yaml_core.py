"""The YAML 1.2 core schema's plain scalars: ``no``, ``on`` and ``1:30`` stay text.

PyYAML reads YAML 1.1, where they are a boolean and a number of minutes; the lesson
loader (:mod:`lessonc.source`) resolves plain scalars here instead.
"""

from __future__ import annotations

import re
from typing import Any

CORE_TAG = "tag:yaml.org,2002:"
# \Z, not $: the core schema's patterns match the whole scalar, and $ would also match
# before a final line break ("\n" would read as null).
_NULL = re.compile(r"^(?:~|null|Null|NULL|)\Z")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)\Z")
_INT10 = re.compile(r"^[-+]?[0-9]+\Z")
_INT8 = re.compile(r"^0o[0-7]+\Z")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)\Z")


SPECIAL_FIRST = frozenset("~nNtTfF0123456789+-.")
"""The characters a YAML 1.2 core null, bool, int or float can start with."""
_CORE_WORDS: dict[str, bool | None] = {
    **dict.fromkeys(("null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}


def resolve_plain(value: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema: 'no', 'on' and '1:30' stay text."""
    # Most plain scalars are words and sentences: decided by their first character
    # before trying eight patterns (a tenth of loading a lesson; a test holds this
    # to the patterns alone).
    if not value:
        return None
    if value[0] not in SPECIAL_FIRST:
        return value
    if value[0] in "nNtTfF":
        return _CORE_WORDS.get(value, value)
    return resolve_by_patterns(value)


def resolve_by_patterns(value: str) -> Any:
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value.lower() == "true"
    if _INT10.match(value):
        return int(value)
    if _INT8.match(value):
        return int(value[2:], 8)
    if _INT16.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.match(value):
        return float("nan")
    return value
