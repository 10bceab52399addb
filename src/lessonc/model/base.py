"""Building blocks of the lesson models: text types, the strict base class and the identity rule.

Identity rule (used by the Anki deck, quiz JSON and HTML anchors): every
flashcard, glossary term, key concept, memory aid, question and choice has an
``id``. Write it explicitly for anything you expect to edit. When it is left
out it is derived from the item's own text (see :func:`slugify`), never from
its position, so inserting an item never renumbers the others; but then
editing that text gives the item a new identity (a new Anki note, a new quiz id).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Annotated, Any, ClassVar, Final
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from lessonc.model.docstrings import document_fields

FORMAT_VERSION: Final = 1
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG_MAX = 48


KEY_PATTERN = r"^[^\x00-\x2f\x3a-\x60\x7b-\x7f\s]+(?:-[^\x00-\x2f\x3a-\x60\x7b-\x7f\s]+)*$"
"""An id or tag in any script: words of letters and digits joined by single hyphens.

Written without ``\\p{L}`` so that JSON Schema validators (ECMA regex), Pydantic
(Rust regex) and Python agree; :func:`_key_letters` then refuses non-ASCII
punctuation and capitals, which the pattern cannot express portably."""


def _key_char(char: str) -> str:
    """The character as it appears in an id: '' (dropped), ' ' (a word break) or text."""
    if char.isascii():
        return char.lower() if char.isalnum() else " "
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed[0].isascii():
        # Latin letters with accents keep their base letter, as before: "Café" → "cafe".
        base = decomposed.encode("ascii", "ignore").decode()
        return "".join(c.lower() if c.isalnum() else " " for c in base) or " "
    if char in "\u200c\u200d\u0640":  # joiners and tatweel shape a word, never split it
        return ""
    category = unicodedata.category(char)
    if category[0] in "LN":
        return char.lower()
    if category[0] == "M":
        # Devanagari vowel signs belong to their word; Arabic short vowels (harakat)
        # are optional marks that writers often leave out, so they are dropped.
        return "" if 0x064B <= ord(char) <= 0x065F or char == "\u0670" else char
    return " "


_ASCII_BREAKS = re.compile(r"[^A-Za-z0-9]+")


def slugify(text: str, max_length: int = _SLUG_MAX) -> str:
    """Turn text into an id: lower case, words of any script joined by '-', cut at a word
    boundary. Latin letters lose their accents (ASCII as before); other scripts keep their
    letters and digits (NFKC), so a Persian or Chinese card gets an id from its own words."""
    if text.isascii():
        # Most ids come from English text: what _key_char does to each ASCII character
        # (letters and digits lowered, the rest a word break), in one pass; NFKC and NFC
        # leave ASCII as it is.
        words = _ASCII_BREAKS.sub(" ", text).lower().split()
    else:
        folded = "".join(_key_char(c) for c in unicodedata.normalize("NFKC", text))
        words = unicodedata.normalize("NFC", folded).split()
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    if not slug and words:
        slug = words[0][:max_length]
    if slug:
        return slug
    # Text with no letter or digit at all ("`{}`"): a short hash of it, stable and distinct,
    # where one shared placeholder would make two such items clash.
    digest = hashlib.sha256(unicodedata.normalize("NFKC", text).encode("utf-8")).hexdigest()
    return f"item-{digest[:8]}"


def _key_letters(value: str) -> str:
    if value.isascii():
        # KEY_PATTERN (checked first) leaves only a-z, 0-9 and hyphens in ASCII, as most
        # ids are: nothing to refuse, and ASCII text is always in form C.
        return value
    for char in value.replace("-", ""):
        if unicodedata.category(char)[0] not in "LNM" or char != char.lower():
            raise ValueError(
                f"{char!r} is not allowed in an id or tag: use lower-case letters and digits "
                "of any script, joined by single hyphens"
            )
    if unicodedata.normalize("NFC", value) != value:
        raise ValueError("the id is not in Unicode normal form C: retype it")
    return value


def _require_text(value: str) -> str:
    if not value.strip():
        raise ValueError("text must not be empty")
    return value


_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Unicode's control characters (category Cc) but tab and newline."""


def _no_control_chars(value: str) -> str:
    # U+001F separates Anki fields and NUL ends C strings in WeasyPrint's
    # dependencies: both would corrupt an output silently.
    bad = _CONTROL_CHARACTER.search(value)
    if bad is not None:
        raise ValueError(f"control character U+{ord(bad.group()):04X} is not allowed in text")
    return value


TEXT_MAX_LENGTH: Final = 100_000
"""Characters in one text field: a long chapter is a tenth of it. The cap bounds the
work one field can ask of every output (Markdown, the handout's layout, the deck)."""


def _checked_text(value: str) -> str:
    """The checks every text takes, in one call: a lesson has hundreds of texts."""
    # Most texts are one printable line that starts with no space: no character of
    # category Cc is printable, so two C calls answer both checks (0.4 -> 0.1 µs a text).
    if value.isprintable() and value and not value[0].isspace():
        return value
    return _require_text(_no_control_chars(value))


Text = Annotated[
    str,
    # The length caps come first, where pydantic-core checks them in Rust; after a
    # validator, each would be one more Python call for every text. An empty text
    # fails in _require_text, whose message says what to do; the schema still
    # declares the minimum.
    Field(
        max_length=TEXT_MAX_LENGTH,
        # Editors learn from contentMediaType that the string is Markdown; the
        # field's own docstring stays its description.
        json_schema_extra={"minLength": 1, "contentMediaType": "text/markdown"},
    ),
    AfterValidator(_checked_text),
]
"""Required text in lessonc's Markdown subset (see markup.py); blank text is an error."""

PlainText = Annotated[
    str,
    Field(max_length=500, json_schema_extra={"minLength": 1}),
    AfterValidator(_checked_text),
]
"""A short plain-text line (a title, a name, a term); no Markdown."""

# The reusable aliases carry only validation: a description or example here would
# override the docstring and examples of every field that uses them.
Slug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=64)]
"""An identifier: lower-case letters, digits and single hyphens."""

Key = Annotated[str, Field(pattern=KEY_PATTERN, max_length=64), AfterValidator(_key_letters)]
"""An item's id or a tag: lower-case letters and digits of any script, single hyphens."""


def _known_ui_keys(value: dict[str, str]) -> dict[str, str]:
    from lessonc import i18n  # below the model; imported late only to keep start-up light

    known = i18n.reference_keys()
    for key in value:
        if key not in known:
            close = sorted(k for k in known if k.split("_")[0] == key.split("_")[0])[:3]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ValueError(
                f"unknown interface string {key!r}{hint}; docs/translating.md lists the keys"
            )
    return value


InterfaceStrings = Annotated[
    dict[
        str,
        Annotated[str, Field(max_length=500), AfterValidator(_checked_text)],
    ],
    AfterValidator(_known_ui_keys),
]
"""An author's replacements for lessonc's interface strings, by key."""


def _parseable_url(value: str) -> str:
    # The pattern alone lets through 'http://[' and similar, which every output's
    # URL handling (urllib) would then raise on.
    try:
        parts = urlsplit(value)
        if not parts.hostname:
            raise ValueError("no host")
        _ = parts.port
    except ValueError as error:
        raise ValueError(f"not a valid URL ({error})") from None
    return value


Url = Annotated[
    str,
    Field(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=2048),
    AfterValidator(_parseable_url),
]
"""An absolute http(s) URL."""


def empty_list() -> list[Any]:
    """A list field's value when it is left out.

    A Python function rather than ``list``: Pydantic inspects the signature of every
    default factory each time it builds a schema, and a built-in's signature is parsed
    from its text through the tokenizer, which took half the lesson's validator build.
    """
    return []


def empty_dict() -> dict[Any, Any]:
    """A mapping field's value when it is left out (a Python function, as :func:`empty_list`)."""
    return {}


class Strict(BaseModel):
    """Base for every part: unknown keys are errors, no silent type coercion, no NaN."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        # Built on first use: validating a lesson builds the one validator it needs
        # instead of a validator per part at import, and the fields are documented first.
        defer_build=True,
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        document_fields(cls)


def _part_id_examples(schema: JsonDict, part: type[Any]) -> None:
    # One ``id`` field serves every kind of part; each kind shows ids like its own.
    examples: tuple[str, ...] = getattr(part, "id_examples", ())
    properties = schema.get("properties")
    id_schema = properties.get("id") if isinstance(properties, dict) else None
    if examples and isinstance(id_schema, dict):
        id_schema["examples"] = list(examples)


class Identified(Strict):
    """A part with an ``id`` that is derived from :meth:`id_source` when not written."""

    model_config = ConfigDict(json_schema_extra=_part_id_examples)

    id_examples: ClassVar[tuple[str, ...]] = ()
    """Ids of this kind of part in the example lesson, shown as the ``id`` field's examples."""

    id: Key | None = Field(default=None, examples=["fm-definition"])
    """Stable identifier (lower-case letters and digits of any script, single hyphens); left out, it is derived from the text (and changes when the text does)."""  # noqa: E501

    def id_source(self) -> str:
        raise NotImplementedError

    @model_validator(mode="after")
    def _derive_id(self) -> Identified:
        if self.id is None:
            self.id = slugify(self.id_source())
        return self

    @property
    def key(self) -> str:
        """The id, always set after validation."""
        assert self.id is not None
        return self.id
