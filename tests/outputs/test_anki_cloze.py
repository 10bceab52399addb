"""One Anki card per cloze gap, imported with the ``anki`` package: a gap's reviews are its
own, and an edited lesson re-imported keeps them (the note types did not change: their ids
are frozen by test_anki.py::test_note_type_ids_are_frozen)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from anki.collection import Collection  # first: anki's scheduler modules import it circularly
from anki.scheduler.v3 import CardAnswer
from anki.scheduler.v3 import Scheduler as V3Scheduler

from conftest import EXAMPLE, FIXTURES
from lessonc.model import ClozeCard
from lessonc.pipeline import load_lesson
from outputs.test_anki import EPOCH, AnkiCollection, anki, edit, render_deck

__all__ = ["anki"]  # the fixture, used by name below

EVERY_TYPE = FIXTURES / "exercises" / "every-type.yaml"


def _cards(collection: AnkiCollection, part: str, item: str) -> list[int]:
    """The note's card ids, by ordinal: card 1 is gap c1."""
    note = collection.note("every-type", part, item)
    return [card.id for card in sorted(note.cards(), key=lambda card: card.ord)]


def _review(collection: AnkiCollection, card_id: int) -> None:
    card = collection.col.get_card(card_id)
    scheduler = collection.col.sched
    assert isinstance(scheduler, V3Scheduler)
    states = collection.col._backend.get_scheduling_states(card.id)
    card.start_timer()
    scheduler.answer_card(scheduler.build_answer(card=card, states=states, rating=CardAnswer.GOOD))


def _state(collection: AnkiCollection, card_id: int) -> tuple[int, int, int, int]:
    col: Collection = collection.col
    card = col.get_card(card_id)
    return (card.type, card.queue, card.due, card.ivl)


@pytest.mark.anki
def test_each_gap_is_its_own_card_and_keeps_its_reviews(
    anki: AnkiCollection, tmp_path: Path
) -> None:
    lesson = tmp_path / "every-type.yaml"
    shutil.copy(EVERY_TYPE, lesson)
    counts = anki.import_deck(render_deck(lesson, EPOCH), tmp_path)
    assert counts["new"] == 10  # one note per flashcard and question

    three = _cards(anki, "flashcard", "three-gaps")
    assert len(three) == 3
    # fill_blanks and matching are cloze notes too: a card per gap, a card per pair.
    assert len(_cards(anki, "practice", "adaptation-gaps")) == 2
    assert len(_cards(anki, "practice", "match-developers")) == 4
    hinted = anki.col.get_card(three[2]).question()
    assert "a way without training" in hinted

    _review(anki, three[1])
    reviewed = _state(anki, three[1])
    history = anki.query("select id from revlog where cid = ?", three[1])
    assert len(history) == 1
    assert reviewed[0] != 0  # no longer new
    assert [anki.col.get_card(c).type for c in (three[0], three[2])] == [0, 0]

    edit(lesson, "{{c1::pre-trained}}, then", "{{c1::pre-trained}} on massive data, then")
    later = anki.import_deck(render_deck(lesson, EPOCH + 3600), tmp_path)
    assert (later["new"], later["conflicting"], later["missing_notetype"]) == (0, 0, 0)
    assert later["updated"] == 10  # a newer build: every note is newer, none is added
    assert anki.col.note_count() == 10
    assert _cards(anki, "flashcard", "three-gaps") == three
    assert "on massive data" in anki.note("every-type", "flashcard", "three-gaps")["Text"]
    assert _state(anki, three[1]) == reviewed
    assert anki.query("select id from revlog where cid = ?", three[1]) == history
    assert [anki.col.get_card(c).type for c in (three[0], three[2])] == [0, 0]


OLD_DECK = FIXTURES / "anki" / "example-before-exercises.apkg"
"""The example's deck as lessonc built it before the exercise types (commit 21431cf,
SOURCE_DATE_EPOCH=1700000000): 46 notes, 15 of them practice questions."""


@pytest.mark.anki
def test_a_deck_built_before_the_exercise_types_keeps_its_reviews(
    anki: AnkiCollection, tmp_path: Path
) -> None:
    old = anki.import_deck(OLD_DECK.read_bytes(), tmp_path)
    assert old["new"] == 46
    lesson = load_lesson(EXAMPLE).lesson
    [card] = [c for c in lesson.flashcards if isinstance(c, ClozeCard) and "{{c2::" in c.cloze][:1]
    note = anki.note(lesson.id, "flashcard", card.key)
    cards = [c.id for c in sorted(note.cards(), key=lambda c: c.ord)]
    _review(anki, cards[1])
    reviewed = _state(anki, cards[1])
    history = anki.query("select id from revlog where cid = ?", cards[1])

    new = anki.import_deck(render_deck(EXAMPLE, EPOCH + 3600), tmp_path)
    # The five new questions are added; every old note is updated in place, none doubled.
    assert (new["new"], new["conflicting"], new["missing_notetype"]) == (5, 0, 0)
    assert new["updated"] == 46
    assert anki.col.note_count() == 51
    assert [c.id for c in sorted(anki.note(lesson.id, "flashcard", card.key).cards(),
                                 key=lambda c: c.ord)] == cards  # fmt: skip
    assert _state(anki, cards[1]) == reviewed
    assert anki.query("select id from revlog where cid = ?", cards[1]) == history
    assert anki.col.get_card(cards[0]).type == 0
    ours = [m.name for m in anki.col.models.all_names_and_ids() if m.name.startswith("lessonc")]
    assert len(ours) == len(set(ours))  # no second copy of a note type
