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
  gives a byte-identical package.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import genanki

from lessonc.assets import referenced_files
from lessonc.diagnostics import Diagnostic, Severity
from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext, RenderError
from lessonc.outputs.anki.notes import NoteData, block, deck_name, lesson_notes
from lessonc.outputs.anki.notetypes import NoteTypeSpec, stable_id
from lessonc.outputs.anki.package import media_name, rewrite_image_sources, write_apkg

DECK_FILE = "deck.apkg"


class AnkiRenderer:
    """Writes ``deck.apkg`` with genanki."""

    name = "anki"

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterator[Artifact]:
        """One artifact: the lesson's deck as a reproducible .apkg."""
        sources, media = _bundle_media(lesson, ctx)
        notes = list(lesson_notes(lesson))
        _check_unique(notes, ctx)
        if not notes:
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

        name = deck_name(lesson)
        deck = genanki.Deck(stable_id("deck", name), name, block(lesson.summary.quick))
        models: dict[str, genanki.Model] = {}
        for position, note in enumerate(notes):
            deck.add_note(
                genanki.Note(
                    model=_model(models, note.note_type),
                    fields=[rewrite_image_sources(f, sources) for f in note.fields],
                    tags=list(note.tags),
                    guid=note.guid,
                    # New cards are shown in lesson order.
                    due=position,
                )
            )
        package = genanki.Package([deck])
        yield Artifact(DECK_FILE, write_apkg(package, media, ctx.options.source_date_epoch))


def _model(models: dict[str, genanki.Model], spec: NoteTypeSpec) -> genanki.Model:
    if spec.key not in models:
        models[spec.key] = spec.to_model()
    return models[spec.key]


def _bundle_media(lesson: Lesson, ctx: BuildContext) -> tuple[dict[str, str], dict[str, bytes]]:
    """Images the lesson's text shows: reference → bundled name, and bundled name → bytes."""
    files, problems = referenced_files(lesson, ctx.source)
    if problems:
        ctx.diagnostics.extend(problems)
        raise RenderError(f"{len(problems)} image reference(s) cannot be bundled")
    sources: dict[str, str] = {}
    media: dict[str, bytes] = {}
    for file in files:
        data = file.path.read_bytes()
        bundled = media_name(data, file.path.suffix)
        sources[file.reference] = bundled
        media[bundled] = data
    return sources, media


def _check_unique(notes: list[NoteData], ctx: BuildContext) -> None:
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
