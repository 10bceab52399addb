"""What the course-level outputs need from one lesson, small enough to send between processes.

A worker process loads and renders a lesson, then hands back this summary
instead of the lesson model: the course home page, search index, course deck
and combined quiz are all made from summaries, in the parent, in course order.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lessonc.outputs import Artifact
    from lessonc.outputs.anki.collection import PreparedSubdeck
    from lessonc.pipeline import LoadedLesson
    from lessonc.quiz import Quiz


@dataclass(frozen=True)
class SearchEntry:
    """One thing the course search finds: a lesson title, a glossary term or a key concept."""

    kind: str
    """'lesson', 'glossary' or 'concept'."""
    title: str
    text: str
    """Plain text shown under the title (a definition, an explanation, the lesson summary)."""
    anchor: str
    """The fragment in the lesson page ('' for the top of the page)."""


@dataclass(frozen=True)
class DeckPart:
    """A lesson's notes as the course deck needs them: rows as its own deck wrote them
    (fields final, checked, cards decided), media bundled."""

    subdeck: PreparedSubdeck
    media: dict[str, bytes]


@dataclass(frozen=True)
class PackedDeck:
    """A :class:`DeckPart`, pickled by the worker that made it.

    Sent and held as one bytes object rather than hundreds of note objects: the parent
    unpacks it only to write the course deck. Not compressed, unlike the quiz: the deck's
    process unpacks every lesson before it can write, so decompressing lay on the
    course files' longest path (50 ms for 500 lessons, and 90 ms of the workers' time to
    compress). Measured on 500 lessons: 0.976x the build's time, 15 MiB more at its peak.
    """

    data: bytes

    @classmethod
    def pack(cls, part: DeckPart) -> PackedDeck:
        return cls(pickle.dumps(part, pickle.HIGHEST_PROTOCOL))

    def unpack(self) -> DeckPart:
        part: DeckPart = pickle.loads(self.data)
        return part


@dataclass(frozen=True)
class PackedQuiz:
    """A lesson's quiz document, compressed, as ``course-quiz.json`` nests it: indented
    two levels deeper than in ``quiz.json``, so the parent joins the lessons' text rather
    than reading every document into objects and writing them out again.

    Compressed, unlike the deck: the parent decompresses it while the deck's process
    works, so off the course files' longest path, and holds a fifth of the bytes."""

    data: bytes

    @classmethod
    def pack(cls, quiz_json: bytes) -> PackedQuiz:
        """From the bytes of a ``quiz.json`` (indented by two, ending in a newline)."""
        nested = QUIZ_INDENT + quiz_json.rstrip(b"\n").replace(b"\n", b"\n" + QUIZ_INDENT)
        return cls(zlib.compress(nested, _LEVEL))

    def unpack(self) -> bytes:
        return zlib.decompress(self.data)


QUIZ_INDENT = b"    "
"""Where course-quiz.json puts a lesson's document: in its "lessons" list, two levels in."""
_LEVEL = 1
"""zlib's fastest level: most of the size gone for a third of the default's time, and the
workers pay it in parallel."""


@dataclass(frozen=True)
class ScormPart:
    """What the course's SCORM package says of a lesson besides its files."""

    pass_percent: int | None
    """The lesson's own pass mark; None when it sets none (the course's then applies)."""
    graded: bool
    """The lesson has practice questions, so a pass mark."""
    minutes: int
    tags: tuple[str, ...]


@dataclass(frozen=True)
class LessonSummary:
    """One lesson, as the course outputs see it."""

    id: str
    title: str
    number: str
    course: str
    chapter_number: int
    chapter_title: str
    language: str
    """BCP 47 tag of the lesson's text; the course pages take the most common one."""
    search: tuple[SearchEntry, ...] = ()
    deck: PackedDeck | None = None
    quiz: PackedQuiz | None = None
    scorm: ScormPart | None = None


def summarise(
    loaded: LoadedLesson,
    formats: Sequence[str],
    rendered: Sequence[tuple[str, Artifact]] = (),
    *,
    shuffled: bool = False,
) -> LessonSummary:
    """The summary of a loaded lesson, with only the parts ``formats`` need.

    What the lesson's own outputs (``rendered``, this build's) already hold is taken
    from them rather than made again: its quiz.json unless ``shuffled`` (--shuffle-seed).
    """
    from lessonc import markup

    lesson = loaded.lesson
    search: tuple[SearchEntry, ...] = ()
    if "html" in formats:
        search = (
            SearchEntry("lesson", lesson.title, markup.to_plain(lesson.summary.quick), ""),
            *(
                SearchEntry("glossary", e.term, markup.to_plain(e.definition), f"term-{e.key}")
                for e in lesson.glossary
            ),
            *(
                SearchEntry("concept", c.term, markup.to_plain(c.explanation), f"concept-{c.key}")
                for c in lesson.key_concepts
            ),
        )
    quiz_data = _quiz_part(loaded, rendered, shuffled) if "quiz" in formats else None
    return LessonSummary(
        id=lesson.id,
        title=lesson.title,
        number=lesson.number,
        course=lesson.course,
        chapter_number=lesson.chapter.number,
        chapter_title=lesson.chapter.title,
        language=lesson.language,
        search=search,
        deck=_deck_part(loaded) if "anki" in formats else None,
        quiz=quiz_data,
        scorm=_scorm_part(loaded) if {"scorm12", "scorm2004"} & set(formats) else None,
    )


def _quiz_part(
    loaded: LoadedLesson, rendered: Sequence[tuple[str, Artifact]], shuffled: bool
) -> PackedQuiz:
    """The lesson's quiz document in source order (the course quiz is never shuffled), its
    images named from the course's folder (``<lesson id>/media/…``), where the lesson's
    own quiz output put them."""
    from lessonc import quiz
    from lessonc.outputs.quiz import QUIZ_FILE

    if not shuffled:
        for format_name, artifact in rendered:
            if (
                format_name == "quiz"
                and artifact.path == QUIZ_FILE
                and b"<img" not in artifact.data
            ):
                return PackedQuiz.pack(artifact.data)
    built = quiz.from_lesson(loaded.lesson)
    from lessonc.outputs.quiz_media import shows_images

    if shows_images(built):
        built = _images_from_course_folder(built, loaded)
    return PackedQuiz.pack(quiz.dumps(built))


def _images_from_course_folder(built: Quiz, loaded: LoadedLesson) -> Quiz:
    from html import escape

    from lessonc.outputs import BuildContext, BuildOptions
    from lessonc.outputs.quiz_media import SRC, bundled, replace_images

    # The images the lesson's quiz.json names (media/…, beside it), then the lesson's folder
    # in front: course-quiz.json lies in the folder above.
    ctx = BuildContext(loaded.source, BuildOptions(source_date_epoch=0), images=loaded.images)
    beside, _ = bundled(built, loaded.lesson, ctx)
    folder = escape(loaded.lesson.id)

    def from_course(tag: str) -> str:
        src = SRC.search(tag)
        if src is None:
            return tag
        return f'{tag[: src.start()]} src="{folder}/{src.group(1)}"{tag[src.end() :]}'

    return replace_images(beside, from_course)


def _scorm_part(loaded: LoadedLesson) -> ScormPart:
    lesson = loaded.lesson
    return ScormPart(
        pass_percent=lesson.scorm.pass_percent if lesson.scorm else None,
        graded=bool(lesson.practice),
        minutes=lesson.estimated_minutes,
        tags=tuple(lesson.tags),
    )


def _deck_part(loaded: LoadedLesson) -> PackedDeck | None:
    """The lesson's notes and media exactly as its own deck has them."""
    from lessonc.outputs.anki import lesson_deck

    deck, _ = lesson_deck(loaded.lesson, loaded.source, loaded.images)
    if deck is None:
        return None  # the lesson's own deck fails with these problems located
    return PackedDeck.pack(DeckPart(deck.prepared, deck.media))
