"""The course deck: every lesson's notes in one ``course.apkg``.

Each lesson keeps the subdeck, note types and GUIDs of its own ``deck.apkg``
(``Course::N. Chapter::N.M Lesson``), so a learner who imports the course deck
and some lesson decks, in any order, gets each note once.
"""

from __future__ import annotations

from collections.abc import Sequence

from lessonc.course_outputs.summary import DeckPart

COURSE_DECK = "course.apkg"


def course_deck(parts: Sequence[DeckPart], timestamp: int) -> bytes:
    """The reproducible .apkg of all ``parts``, in course order."""
    import genanki

    from lessonc.outputs.anki.notetypes import stable_id
    from lessonc.outputs.anki.package import write_apkg

    models: dict[str, genanki.Model] = {}
    decks: list[genanki.Deck] = []
    media: dict[str, bytes] = {}
    for part in parts:
        deck = genanki.Deck(stable_id("deck", part.name), part.name, part.description)
        for position, note in enumerate(part.notes):
            spec = note.note_type
            if spec.key not in models:
                models[spec.key] = spec.to_model()
            deck.add_note(
                genanki.Note(
                    model=models[spec.key],
                    fields=list(note.fields),
                    tags=list(note.tags),
                    guid=note.guid,
                    due=position,
                )
            )
        decks.append(deck)
        media.update(part.media)
    return write_apkg(genanki.Package(decks), media, timestamp)
