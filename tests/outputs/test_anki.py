"""The Anki deck, checked on its bytes and with Anki's own backend: import, review, re-import."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# anki.collection first: anki's own modules import each other in a cycle that starts there.
from anki.collection import Collection
from anki.notes import Note
from anki.scheduler.v3 import CardAnswer
from anki.scheduler.v3 import Scheduler as V3Scheduler
from hypothesis import given, settings
from hypothesis import strategies as st

from lessonc import markup
from lessonc.course.build_run import build
from lessonc.model import ClozeCard, FillBlanks, Lesson, Matching
from lessonc.outputs import BuildContext, BuildOptions
from lessonc.outputs.anki import RENDERER
from lessonc.outputs.anki.notes import block, clean, deck_name, lesson_tags, note_guid
from lessonc.outputs.anki.notetypes import NOTE_TYPES, stable_id
from lessonc.pipeline import InvalidLesson, load_lesson
from outputs.anki_support import fresh_collection, import_package

if TYPE_CHECKING:
    from anki.cards import Card

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "anki"
EXAMPLE = Path(__file__).resolve().parents[2] / "content" / "foundation-models.yaml"
EPOCH = 1_700_000_000
FIXTURE_DECK = "Geography: The Basics::3. Europe : Countries & Cities::3.2 Capitals of Europe"


def render_deck(source: Path, epoch: int = EPOCH) -> bytes:
    """The deck.apkg bytes for one lesson source."""
    loaded = load_lesson(source)
    ctx = BuildContext(source=loaded.source, options=BuildOptions(source_date_epoch=epoch))
    [artifact] = RENDERER.render(loaded.lesson, ctx)
    assert artifact.path == "deck.apkg"
    data: bytes = artifact.data
    return data


@pytest.fixture
def lesson_copy(tmp_path: Path) -> Path:
    """A copy of the fixture lesson (with its images) that a test may edit."""
    folder = tmp_path / "lesson"
    shutil.copytree(FIXTURE, folder)
    return folder / "lesson.yaml"


def edit(source: Path, old: str, new: str) -> None:
    text = source.read_text(encoding="utf-8")
    assert old in text
    source.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- identity and reproducibility (no Anki needed) --------------------------------------


def test_note_type_ids_are_frozen() -> None:
    # These numbers are in learners' collections: a change here orphans their notes.
    assert {spec.name: spec.model_id for spec in NOTE_TYPES} == {
        "lessonc Basic": 8332813957565656,
        "lessonc Cloze": 7127276574592605,
        "lessonc Glossary": 5512811304459085,
        "lessonc Key Concept": 6610170407966241,
        "lessonc Memory Aid": 5043123530856063,
        "lessonc Practice Question": 8499424284019108,
    }
    assert {spec.name: [f.name for f in spec.fields] for spec in NOTE_TYPES} == {
        "lessonc Basic": ["Front", "Back"],
        "lessonc Cloze": ["Text", "Extra"],
        "lessonc Glossary": ["Term", "Definition", "Aliases"],
        "lessonc Key Concept": ["Concept", "Explanation"],
        "lessonc Memory Aid": ["Cue", "Answer", "Notes", "Kind"],
        "lessonc Practice Question": [
            "Question", "Instructions", "Choices", "Answer", "Explanation", "Feedback",
        ],
    }  # fmt: skip
    assert {spec.name: [t.name for t in spec.templates] for spec in NOTE_TYPES} == {
        "lessonc Basic": ["Card"],
        "lessonc Cloze": ["Cloze"],
        "lessonc Glossary": ["Term → Definition", "Definition → Term"],
        "lessonc Key Concept": ["Concept"],
        "lessonc Memory Aid": ["Recall"],
        "lessonc Practice Question": ["Question"],
    }


def test_field_and_template_ids_are_distinct_and_stable() -> None:
    ids = [spec.model_id for spec in NOTE_TYPES]
    ids += [spec.field_id(f) for spec in NOTE_TYPES for f in spec.fields]
    ids += [spec.template_id(t) for spec in NOTE_TYPES for t in spec.templates]
    assert len(set(ids)) == len(ids)
    assert all(1 << 52 <= i < 1 << 53 for i in ids)
    assert stable_id("deck", "A::B") == stable_id("deck", "A::B") != stable_id("deck", "A::C")


def test_guid_depends_on_lesson_part_and_id_only() -> None:
    guid = note_guid("lesson", "flashcard", "item")
    assert guid == note_guid("lesson", "flashcard", "item")
    assert (
        len(
            {guid, note_guid("lesson", "glossary", "item"), note_guid("other", "flashcard", "item")}
        )
        == 3
    )


def test_deck_name_and_tags() -> None:
    lesson = load_lesson(FIXTURE / "lesson.yaml").lesson
    # The chapter title's '::' would otherwise open another subdeck level.
    assert deck_name(lesson) == FIXTURE_DECK
    tags = lesson_tags(lesson)
    assert tags == (
        "course::geography-the-basics",
        "chapter::3-europe-countries-cities",
        "lesson::anki-fixture",
        "geography",
    )
    assert not any(c.isspace() for tag in tags for c in tag)


def test_same_epoch_gives_identical_bytes() -> None:
    first = render_deck(FIXTURE / "lesson.yaml")
    assert render_deck(FIXTURE / "lesson.yaml") == first
    assert render_deck(FIXTURE / "lesson.yaml", EPOCH + 1) != first


def test_package_layout_is_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    data = render_deck(FIXTURE / "lesson.yaml")
    assert list(scratch.iterdir()) == []  # the database's temporary folder is gone
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names) == ["0", "1", "collection.anki2", "media"]
        assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
        media = archive.read("media").decode()
        # Two files named dot.png with different content: two names, both from the content.
        assert re.fullmatch(
            r'\{"0":"lessonc-[0-9a-f]{20}\.png","1":"lessonc-[0-9a-f]{20}\.png"\}', media
        )


def test_image_outside_the_lesson_folder_is_a_located_error(lesson_copy: Path) -> None:
    edit(lesson_copy, "images/blue/dot.png", "../../secret.png")
    lines = lesson_copy.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "secret.png" in text)
    with pytest.raises(InvalidLesson) as caught:  # checked in validation, before any deck
        load_lesson(lesson_copy)
    [problem] = caught.value.diagnostics
    assert (problem.code, problem.line) == ("file-outside", line)
    assert problem.col == lines[line - 1].index("../../secret.png") + 1


def test_two_items_with_one_identity_are_a_located_error(lesson_copy: Path) -> None:
    rhyme = '  - kind: rhyme\n    text: "Paris in France, Berlin to dance."\n'
    edit(lesson_copy, rhyme, rhyme + rhyme)
    with pytest.raises(InvalidLesson) as caught:
        load_lesson(lesson_copy)
    assert [d.code for d in caught.value.diagnostics] == ["duplicate-id"]


def test_a_lesson_without_study_items_warns(lesson_copy: Path) -> None:
    text = lesson_copy.read_text(encoding="utf-8")
    lesson_copy.write_text(text[: text.index("flashcards:")], encoding="utf-8")
    loaded = load_lesson(lesson_copy)
    ctx = BuildContext(source=loaded.source, options=BuildOptions(source_date_epoch=EPOCH))
    [artifact] = RENDERER.render(loaded.lesson, ctx)
    assert [(d.code, d.is_error) for d in ctx.diagnostics] == [("anki-empty", False)]
    with zipfile.ZipFile(io.BytesIO(artifact.data)) as archive:
        assert archive.namelist() == ["collection.anki2", "media"]


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_any_text_becomes_an_inert_field(text: str) -> None:
    html = block(text)
    assert "\x1f" not in html
    assert "[sound:" not in html.lower()
    assert not active_html(html)


def test_clean_removes_separator_and_media_tags() -> None:
    assert clean("a\x1fb [sound:x.mp3] [anki:tts]t[/anki:tts]") == (
        "ab &#91;sound:x.mp3] &#91;anki:tts]t[/anki:tts]"
    )


# --- Anki's own backend --------------------------------------------------------------------


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "style"):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or "javascript:" in (value or "").lower():
                self.problems.append(f"{tag} {name}={value}")


def active_html(html: str) -> list[str]:
    """Tags and attributes in ``html`` that could run script."""
    parser = _Attributes()
    parser.feed(html)
    parser.close()
    return parser.problems


@dataclass
class AnkiCollection:
    """A fresh collection in a temporary folder and what each import reported."""

    col: Collection
    imports: list[dict[str, int]] = field(default_factory=list)

    def import_deck(self, data: bytes, folder: Path) -> dict[str, int]:
        path = folder / f"deck-{len(self.imports)}.apkg"
        path.write_bytes(data)
        counts = import_package(self.col, path)
        self.imports.append(counts)
        return counts

    def note(self, lesson_id: str, part: str, item_id: str) -> Note:
        """The note an item became, found by the GUID it must have."""
        guid = note_guid(lesson_id, part, item_id)
        [note_id] = self.query("select id from notes where guid = ?", guid)
        return self.col.get_note(note_id)

    def query(self, sql: str, *args: str | int | float | None) -> list[Any]:
        """The first column of every row ``sql`` selects in the collection's database."""
        assert self.col.db is not None
        rows: list[Any] = self.col.db.list(sql, *args)
        return rows

    def review(self, deck: str, rating: CardAnswer.Rating.V) -> Card:
        """Answer the first card the v3 scheduler offers from ``deck``; the card as answered."""
        deck_id = self.col.decks.id_for_name(deck)
        assert deck_id is not None
        self.col.decks.select(deck_id)
        scheduler = self.col.sched
        assert isinstance(scheduler, V3Scheduler)
        [queued] = scheduler.get_queued_cards(fetch_limit=1).cards
        card = self.col.get_card(queued.card.id)
        card.start_timer()
        scheduler.answer_card(
            scheduler.build_answer(card=card, states=queued.states, rating=rating)
        )
        card.load()
        return card

    def lessonc_decks(self) -> list[str]:
        return sorted(d.name for d in self.col.decks.all_names_and_ids() if d.name != "Default")


@pytest.fixture
def anki(tmp_path: Path) -> Iterator[AnkiCollection]:
    with fresh_collection(tmp_path) as collection:
        yield AnkiCollection(collection)


@pytest.mark.anki
def test_example_lesson_imports_with_expected_counts(anki: AnkiCollection, tmp_path: Path) -> None:
    lesson = load_lesson(EXAMPLE).lesson
    counts = anki.import_deck(render_deck(EXAMPLE), tmp_path)
    notes, cards = expected_counts(lesson)
    assert counts == {
        "new": notes, "updated": 0, "duplicate": 0, "conflicting": 0,
        "missing_notetype": 0, "empty_first_field": 0,
    }  # fmt: skip
    assert (anki.col.note_count(), anki.col.card_count()) == (notes, cards)
    assert anki.lessonc_decks() == [
        "Advance Machine Learning",
        "Advance Machine Learning::15. Modern Topics – LLMs & Foundation Models",
        "Advance Machine Learning::15. Modern Topics – LLMs & Foundation Models"
        "::15.1 What are Foundation Models?",
    ]
    # Fields hold the lesson text exactly as the pages render it.
    for index, card in enumerate(lesson.flashcards):
        note = anki.note(lesson.id, "flashcard", card.key)
        if isinstance(card, ClozeCard):
            assert note["Text"] == markup.to_html(card.cloze), index
        else:
            assert (note["Front"], note["Back"]) == (
                markup.to_html(card.front), markup.to_html(card.back)
            ), index  # fmt: skip
    for entry in lesson.glossary:
        assert anki.note(lesson.id, "glossary", entry.key)["Definition"] == markup.to_html(
            entry.definition
        )


def expected_counts(lesson: Lesson) -> tuple[int, int]:
    """Notes and cards the lesson should give: one card a side, a gap or a template."""
    clozes = [c for c in lesson.flashcards if isinstance(c, ClozeCard)]
    gaps = sum(len({m.group(1) for m in re.finditer(r"\{\{c(\d+)::", c.cloze)}) for c in clozes)
    others = len(lesson.key_concepts) + len(lesson.memory_aids) + len(lesson.practice)
    notes = len(lesson.flashcards) + len(lesson.glossary) + others
    cards = len(lesson.flashcards) - len(clozes) + gaps + 2 * len(lesson.glossary) + others
    # A matching or fill_blanks question is a Cloze note: a card per pair or gap, not one.
    for question in lesson.practice:
        if isinstance(question, Matching):
            cards += len(question.pairs) - 1
        elif isinstance(question, FillBlanks):
            cards += len(question.gaps) - 1
    return notes, cards


@pytest.mark.anki
def test_every_card_renders_inert_with_bundled_media(anki: AnkiCollection, tmp_path: Path) -> None:
    anki.import_deck(render_deck(FIXTURE / "lesson.yaml"), tmp_path)
    assert (anki.col.note_count(), anki.col.card_count()) == (14, 16)
    assert anki.lessonc_decks() == [
        "Geography: The Basics",
        "Geography: The Basics::3. Europe : Countries & Cities",
        FIXTURE_DECK,
    ]
    note_types: set[str] = set()
    for card_id in anki.col.find_cards(""):
        card = anki.col.get_card(card_id)
        note = card.note()
        note_type = note.note_type()
        assert note_type is not None
        note_types.add(note_type["name"])
        question, answer = card.question(), card.answer()
        assert "{{" not in question + answer  # every field name in the templates exists
        assert answer.count('id="answer"') <= 1
        assert not card.question_av_tags()
        assert not card.answer_av_tags()
        for value in note.fields:
            assert not active_html(value), value
        assert "<script" not in question + answer
    assert note_types == {spec.name for spec in NOTE_TYPES}

    back = anki.note("anki-fixture", "flashcard", "hostile-card")["Back"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in back
    assert "&#91;sound:evil.mp3]" in back
    media = sorted(p.name for p in Path(anki.col.media.dir()).iterdir())
    assert len(media) == 2
    assert all(re.fullmatch(r"lessonc-[0-9a-f]{20}\.png", m) for m in media)
    paris = anki.note("anki-fixture", "flashcard", "capital-of-france")["Back"]
    assert re.search(r'<img src="lessonc-[0-9a-f]{20}\.png" alt="Red dot">', paris)


@pytest.mark.anki
def test_edit_updates_in_place_and_keeps_history(
    anki: AnkiCollection, lesson_copy: Path, tmp_path: Path
) -> None:
    anki.import_deck(render_deck(lesson_copy, EPOCH), tmp_path)
    card = anki.review(FIXTURE_DECK, CardAnswer.EASY)
    # The first card offered is the lesson's first flashcard: new cards keep lesson order.
    assert card.note().guid == note_guid("anki-fixture", "flashcard", "capital-of-france")
    reviewed = (card.due, card.ivl, card.type, card.queue, card.did)
    history = anki.query("select id from revlog where cid = ?", card.id)
    assert card.ivl > 0
    assert len(history) == 1

    # The same build again is an up-to-date copy: Anki changes nothing.
    again = anki.import_deck(render_deck(lesson_copy, EPOCH), tmp_path)
    assert (again["new"], again["updated"], again["duplicate"]) == (0, 0, 14)

    edit(lesson_copy, 'back: "Paris. ', 'back: "Paris, on the Seine. ')
    edit(
        lesson_copy,
        'front: "What is the capital of *France*?"',
        'front: "Which city is the capital of *France*?"',
    )
    later = anki.import_deck(render_deck(lesson_copy, EPOCH + 3600), tmp_path)
    assert (later["new"], later["conflicting"], later["missing_notetype"]) == (0, 0, 0)
    assert later["updated"] == 14
    card.load()
    note = card.note()
    assert note["Front"] == "<p>Which city is the capital of <em>France</em>?</p>"
    assert note["Back"].startswith('<p>Paris, on the Seine. <img src="lessonc-')
    assert (card.due, card.ivl, card.type, card.queue, card.did) == reviewed
    assert anki.query("select id from revlog where cid = ?", card.id) == history
    assert anki.col.note_count() == 14
    # No second copy of a note type ("lessonc Basic+"): the schema matched.
    ours = [m.name for m in anki.col.models.all_names_and_ids() if m.name.startswith("lessonc")]
    assert sorted(ours) == sorted(spec.name for spec in NOTE_TYPES)

    edit(
        lesson_copy, "  - id: cloze-capitals",
        '  - id: capital-of-italy\n    front: "Capital of Italy?"\n    back: "Rome."\n'
        "  - id: cloze-capitals",
    )  # fmt: skip
    added = anki.import_deck(render_deck(lesson_copy, EPOCH + 7200), tmp_path)
    assert (added["new"], added["updated"]) == (1, 14)
    assert anki.col.note_count() == 15


@pytest.mark.anki
def test_pipeline_writes_the_deck(tmp_path: Path, anki: AnkiCollection) -> None:
    report = build([FIXTURE / "lesson.yaml"], tmp_path / "out", ["anki"], BuildOptions(EPOCH))
    assert report.ok, report.all_diagnostics
    deck = tmp_path / "out" / "anki-fixture" / "deck.apkg"
    assert deck.read_bytes() == render_deck(FIXTURE / "lesson.yaml")
    assert anki.import_deck(deck.read_bytes(), tmp_path)["new"] == 14
