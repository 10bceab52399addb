"""The course deck: every lesson's notes in one ``course.apkg``.

Each lesson keeps the subdeck, note types and GUIDs of its own ``deck.apkg``
(``Course::N. Chapter::N.M Lesson``), so a learner who imports the course deck
and some lesson decks, in any order, gets each note once.
"""

from __future__ import annotations

from collections.abc import Sequence

from lessonc.course.outputs import COURSE_DECK
from lessonc.course.outputs.summary import DeckPart

__all__ = ["COURSE_DECK", "course_deck"]


def course_deck(parts: Sequence[DeckPart], timestamp: int) -> bytes:
    """The reproducible .apkg of all ``parts``, in course order."""
    from lessonc.outputs.anki.collection import Subdeck
    from lessonc.outputs.anki.package import write_apkg

    media: dict[str, bytes] = {}
    for part in parts:
        media.update(part.media)
    subdecks = [Subdeck(part.name, part.description, part.notes) for part in parts]
    return write_apkg(subdecks, media, timestamp)
