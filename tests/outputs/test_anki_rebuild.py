"""A rebuilt deck and Anki's rule that only a newer note updates: edits are never lost unsaid."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# anki.collection first: anki's own modules import each other in a cycle that starts there.
from anki.collection import Collection

from lessonc.anki_updates import follow
from lessonc.course.build_run import build
from lessonc.outputs import BuildOptions
from lessonc.outputs.anki.notes import note_guid
from lessonc.pipeline import BuildReport
from outputs.anki_support import fresh_collection, import_package

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "anki"
EPOCH = 1_700_000_000
ID_LINE = 5
"""The line of ``id: anki-fixture`` in the fixture lesson."""
PARIS = note_guid("anki-fixture", "flashcard", "capital-of-france")
KINDS = ("new", "updated", "duplicate")
"""The import counts compared here: notes added, updated, and left as they were."""


@pytest.fixture
def lesson(tmp_path: Path) -> Path:
    folder = tmp_path / "lesson"
    shutil.copytree(FIXTURE, folder)
    return folder / "lesson.yaml"


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    with fresh_collection(tmp_path) as col:
        yield col


def paris_back(col: Collection) -> str:
    assert col.db is not None
    [note_id] = col.db.list("select id from notes where guid = ?", PARIS)
    back: str = col.get_note(note_id)["Back"]
    return back


def build_deck(lesson: Path, out: Path, epoch: int) -> BuildReport:
    report = build([lesson], out, ["anki"], BuildOptions(epoch), force=True)
    assert report.ok, report.all_diagnostics
    return report


def codes(report: BuildReport) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in report.all_diagnostics]


@pytest.mark.anki
def test_an_edit_under_the_same_stamp_warns_and_a_later_stamp_updates(
    lesson: Path, collection: Collection, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    deck = out / "anki-fixture" / "deck.apkg"
    assert codes(build_deck(lesson, out, EPOCH)) == []
    assert import_package(collection, deck, KINDS) == {"new": 14, "updated": 0, "duplicate": 0}

    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace('back: "Paris. ', 'back: "Paris, on the Seine. '), "utf-8")
    report = build_deck(lesson, out, EPOCH)
    assert codes(report) == [("anki-stale-timestamp", ID_LINE)]
    [warning] = report.all_diagnostics
    assert "1 Anki note(s) changed" in warning.message
    assert warning.hint is not None and "git log -1 --format=%ct" in warning.hint
    # What the warning is about: Anki takes the same stamp for an up-to-date copy.
    assert import_package(collection, deck, KINDS) == {"new": 0, "updated": 0, "duplicate": 14}
    assert paris_back(collection).startswith("<p>Paris. ")
    # Built again under that stamp, the deck still cannot carry the edit: still a warning.
    assert codes(build_deck(lesson, out, EPOCH)) == [("anki-stale-timestamp", ID_LINE)]

    assert codes(build_deck(lesson, out, EPOCH + 60)) == []
    assert import_package(collection, deck, KINDS)["updated"] == 14
    assert paris_back(collection).startswith("<p>Paris, on the Seine. ")
    manifest = json.loads((out / "anki-fixture" / "manifest.json").read_text(encoding="utf-8"))
    [entry] = manifest["outputs"]
    assert entry["anki"]["timestamp"] == EPOCH + 60 and "stale" not in entry["anki"]
    assert len(entry["anki"]["notes"]) == 14


@pytest.mark.anki
def test_an_unchanged_deck_under_the_same_stamp_does_not_warn(lesson: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_deck(lesson, out, EPOCH)
    # Another format's edit: the deck's notes are the same, so nothing is lost.
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("estimated_minutes:", "estimated_minutes: 11 #", 1), "utf-8")
    assert codes(build_deck(lesson, out, EPOCH)) == []


def test_stale_notes_are_those_changed_without_a_newer_stamp() -> None:
    first = {"timestamp": 10, "notes": {"a": "1", "b": "2"}}
    assert follow(None, first) == (first, 0)
    assert follow(first, {"timestamp": 10, "notes": {"a": "1", "b": "2", "c": "3"}})[1] == 0
    edited = {"timestamp": 10, "notes": {"a": "1", "b": "9"}}
    record, stale = follow(first, edited)
    assert (stale, record["stale"]) == (1, {"b": 10})
    assert follow(record, {"timestamp": 10, "notes": {"a": "1", "b": "9"}})[1] == 1
    assert follow(record, {"timestamp": 11, "notes": {"a": "1", "b": "9"}}) == (
        {"timestamp": 11, "notes": {"a": "1", "b": "9"}},
        0,
    )
    assert follow(first, {"timestamp": 9, "notes": {"a": "5", "b": "2"}})[1] == 1  # went back
    assert follow({"timestamp": "x"}, edited) == (edited, 0)  # a manifest of another shape
