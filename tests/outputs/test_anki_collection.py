"""The bulk collection writer: the rows genanki would write, and a collection Anki accepts."""

from __future__ import annotations

import itertools
import json
import sqlite3
from pathlib import Path
from typing import Any

import genanki
import pytest

from lessonc.course.outputs.deck import course_deck
from lessonc.course.outputs.summary import DeckPart
from lessonc.outputs import BuildOptions
from lessonc.outputs.anki import LessonDeck, lesson_deck
from lessonc.outputs.anki.collection import Subdeck, prepare, write_collection
from lessonc.outputs.anki.notes import NoteData
from lessonc.outputs.anki.notetypes import (
    BASIC,
    CLOZE,
    GLOSSARY,
    MEMORY_AID,
    NOTE_TYPES,
    PRACTICE,
    stable_id,
)
from lessonc.pipeline import load_lesson, render
from outputs.anki_support import fresh_collection, import_package

ROOT = Path(__file__).resolve().parents[2]
LESSONS = (
    ROOT / "content" / "foundation-models.yaml",
    ROOT / "tests" / "fixtures" / "anki" / "lesson.yaml",
)
EPOCH = 1_700_000_000
EDGE_DECK = "Edge Cases::1. Cards::1.1 Optional fields"


def lesson_decks() -> list[LessonDeck]:
    """The decks of the example and the fixture lesson, as their builds make them."""
    decks = []
    for source in LESSONS:
        loaded = load_lesson(source)
        deck, problems = lesson_deck(loaded.lesson, loaded.source)
        assert deck is not None, problems
        decks.append(deck)
    return decks


def lesson_parts(decks: list[LessonDeck] | None = None) -> list[DeckPart]:
    """The course-deck parts of those lessons, as a course build makes them."""
    return [DeckPart(deck.prepared, deck.media) for deck in decks or lesson_decks()]


def edge_notes() -> tuple[NoteData, ...]:
    """Notes whose empty fields and cloze numbers decide which cards they get."""

    def note(spec: Any, key: str, *fields: str) -> NoteData:
        return NoteData(spec, f"edge-{key}", fields, ("edge", f"part::{key}"), ())

    return (
        note(BASIC, "basic", "42", "a number as the sort field"),
        note(CLOZE, "cloze-gaps", "{{c3::a}} {{c1::b}} {{c3::c}} {{c0::zero}}", ""),
        note(CLOZE, "cloze-none", "no deletion at all", "extra"),
        note(CLOZE, "cloze-multiline", "{{c2::one\nline}} and {{c12::more}}", ""),
        note(GLOSSARY, "glossary-no-definition", "Term", "", ""),
        note(GLOSSARY, "glossary-no-term", "", "Definition only", "alias"),
        note(MEMORY_AID, "aid-kind-only", "", "answer", "", "Rhyme"),
        note(PRACTICE, "practice-choices-only", "", "", "<ol><li>A</li></ol>", "", "", ""),
    )


def all_subdecks() -> list[Subdeck]:
    """Both lessons, the first again under another name (note types shared across decks), edges."""
    first, second = (deck.subdeck for deck in lesson_decks())
    renamed = [
        Subdeck(first.name, first.description, first.notes),
        Subdeck(second.name, second.description, second.notes),
        Subdeck(f"{first.name} (again)", "", first.notes[:5]),
    ]
    return [*renamed, Subdeck(EDGE_DECK, "<p>edge</p>", edge_notes())]


def lesson_package(source: Path) -> bytes:
    """A lesson's own deck.apkg, as a build writes it."""
    loaded = load_lesson(source)
    artifacts, problems = render(loaded, ("anki",), BuildOptions(EPOCH))
    [(_, artifact)] = artifacts
    assert not problems
    data: bytes = artifact.data
    return data


def genanki_collection(subdecks: list[Subdeck], timestamp: int) -> bytes:
    """The same decks written the way genanki writes them, note by note: the reference."""
    models = {spec.key: spec.to_model() for spec in NOTE_TYPES}
    decks = []
    for subdeck in subdecks:
        deck = genanki.Deck(stable_id("deck", subdeck.name), subdeck.name, subdeck.description)
        for due, note in enumerate(subdeck.notes):
            deck.add_note(
                genanki.Note(
                    model=models[note.note_type.key],
                    fields=list(note.fields),
                    tags=list(note.tags),
                    guid=note.guid,
                    due=due,
                )
            )
        decks.append(deck)
    connection = sqlite3.connect(":memory:")
    try:
        genanki.Package(decks).write_to_db(
            connection.cursor(), timestamp, itertools.count(timestamp * 1000)
        )
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


def contents(database: bytes) -> dict[str, Any]:
    """Every row of every table, with the ``col`` JSON parsed, and the schema."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(database)
        found: dict[str, Any] = {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
            for table in ("notes", "cards", "revlog", "graves")
        }
        # Column types too: SQLite's affinity turns a numeric sort field into an integer.
        found["sfld types"] = connection.execute("SELECT typeof(sfld) FROM notes").fetchall()
        found["col"] = [
            json.loads(value) if isinstance(value, str) else value
            for value in connection.execute("SELECT * FROM col").fetchone()
        ]
        found["schema"] = connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name"
        ).fetchall()
        return found
    finally:
        connection.close()


def test_bulk_rows_are_the_rows_genanki_writes() -> None:
    subdecks = all_subdecks()
    ours = contents(write_collection([prepare(s) for s in subdecks], EPOCH))
    reference = contents(genanki_collection(subdecks, EPOCH))
    for key in reference:
        assert ours[key] == reference[key], key
    # Key order of the JSON as well: genanki's is the order of first use.
    assert list(ours["col"][9]) == list(reference["col"][9])
    assert list(ours["col"][10]) == list(reference["col"][10])


def test_a_lessons_rows_are_prepared_once() -> None:
    # For its own deck and again for its part of the course deck, by the worker that built it.
    decks = lesson_decks()
    assert decks[0].prepared is decks[0].prepared


def test_card_ordinals_follow_empty_fields_and_cloze_numbers() -> None:
    ours = contents(write_collection([prepare(Subdeck(EDGE_DECK, "", edge_notes()))], EPOCH))
    guid_of = {row[0]: row[1] for row in ours["notes"]}
    cards: dict[str, list[int]] = {}
    for card in ours["cards"]:
        cards.setdefault(guid_of[card[1]], []).append(card[3])
    assert cards == {
        "edge-basic": [0],
        "edge-cloze-gaps": [0, 2],
        # no card for "edge-cloze-none": genanki writes none
        "edge-cloze-multiline": [1, 11],
        "edge-glossary-no-definition": [0],
        "edge-glossary-no-term": [1],
        "edge-aid-kind-only": [0],
        "edge-practice-choices-only": [0],
    }
    # Ids count up from the timestamp: a note, then its cards.
    ids = sorted([row[0] for row in ours["notes"]] + [row[0] for row in ours["cards"]])
    assert ids == list(range(EPOCH * 1000, EPOCH * 1000 + len(ids)))


def test_same_timestamp_same_bytes() -> None:
    parts = lesson_parts()
    assert course_deck(parts, EPOCH) == course_deck(parts, EPOCH) != course_deck(parts, EPOCH + 1)


@pytest.mark.anki
def test_course_and_lesson_decks_in_one_collection_pass_anki_checks(tmp_path: Path) -> None:
    decks = lesson_decks()
    parts = lesson_parts(decks)
    course_apkg, lesson_apkg = tmp_path / "course.apkg", tmp_path / "lesson.apkg"
    course_apkg.write_bytes(course_deck(parts, EPOCH))
    lesson_apkg.write_bytes(lesson_package(LESSONS[1]))
    with fresh_collection(tmp_path) as collection:
        notes = [note for deck in decks for note in deck.subdeck.notes]
        course = import_package(collection, course_apkg, ("new", "duplicate"))
        assert course == {"new": len(notes), "duplicate": 0}
        lesson = import_package(collection, lesson_apkg, ("new", "duplicate"))
        assert lesson == {"new": 0, "duplicate": len(decks[1].subdeck.notes)}
        assert collection.note_count() == len(notes)

        db = collection.db
        assert db is not None
        for note in notes:
            [note_id] = db.list("SELECT id FROM notes WHERE guid = ?", note.guid)
            stored = collection.get_note(note_id)
            assert tuple(stored.fields) == note.fields
            assert sorted(stored.tags) == sorted(note.tags)  # Anki keeps tags sorted
            note_type = stored.note_type()
            assert note_type is not None
            assert (note_type["id"], note_type["name"]) == (
                note.note_type.model_id,
                note.note_type.name,
            )
        # Each card sits in its lesson's deck, in lesson order.
        for deck in decks:
            deck_id = collection.decks.id_for_name(deck.subdeck.name)
            assert deck_id is not None
            guids = db.list(
                "SELECT n.guid FROM cards c JOIN notes n ON n.id = c.nid "
                "WHERE c.did = ? ORDER BY c.due, c.ord",
                deck_id,
            )
            assert list(dict.fromkeys(guids)) == [n.guid for n in deck.subdeck.notes]
        for note in (n for n in notes if n.note_type == GLOSSARY):
            ordinals = db.list(
                "SELECT c.ord FROM cards c JOIN notes n ON n.id = c.nid "
                "WHERE n.guid = ? ORDER BY c.ord",
                note.guid,
            )
            assert ordinals == [0, 1]
        assert len(collection.find_cards("")) == collection.card_count()
        assert len(collection.find_notes("tag:lesson::anki-fixture")) == len(decks[1].subdeck.notes)
        # Anki's own "Check Database": nothing to repair.
        problems, ok = collection.fix_integrity()
        assert ok, problems
        ours = [
            m.name for m in collection.models.all_names_and_ids() if m.name.startswith("lessonc")
        ]
        assert sorted(ours) == sorted(spec.name for spec in NOTE_TYPES)
