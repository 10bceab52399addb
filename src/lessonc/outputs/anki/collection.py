"""The collection database inside an .apkg, written in bulk: one place that writes notes.

genanki writes a package one ``execute`` per note and per card, rewrites the
whole deck and note-type JSON once per deck, and builds its note types again
for every package; for a course of hundreds of lessons that dominated the
build. This module writes the same rows in a few ``executemany`` calls into
an in-memory database, with genanki's own schema and ``col`` row, and takes
from genanki only what is costly to get right by hand and the same for every
package: a note type's JSON and which of its templates make a card (computed
once per note type, see :func:`note_type_record`).

Every column holds what genanki's ``Note.write_to_db``, ``Card.write_to_db``,
``Deck.write_to_db`` and ``Package.write_to_db`` would write for the same
notes, decks and timestamp, and note and card ids count up from
``timestamp * 1000`` in the same order (a note, then its cards); the tests
compare both writers on the example lessons.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from lessonc.outputs.anki.notes import FIELD_SEPARATOR, NoteData
from lessonc.outputs.anki.notetypes import NoteTypeSpec, stable_id

_CLOZE_NUMBER = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)
# How genanki finds the fields a cloze template deletes from: {{cloze:Text}} or <%cloze:Text%>.
_CLOZE_FIELD_REFERENCES = (
    re.compile(r"{{[^}]*?cloze:(?:[^}]?:)*(.+?)}}"),
    re.compile(r"<%cloze:(.+?)%>"),
)
_UNSYNCED = -1
"""The update sequence number genanki gives every row: 'not yet synced'."""
_NEW = 0
"""A card's type and queue when it has never been studied (and is not suspended)."""
_NEVER_STUDIED = (0, 0, 0, 0, 0, 0, 0, 0, "")
"""A new card's last columns: ivl, factor, reps, lapses, left, odue, odid, flags, data."""


@dataclass(frozen=True)
class Subdeck:
    """One deck of a package: its name, its description (HTML) and its notes in study order."""

    name: str
    description: str
    notes: Sequence[NoteData]


PreparedNote = tuple[str, int, str, str, str, tuple[int, ...]]
"""A note's row without its id and stamp: guid, note type id, tags text (spaces around),
fields joined, sort field, and the ordinals of its cards. Plain tuples: a course deck
unpickles tens of thousands of them from its lessons' workers."""


@dataclass(frozen=True)
class PreparedSubdeck:
    """A subdeck's notes as rows, less what only the package decides (ids, stamp, order).

    Made once per lesson (:func:`prepare`), for its own deck and again, unchanged, for
    the course deck: the course deck's process then only numbers the rows.
    """

    name: str
    description: str
    note_types: tuple[NoteTypeSpec, ...]
    """Each note type once, in order of first use, as the last note that used it names it."""
    notes: tuple[PreparedNote, ...]


@dataclass(frozen=True)
class CardRule:
    """A front/back template makes a card when all (or any) of these fields are non-empty."""

    ordinal: int
    needs_all: bool
    field_indexes: tuple[int, ...]


@dataclass(frozen=True)
class NoteTypeRecord:
    """What writing a note of one type needs, derived once from its spec through genanki."""

    model_id: int
    field_count: int
    json_text: str
    """genanki's note-type JSON; ``mod`` and ``did`` are filled in per package."""
    card_rules: tuple[CardRule, ...]
    """Front/back note types: which templates make a card."""
    cloze_field_indexes: tuple[int, ...]
    """Cloze note types: the fields whose ``{{cN::…}}`` deletions make the cards."""
    cloze: bool

    def card_ordinals(self, fields: Sequence[str]) -> list[int]:
        """The ordinals of the cards a note with ``fields`` gets, in ascending order."""
        if self.cloze:
            # As genanki: one card per distinct deletion number N >= 1 (ordinal N-1); a cloze
            # note without any deletion gets no card at all. (genanki takes them in its set's
            # order, which is ascending for the numbers 1 to 8 that lessons use.)
            numbers = {
                int(number)
                for index in self.cloze_field_indexes
                for number in _CLOZE_NUMBER.findall(fields[index])
            }
            return sorted(number - 1 for number in numbers if number > 0)
        ordinals = []
        for rule in self.card_rules:
            filled = (fields[index] != "" for index in rule.field_indexes)
            if all(filled) if rule.needs_all else any(filled):
                ordinals.append(rule.ordinal)
        return ordinals

    def stamped_json(self, timestamp: int, deck_id: int) -> str:
        """The note type's JSON text as ``col.models`` holds it, stamped for this package:
        what ``json.dumps`` writes of it, without parsing and writing its templates again."""
        return (
            _with_slots(self.json_text)
            .replace(_MOD_SLOT, str(timestamp), 1)
            .replace(_DID_SLOT, str(deck_id), 1)
        )


_MOD_SLOT, _DID_SLOT = "-7302118465390241", "-7302118465390242"
"""Numbers no note type holds, written where ``mod`` and ``did`` go, then replaced."""


@functools.lru_cache(maxsize=64)
def _with_slots(json_text: str) -> str:
    data: dict[str, Any] = json.loads(json_text)
    data["mod"], data["did"] = int(_MOD_SLOT), int(_DID_SLOT)
    text = json.dumps(data)
    if text.count(_MOD_SLOT) != 1 or text.count(_DID_SLOT) != 1:
        raise ValueError("a note type's JSON holds lessonc's slot numbers")
    return text


@functools.cache
def note_type_record(spec: NoteTypeSpec) -> NoteTypeRecord:
    """The spec's genanki model, reduced once to the immutable parts every package reuses."""
    model = spec.to_model()
    field_names = [field["name"] for field in model.fields]
    front = model.templates[0]["qfmt"]
    cloze_names = {name for pattern in _CLOZE_FIELD_REFERENCES for name in pattern.findall(front)}
    return NoteTypeRecord(
        model_id=spec.model_id,
        field_count=len(spec.fields),
        # genanki computes 'req' and fills defaults (ords, fonts, sizes) while building the JSON.
        json_text=json.dumps(model.to_json(0, None)),
        card_rules=tuple(
            CardRule(ordinal, mode == "all", tuple(indexes))
            for ordinal, mode, indexes in model._req
        ),
        cloze_field_indexes=tuple(i for i, name in enumerate(field_names) if name in cloze_names),
        cloze=spec.cloze,
    )


def prepare(subdeck: Subdeck) -> PreparedSubdeck:
    """The subdeck's notes as rows; raises ValueError for a note Anki would misread."""
    # Looked up by the spec object's identity: hashing a spec's nested tuples for every note
    # cost more than writing its row. The subdeck keeps every spec alive meanwhile, so no id
    # is reused.
    records: dict[int, NoteTypeRecord] = {}
    note_types: dict[int, NoteTypeSpec] = {}
    notes: list[PreparedNote] = []
    for note in subdeck.notes:
        spec = note.note_type
        record = records.get(id(spec))
        if record is None:
            record = records[id(spec)] = note_type_record(spec)
        note_types[record.model_id] = spec
        fields = note.fields
        _check_note(note, record)
        notes.append(
            (note.guid, record.model_id, f" {' '.join(note.tags)} ",
             FIELD_SEPARATOR.join(fields), fields[0],  # sfld: the sort field is the first
             tuple(record.card_ordinals(fields)))
        )  # fmt: skip
    return PreparedSubdeck(
        subdeck.name, subdeck.description, tuple(note_types.values()), tuple(notes)
    )


def write_collection(subdecks: Sequence[PreparedSubdeck], timestamp: int) -> bytes:
    """The ``collection.anki2`` bytes holding ``subdecks``, all stamped with ``timestamp``."""
    rows = _Rows(timestamp)
    for subdeck in subdecks:
        rows.add(subdeck)
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(_empty_collection())
        decks_text, models_text = connection.execute("SELECT decks, models FROM col").fetchone()
        decks = json.loads(decks_text) | rows.decks
        connection.execute(
            "UPDATE col SET decks = ?, models = ?",
            (json.dumps(decks), rows.models_json(models_text)),
        )
        insert_note, insert_card = _insert_statements(timestamp)
        connection.executemany(insert_note, rows.notes)
        connection.executemany(insert_card, rows.cards)
        # Indexes built over the full tables: faster than growing them row by row.
        connection.executescript(_INDEXES)
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


@functools.cache
def _empty_collection() -> bytes:
    """genanki's tables (without their indexes) and its ``col`` row, made once per process."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(_TABLES)
        connection.executescript(APKG_COL)
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


def _split_schema(schema: str) -> tuple[str, str]:
    """genanki's schema script as its CREATE TABLE statements and its CREATE INDEX statements."""
    statements = [s.strip() for s in schema.split(";") if s.strip()]
    tables = [s for s in statements if not s.upper().startswith("CREATE INDEX")]
    indexes = [s for s in statements if s.upper().startswith("CREATE INDEX")]
    return ";\n".join(tables) + ";", ";\n".join(indexes) + ";"


_TABLES, _INDEXES = _split_schema(APKG_SCHEMA)


def _insert_statements(timestamp: int) -> tuple[str, str]:
    """The INSERT statements of a package's notes and cards, with the columns all its rows
    share written in: each row then carries only its own values (a course deck has tens of
    thousands of rows, and building each one whole was a tenth of writing its database)."""
    stamp = f"{int(timestamp)}, {_UNSYNCED}"  # mod, usn
    note = f"INSERT INTO notes VALUES(?, ?, ?, {stamp}, ?, ?, ?, 0, 0, '')"  # csum, flags, data
    never_studied = ", ".join(repr(value) for value in _NEVER_STUDIED)
    # type and queue: new; due: the card's place among its deck's new cards
    card = f"INSERT INTO cards VALUES(?, ?, ?, ?, {stamp}, {_NEW}, {_NEW}, ?, {never_studied})"
    return note, card


class _Rows:
    """The rows of a package's notes and cards, and its deck and note-type JSON, as genanki's.

    A row holds only what differs between rows: id, guid, note type, tags, fields and sort
    field for a note; id, note, deck, ordinal and due for a card. The rest is the same for
    every row of the package (see :func:`_insert_statements`)."""

    def __init__(self, timestamp: int) -> None:
        self.timestamp = timestamp
        # Note and card ids count up from the timestamp in milliseconds, as genanki does.
        self._ids = itertools.count(timestamp * 1000)
        self.notes: list[tuple[object, ...]] = []
        self.cards: list[tuple[object, ...]] = []
        self.decks: dict[str, Any] = {}
        # Each note type once, in order of first use, with the last deck that used it: genanki
        # rewrites a note type's JSON, 'did' included, for every deck with a note of that type.
        self._note_types: dict[str, tuple[NoteTypeRecord, int]] = {}

    def add(self, subdeck: PreparedSubdeck) -> None:
        deck_id = stable_id("deck", subdeck.name)
        self.decks[str(deck_id)] = _deck_json(deck_id, subdeck.name, subdeck.description)
        for spec in subdeck.note_types:
            record = note_type_record(spec)
            self._note_types[str(record.model_id)] = (record, deck_id)
        ids, cards = self._ids, self.cards
        for due, (guid, model_id, tags, fields, sort_field, ordinals) in enumerate(subdeck.notes):
            note_id = next(ids)
            self.notes.append((note_id, guid, model_id, tags, fields, sort_field))
            for ordinal in ordinals:
                cards.append((next(ids), note_id, deck_id, ordinal, due))

    def models_json(self, empty_models: str) -> str:
        """``col.models``: the empty collection's (none), then the package's note types."""
        if json.loads(empty_models):
            raise ValueError("the empty collection holds note types")
        # As json.dumps writes the dict of them: its separators, its key quoting.
        entries = (
            f"{json.dumps(key)}: {record.stamped_json(self.timestamp, deck_id)}"
            for key, (record, deck_id) in self._note_types.items()
        )
        return "{" + ", ".join(entries) + "}"


def _deck_json(deck_id: int, name: str, description: str) -> dict[str, Any]:
    deck_json: dict[str, Any] = genanki.Deck(deck_id, name, description).to_json()
    return deck_json


def _check_note(note: NoteData, record: NoteTypeRecord) -> None:
    if len(note.fields) != record.field_count:
        raise ValueError(
            f"note {note.guid} has {len(note.fields)} fields, its note type "
            f"{note.note_type.name!r} {record.field_count}"
        )
    if " " in "".join(note.tags):
        raise ValueError(f"note {note.guid} has a tag with a space (Anki splits tags on spaces)")
