"""lessonc's own Anki note types: frozen fields, templates and ids.

Anki recognises a note type by its id and its schema (field and template
names, order and ids). Adding, removing or reordering a field or template is a
schema change that makes Anki create a second note type on import instead of
updating notes, so the tuples below are append-never, reorder-never: to change
one, add a new note type. Template HTML and CSS may change freely; Anki takes
them when the package is newer.

Each field and template has a ``key`` that never changes and an Anki name that
may be renamed: ids derive from keys, so a rename is not a schema change.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, replace

import genanki
from markupsafe import escape

from lessonc import i18n
from lessonc.templating import read_builtin

ID_NAMESPACE = "lessonc.anki"
"""Namespace of every id lessonc gives Anki objects. Never change it: every id would change."""

_ID_FLOOR = 1 << 52


def stable_id(*parts: str) -> int:
    """A 53-bit id from the namespace and ``parts``: the same parts give the same id forever.

    Ids fall in [2**52, 2**53): positive, exact in JavaScript (AnkiDroid,
    AnkiWeb) and far above the millisecond timestamps Anki uses for the ids
    it makes itself, so they never meet a user's own decks or note types.
    """
    digest = hashlib.sha256("\x1f".join((ID_NAMESPACE, *parts)).encode("utf-8")).digest()
    return _ID_FLOOR + int.from_bytes(digest[:8], "big") % _ID_FLOOR


@dataclass(frozen=True)
class FieldSpec:
    """One note field: a frozen key (its identity) and the name Anki shows."""

    key: str
    name: str


@dataclass(frozen=True)
class TemplateSpec:
    """One card template: a frozen key, the name Anki shows, and its front and back files."""

    key: str
    name: str
    front: str
    back: str


@dataclass(frozen=True)
class NoteTypeSpec:
    """A note type lessonc owns; ``key`` and the field keys define its id."""

    key: str
    name: str
    fields: tuple[FieldSpec, ...]
    templates: tuple[TemplateSpec, ...]
    cloze: bool = False
    language: str = "en"
    """The catalogue the card labels come from (see :func:`localised`)."""
    direction: str = "ltr"
    labels: tuple[tuple[str, str], ...] = ()
    """The card labels by key, filled into the templates' ``[[key]]`` markers."""

    @property
    def model_id(self) -> int:
        """The id: namespace, key and field keys (a new field list makes a new note type).

        A deck in another language (or with an author's own labels) gets a note type of
        its own: with the same id, importing it would rewrite the labels of every
        English card in the collection. English keeps the id it always had."""
        base = ("notetype", self.key, *(f.key for f in self.fields))
        if self.is_english:
            return stable_id(*base)
        labels = "\x1e".join(f"{k}={v}" for k, v in self.labels)
        return stable_id(*base, "localised", self.language, self.direction, labels)

    @property
    def is_english(self) -> bool:
        """True for the labels and direction every English deck has always had."""
        return self.direction == "ltr" and self.labels in ((), _english_labels())

    @property
    def display_name(self) -> str:
        """The name Anki shows: English note types keep theirs, others add the language."""
        if self.is_english:
            return self.name
        return f"{self.name} ({self.language})"

    def card_html(self, relative: str) -> str:
        """A card template with its labels filled in (escaped), wrapped in an element that
        carries the direction and language: Anki's clients show the card inside it."""
        labels = dict(self.labels or _english_labels())
        body = _LABEL.sub(lambda m: str(escape(labels[m.group(1)])), read_builtin(relative))
        lang = escape(self.language)
        return f'<div class="lessonc-card" dir="{self.direction}" lang="{lang}">\n{body}</div>\n'

    def field_id(self, field: FieldSpec) -> int:
        return stable_id("field", self.key, field.key)

    def template_id(self, template: TemplateSpec) -> int:
        return stable_id("template", self.key, template.key)

    def to_model(self) -> genanki.Model:
        """A fresh genanki model (genanki mutates the dicts it is given, so never share one)."""
        return genanki.Model(
            model_id=self.model_id,
            name=self.display_name,
            fields=[{"name": f.name, "id": self.field_id(f)} for f in self.fields],
            templates=[
                {
                    "name": t.name,
                    "id": self.template_id(t),
                    "qfmt": self.card_html(f"anki/{t.front}"),
                    "afmt": self.card_html(f"anki/{t.back}"),
                }
                for t in self.templates
            ],
            css=read_builtin("anki/card.css"),
            model_type=genanki.Model.CLOZE if self.cloze else genanki.Model.FRONT_BACK,
        )


_LABEL = re.compile(r"\[\[([a-z_]+)\]\]")
CARD_LABELS = ("answer", "about_the_choices", "also_written", "which_term", "define",
               "key_concept_explain")  # fmt: skip
"""Catalogue keys the card templates use."""


def _labels(words: i18n.Catalogue) -> tuple[tuple[str, str], ...]:
    # "{aliases}" becomes Anki's own field reference, filled in by Anki at review time.
    return tuple((key, words.text(key, aliases="{{Aliases}}")) for key in CARD_LABELS)


@functools.cache
def _english_labels() -> tuple[tuple[str, str], ...]:
    return _labels(i18n.for_language("en"))


def localised(spec: NoteTypeSpec, words: i18n.Catalogue, direction: str) -> NoteTypeSpec:
    """The note type with its card labels in the catalogue's language and its direction."""
    return replace(spec, language=words.tag, direction=direction, labels=_labels(words))


BASIC = NoteTypeSpec(
    key="basic",
    name="lessonc Basic",
    fields=(FieldSpec("front", "Front"), FieldSpec("back", "Back")),
    templates=(TemplateSpec("card", "Card", "basic/front.html", "basic/back.html"),),
)
CLOZE = NoteTypeSpec(
    key="cloze",
    name="lessonc Cloze",
    fields=(FieldSpec("text", "Text"), FieldSpec("extra", "Extra")),
    templates=(TemplateSpec("cloze", "Cloze", "cloze/front.html", "cloze/back.html"),),
    cloze=True,
)
GLOSSARY = NoteTypeSpec(
    key="glossary",
    name="lessonc Glossary",
    fields=(
        FieldSpec("term", "Term"),
        FieldSpec("definition", "Definition"),
        FieldSpec("aliases", "Aliases"),
    ),
    templates=(
        TemplateSpec(
            "term-to-definition", "Term → Definition",
            "glossary/term-front.html", "glossary/term-back.html",
        ),
        TemplateSpec(
            "definition-to-term", "Definition → Term",
            "glossary/definition-front.html", "glossary/definition-back.html",
        ),
    ),
)  # fmt: skip
KEY_CONCEPT = NoteTypeSpec(
    key="key-concept",
    name="lessonc Key Concept",
    fields=(FieldSpec("concept", "Concept"), FieldSpec("explanation", "Explanation")),
    templates=(TemplateSpec("card", "Concept", "key-concept/front.html", "key-concept/back.html"),),
)
MEMORY_AID = NoteTypeSpec(
    key="memory-aid",
    name="lessonc Memory Aid",
    fields=(
        FieldSpec("cue", "Cue"),
        FieldSpec("answer", "Answer"),
        FieldSpec("notes", "Notes"),
        FieldSpec("kind", "Kind"),
    ),
    templates=(TemplateSpec("card", "Recall", "memory-aid/front.html", "memory-aid/back.html"),),
)
PRACTICE = NoteTypeSpec(
    key="practice",
    name="lessonc Practice Question",
    fields=(
        FieldSpec("question", "Question"),
        FieldSpec("instructions", "Instructions"),
        FieldSpec("choices", "Choices"),
        FieldSpec("answer", "Answer"),
        FieldSpec("explanation", "Explanation"),
        FieldSpec("feedback", "Feedback"),
    ),
    templates=(TemplateSpec("card", "Question", "practice/front.html", "practice/back.html"),),
)

NOTE_TYPES: tuple[NoteTypeSpec, ...] = (BASIC, CLOZE, GLOSSARY, KEY_CONCEPT, MEMORY_AID, PRACTICE)
"""Every note type lessonc writes."""
