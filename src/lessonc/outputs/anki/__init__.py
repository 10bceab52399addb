"""The Anki deck: ``deck.apkg``, one subdeck per lesson, notes that update in place.

Identity rules (a learner's review history depends on them; never change them):

- **Note types** are lessonc's own (see :mod:`.notetypes`). A note type's id is
  :func:`~.notetypes.stable_id` of ``("notetype", key, *field keys)`` under the
  fixed namespace ``lessonc.anki``: the same in every lessonc release, and new
  only when the note type's field list changes. Field and template ids derive
  from the note type's key and their own key, so renaming one is not a schema
  change for Anki.
- **Decks** are named ``Course::N. Chapter::N.M Lesson title``; a deck's id is
  ``stable_id("deck", name)``.
- **Notes**: the GUID is a hash of the lesson id, the part (``flashcard``,
  ``glossary``, ``key-concept``, ``memory-aid``, ``practice``) and the item id,
  never of the text. Every note is tagged ``course::…``, ``chapter::…``,
  ``lesson::<id>``, ``part::…`` and with the lesson's own tags.
- **Times**: notes, cards and note types carry ``options.source_date_epoch``.
  Anki updates a note on re-import only when the incoming one is newer, so a
  later source date is what carries an edit into a collection, and the same date
  gives a byte-identical package. The deck's artifact carries each note's digest
  and the stamp (see :mod:`lessonc.anki_updates`) so the build can warn when an
  edit would not be newer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from lessonc.anki_updates import deck_record, note_digest
from lessonc.assets import LessonImages, check_images, images_for
from lessonc.diagnostics import Diagnostic, Severity
from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext, RenderError
from lessonc.outputs.anki.collection import PreparedSubdeck, Subdeck, prepare
from lessonc.outputs.anki.notes import NoteData, block, deck_name, lesson_notes
from lessonc.outputs.anki.package import media_name, rewrite_image_sources, write_apkg
from lessonc.source import Located

DECK_FILE = "deck.apkg"


class AnkiRenderer:
    """Writes ``deck.apkg``: the lesson's subdeck, its note types and bundled media."""

    name = "anki"

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterator[Artifact]:
        """One artifact: the lesson's deck as a reproducible .apkg."""
        deck = _deck(lesson, images_for(lesson, ctx))
        if ctx.options.with_audio and lesson.glossary:
            deck = _with_spoken_terms(deck, lesson, ctx)
        _check_unique(deck.subdeck.notes, ctx)
        if not deck.subdeck.notes:
            ctx.diagnostics.append(
                replace(
                    ctx.source.diagnostic(
                        (), "anki-empty",
                        "the deck has no cards: the lesson has no flashcards, glossary, key "
                        "concepts, memory aids or practice questions",
                    ),
                    severity=Severity.WARNING,
                )
            )  # fmt: skip
        stamp = ctx.options.source_date_epoch
        data = write_apkg([deck.prepared], deck.media, stamp)
        notes = deck.subdeck.notes
        digests = {n.guid: note_digest(n.note_type.key, n.fields, n.tags) for n in notes}
        yield Artifact(DECK_FILE, data, record=deck_record(stamp, digests))


@dataclass(frozen=True)
class LessonDeck:
    """A lesson's subdeck, its notes' image sources pointing at bundled media, and those media."""

    subdeck: Subdeck
    media: dict[str, bytes]

    @functools.cached_property
    def prepared(self) -> PreparedSubdeck:
        """The subdeck as rows: made once, for the lesson's deck and its part of the course's."""
        return prepare(self.subdeck)


def lesson_deck(
    lesson: Lesson, source: Located, images: LessonImages | None = None
) -> tuple[LessonDeck | None, list[Diagnostic]]:
    """The lesson as its deck (and the course deck) hold it, or None and why its images fail.

    ``images`` are those validation checked; without them they are checked here.
    """
    if images is None:
        images, problems = check_images(lesson, source)
        if any(problem.is_error for problem in problems):
            return None, problems
    return _deck(lesson, images), []


_last_deck: list[tuple[Lesson, LessonImages, LessonDeck]] = []
"""The deck last made in this process, with the lesson and images it was made of: a course
build asks for each lesson's deck twice (its deck.apkg, then its part of the course deck)
and the second time takes this one instead of rendering every note again."""


def _deck(lesson: Lesson, images: LessonImages) -> LessonDeck:
    # By identity: a lesson model is never changed once validated.
    if _last_deck and _last_deck[0][0] is lesson and _last_deck[0][1] is images:
        return _last_deck[0][2]
    deck = _new_deck(lesson, images)
    _last_deck[:] = [(lesson, images, deck)]
    return deck


def _new_deck(lesson: Lesson, images: LessonImages) -> LessonDeck:
    sources: dict[str, str] = {}
    media: dict[str, bytes] = {}
    for file in images.files:
        bundled = media_name(file.data, file.suffix)
        sources[file.reference] = bundled
        media[bundled] = file.data
    # Every field is rewritten, even without bundled files: an image the deck does not carry
    # loses its src rather than pointing outside the collection.
    notes = tuple(_with_bundled_images(note, sources) for note in lesson_notes(lesson))
    name = deck_name(lesson)
    return LessonDeck(Subdeck(name, block(lesson.summary.quick), notes), media)


def _with_spoken_terms(deck: LessonDeck, lesson: Lesson, ctx: BuildContext) -> LessonDeck:
    """Glossary notes with the term spoken after it (``[sound:…]``, played when the term
    shows), the sounds bundled under content-hash names like the images."""
    from lessonc.outputs.audio.terms import spoken_terms

    sounds = spoken_terms(lesson, ctx)
    media = dict(deck.media)
    notes = []
    for note in deck.subdeck.notes:
        if note.yaml_path[:1] == ("glossary",) and isinstance(note.yaml_path[1], int):
            data, suffix = sounds[note.yaml_path[1]]
            name = media_name(data, suffix)
            media[name] = data
            term, *rest = note.fields
            note = replace(note, fields=(f"{term} [sound:{name}]", *rest))
        notes.append(note)
    return LessonDeck(replace(deck.subdeck, notes=tuple(notes)), media)


def _with_bundled_images(note: NoteData, sources: dict[str, str]) -> NoteData:
    fields = tuple(rewrite_image_sources(field, sources) for field in note.fields)
    return note if fields == note.fields else replace(note, fields=fields)


def _check_unique(notes: Sequence[NoteData], ctx: BuildContext) -> None:
    """Two items with one GUID would be one note in Anki: the second would silently win."""
    seen: dict[str, NoteData] = {}
    problems: list[Diagnostic] = []
    for note in notes:
        first = seen.setdefault(note.guid, note)
        if first is not note:
            where = ".".join(str(p) for p in first.yaml_path)
            problems.append(
                ctx.source.diagnostic(
                    note.yaml_path, "anki-duplicate-note",
                    f"this item has the same identity as {where}: Anki would keep only one",
                    "give one of them a different id (or a different term, cue or title)",
                )
            )  # fmt: skip
    if problems:
        ctx.diagnostics.extend(problems)
        raise RenderError("duplicate Anki notes")


RENDERER = AnkiRenderer()
