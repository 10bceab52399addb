"""A lesson's parts as Anki notes: fields, identity (GUID), tags and deck name.

A note's GUID comes from the lesson id, the part it came from and the item's
id, never from its text, so an edited card updates the note already in a
learner's collection (keeping its review history) instead of adding a copy.
Items without a written ``id`` get one derived from their text (see
lessonc.model), so editing that text then changes the note.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import escape

from lessonc import i18n, markup
from lessonc.model import (
    Acronym,
    BasicCard,
    ClozeCard,
    GlossaryEntry,
    KeyConcept,
    Lesson,
    MemoryAid,
    Mnemonic,
    MultipleChoice,
    Question,
    Rhyme,
    ShortAnswer,
    SingleChoice,
    Story,
    TrueFalse,
    slugify,
)
from lessonc.outputs.anki.exercises import answer_fields, cloze_fields
from lessonc.outputs.anki.notetypes import (
    BASIC,
    CLOZE,
    GLOSSARY,
    KEY_CONCEPT,
    MEMORY_AID,
    PRACTICE,
    NoteTypeSpec,
    localised,
)
from lessonc.source import PathKey

FIELD_SEPARATOR = "\x1f"
_TAG_LENGTH = 64
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Anki turns these bracket tags in a field into sound playback or TTS; lesson
# text must only ever show them, so their opening bracket becomes an entity.
_MEDIA_TAG = re.compile(r"\[(?=sound:|anki:)", re.IGNORECASE)


@dataclass(frozen=True)
class NoteData:
    """One note to write: its type, identity, field HTML, tags and the YAML node it came from."""

    note_type: NoteTypeSpec
    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    yaml_path: PathKey


def note_guid(lesson_id: str, part: str, item_id: str) -> str:
    """The GUID of an item's note: a hash of lesson id, part and item id (64 bits, hex)."""
    key = FIELD_SEPARATOR.join(("lessonc", lesson_id, part, item_id))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def deck_name(lesson: Lesson) -> str:
    """``Course::N. Chapter::N.M Lesson title``: each course becomes one tree of subdecks."""
    parts = (
        lesson.course,
        f"{lesson.chapter.number}. {lesson.chapter.title}",
        f"{lesson.number} {lesson.title}",
    )
    return "::".join(_deck_component(p) for p in parts)


def _deck_component(text: str) -> str:
    # '::' inside a title would open a further level of subdecks.
    return " ".join(text.replace("::", ":").split())


def lesson_tags(lesson: Lesson) -> tuple[str, ...]:
    """Tags every note of the lesson carries: course, chapter, lesson and the lesson's keywords."""
    chapter = slugify(f"{lesson.chapter.number} {lesson.chapter.title}", _TAG_LENGTH)
    tags = [
        f"course::{slugify(lesson.course, _TAG_LENGTH)}",
        f"chapter::{chapter}",
        f"lesson::{lesson.id}",
        *lesson.tags,
    ]
    return tuple(dict.fromkeys(tags))


def clean(html: str) -> str:
    """Field HTML made safe for Anki's field syntax: no separator, no sound or TTS tags."""
    return _MEDIA_TAG.sub("&#91;", html.replace(FIELD_SEPARATOR, ""))


def block(text: str) -> str:
    """Block Markdown as field HTML: formulas as ``\\(…\\)`` for Anki's own MathJax, code
    coloured inline (a note type's CSS cannot be relied on to colour classes)."""
    return clean(markup.to_html(text, "tex"))


def inline(text: str) -> str:
    """Plain text (titles, terms, choices' letters) as field HTML."""
    return clean(escape(text))


def lesson_notes(lesson: Lesson) -> Iterator[NoteData]:
    """Every note of the lesson, in lesson order: flashcards, glossary, concepts, aids, practice."""
    common = lesson_tags(lesson)
    words = i18n.for_language(lesson.language, lesson.ui)
    direction = lesson.direction or i18n.text_direction(lesson.language)
    # Localising a note type looks up each of its card labels: once per type and lesson, not
    # once per note (it was a fifth of the deck's cost).
    note_types: dict[str, NoteTypeSpec] = {}
    for spec, part, item_id, fields, path in _items(lesson, words):
        guid = note_guid(lesson.id, part, item_id)
        note_type = note_types.get(spec.key)
        if note_type is None:
            note_type = note_types[spec.key] = localised(spec, words, direction)
        yield NoteData(note_type, guid, fields, (*common, f"part::{part}"), path)


_Item = tuple[NoteTypeSpec, str, str, tuple[str, ...], PathKey]


def _items(lesson: Lesson, words: i18n.Catalogue) -> Iterator[_Item]:
    """Note type, part, item id, fields and YAML path of every item that becomes a note."""
    for index, card in enumerate(lesson.flashcards):
        if isinstance(card, ClozeCard):
            fields: tuple[str, ...] = (block(card.cloze), block(card.extra) if card.extra else "")
            yield CLOZE, "flashcard", card.key, fields, ("flashcards", index)
        else:
            yield BASIC, "flashcard", card.key, _basic_fields(card), ("flashcards", index)
    for index, entry in enumerate(lesson.glossary):
        fields = _glossary_fields(entry, words.text("list_separator"))
        yield GLOSSARY, "glossary", entry.key, fields, ("glossary", index)
    for index, concept in enumerate(lesson.key_concepts):
        path: PathKey = ("key_concepts", index)
        yield KEY_CONCEPT, "key-concept", concept.key, _concept_fields(concept), path
    for index, aid in enumerate(lesson.memory_aids):
        fields = _memory_aid_fields(aid, lesson.title, words)
        yield MEMORY_AID, "memory-aid", aid.key, fields, ("memory_aids", index)
    for index, question in enumerate(lesson.practice):
        cloze = cloze_fields(question)
        if cloze is not None:
            fields = tuple(clean(field) for field in cloze)
            yield CLOZE, "practice", question.key, fields, ("practice", index)
        else:
            fields = practice_fields(question, words)
            yield PRACTICE, "practice", question.key, fields, ("practice", index)


def _basic_fields(card: BasicCard) -> tuple[str, ...]:
    return (block(card.front), block(card.back))


def _glossary_fields(entry: GlossaryEntry, separator: str = ", ") -> tuple[str, ...]:
    return (inline(entry.term), block(entry.definition), inline(separator.join(entry.aliases)))


def _concept_fields(concept: KeyConcept) -> tuple[str, ...]:
    return (inline(concept.term), block(concept.explanation))


def _memory_aid_fields(
    aid: MemoryAid, lesson_title: str, words: i18n.Catalogue | None = None
) -> tuple[str, ...]:
    """Cue, answer, notes, kind: an acronym or cue asks for its words; other aids for their text."""
    kind = (words or i18n.for_language("en")).text(aid.kind)
    if isinstance(aid, Acronym):
        notes = block(aid.text) if aid.text else ""
        return (inline(aid.acronym), _word_list(aid.words), notes, kind)
    if isinstance(aid, Mnemonic) and aid.cue and aid.words:
        return (inline(aid.cue), _word_list(aid.words), block(aid.text), kind)
    if isinstance(aid, Story) and aid.title:
        return (inline(aid.title), block(aid.text), "", kind)
    assert isinstance(aid, Rhyme | Story | Mnemonic)
    return (inline(lesson_title), block(aid.text), "", kind)


def _word_list(words: list[str]) -> str:
    items = "".join(
        f'<li><strong class="initial">{inline(word[:1])}</strong>{inline(word[1:])}</li>'
        for word in words
    )
    return f'<ol class="words">{items}</ol>'


def practice_fields(question: Question, words: i18n.Catalogue | None = None) -> tuple[str, ...]:
    """Question, instructions, choices, answer, explanation, feedback: static HTML, no script."""
    words = words or i18n.for_language("en")
    explanation = block(question.explanation)
    prompt = block(question.prompt)
    if isinstance(question, SingleChoice | MultipleChoice):
        instructions = (
            "card_choose_one" if isinstance(question, SingleChoice) else "card_select_all"
        )
        instructions = inline(words.text(instructions))
        lettered = [(_label(i), choice) for i, choice in enumerate(question.choices)]
        choices = _choice_list((letter, block(c.text)) for letter, c in lettered)
        answer = _choice_list((letter, block(c.text)) for letter, c in lettered if c.correct)
        feedback = _choice_list((letter, block(c.feedback)) for letter, c in lettered if c.feedback)
        return (prompt, instructions, choices, answer, explanation, feedback)
    if isinstance(question, TrueFalse):
        yes, no = words.text("true"), words.text("false")
        lines = [(yes, question.feedback_true), (no, question.feedback_false)]
        feedback = _choice_list((label, block(text)) for label, text in lines if text)
        answer = inline(yes if question.answer else no)
        return (prompt, inline(words.text("true_or_false")), "", answer, explanation, feedback)
    if not isinstance(question, ShortAnswer):
        instructions, answer, feedback = (clean(f) for f in answer_fields(question, words))
        return (prompt, instructions, "", answer, explanation, feedback)
    answer = inline(question.accepted[0])
    if len(question.accepted) > 1:
        others = words.text("list_separator").join(question.accepted[1:])
        answer += (
            f'<div class="notes">{inline(words.text("card_also_accepted", answers=others))}</div>'
        )
    return (prompt, inline(words.text("card_short_answer")), "", answer, explanation, "")


def _label(index: int) -> str:
    return _LETTERS[index] if index < len(_LETTERS) else str(index + 1)


def _choice_list(items: Iterable[tuple[str, str]]) -> str:
    rows = "".join(
        f'<li><span class="letter">{escape(label)}</span> {html}</li>' for label, html in items
    )
    return f'<ol class="answer-list">{rows}</ol>' if rows else ""
