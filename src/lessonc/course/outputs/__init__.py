"""Course-level outputs, made from every lesson's summary in course order.

- ``index.html`` and ``_course/``: the home page with the contents and a search
  box, the navigation page (each lesson's previous/next), the search index (html);
- ``course.apkg``: every lesson's notes in one deck, same GUIDs as the
  lessons' own decks (anki);
- ``course-quiz.json``: every lesson's quiz in one file (quiz);
- ``course.pdf``: a title page and contents, then every lesson's handout, read
  back from the output folder (pdf).
- ``course-scorm12.zip``, ``course-scorm2004.zip``: one SCO per lesson, each
  lesson's own package read back from the output folder (scorm12, scorm2004).

Like renderers, these functions make artifacts; :mod:`lessonc.course.finish` writes them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic_core import to_json

from lessonc.course.model import Course, lesson_number_key
from lessonc.course.outputs.summary import LessonSummary
from lessonc.outputs import Artifact

if TYPE_CHECKING:
    from lessonc.course.outputs.deck import CourseDeckJob

COURSE_QUIZ = "course-quiz.json"
COURSE_QUIZ_FORMAT = "lessonc-course-quiz"
COURSE_DECK = "course.apkg"
COURSE_PDF = "course.pdf"
COURSE_TEACHER_PDF = "course-teacher.pdf"
"""The handbook of the lessons' teacher editions (``--edition teacher``), beside course.pdf."""
COURSE_PACKAGES = {"scorm12": "course-scorm12.zip", "scorm2004": "course-scorm2004.zip"}
"""The course's SCORM package in the output root, by format."""
DOWNLOADS = {
    "pdf": (COURSE_PDF, "download_pdf", "download_pdf_about"),
    "anki": (COURSE_DECK, "download_anki", "download_anki_about"),
    "quiz": (COURSE_QUIZ, "download_quiz", "download_quiz_about"),
    "scorm12": (COURSE_PACKAGES["scorm12"], "download_scorm12", "download_scorm_about"),
    "scorm2004": (COURSE_PACKAGES["scorm2004"], "download_scorm2004", "download_scorm_about"),
}
"""What the home page offers for download, by the format that makes it, in page order:
the file and the catalogue keys of its label and description."""


class CourseOutputError(Exception):
    """A course-level file could not be made; the message says which and why."""


@dataclass(frozen=True)
class OrderedChapter:
    number: int | None
    title: str
    lessons: tuple[LessonSummary, ...]


def ordered_chapters(course: Course, summaries: dict[Path, LessonSummary]) -> list[OrderedChapter]:
    """The course's chapters with their lessons' summaries, in reading order.

    A course file gives the order; a folder is grouped by each lesson's
    chapter and ordered by chapter number, then lesson number ("15.2" < "15.10").
    """
    if course.source is not None:
        return [
            OrderedChapter(
                chapter.number,
                chapter.title,
                tuple(summaries[e.path] for e in chapter.lessons if e.path in summaries),
            )
            for chapter in course.chapters
        ]
    ordered = sorted(
        summaries.values(), key=lambda s: (lesson_number_key(s.number), s.number, s.id)
    )
    chapters: dict[tuple[int, str], list[LessonSummary]] = {}
    for summary in ordered:
        chapters.setdefault((summary.chapter_number, summary.chapter_title), []).append(summary)
    return [
        OrderedChapter(number, title, tuple(lessons))
        for (number, title), lessons in sorted(chapters.items(), key=lambda item: item[0][0])
    ]


@dataclass(frozen=True)
class PendingArtifact:
    """A course file still being made elsewhere: ``make()`` waits for its bytes."""

    path: str
    make: Callable[[], bytes]


@dataclass(frozen=True)
class CourseFiles:
    """The course-level files: those made, and those still being made (the course deck)."""

    made: list[Artifact]
    pending: tuple[PendingArtifact, ...]


@contextlib.contextmanager
def course_files(
    course: Course,
    chapters: Sequence[OrderedChapter],
    formats: Sequence[str],
    timestamp: int,
    template_dirs: Sequence[Path],
    out_root: Path,
    paper: str,
    edition: str = "student",
    spare_cpu: bool = False,
) -> Iterator[CourseFiles]:
    """Every course-level file for the formats built, for the block to write.

    Called once every lesson of the course is written: the course PDF is made
    from the handouts under ``out_root``, printed on ``paper`` like them; in the
    teacher edition, ``course-teacher.pdf`` too, from the lessons' teacher handouts.
    With ``spare_cpu``, the course deck is made in another process meanwhile, and
    comes pending: the block can write the other files while it is made. The block's
    end stops that process if its bytes were never taken.
    """
    from lessonc.course.outputs.deck import CourseDeckJob

    lessons = [summary for chapter in chapters for summary in chapter.lessons]
    with CourseDeckJob(lessons, timestamp, in_background=spare_cpu and "anki" in formats) as deck:
        made = _course_artifacts(
            course, chapters, lessons, formats, timestamp, template_dirs, out_root, paper,
            edition, deck,
        )  # fmt: skip
        # A deck job runs in the background only when the deck is built (anki).
        pending = (PendingArtifact(COURSE_DECK, deck.result),) if deck.in_background else ()
        yield CourseFiles(made, pending)


def _course_artifacts(
    course: Course,
    chapters: Sequence[OrderedChapter],
    lessons: Sequence[LessonSummary],
    formats: Sequence[str],
    timestamp: int,
    template_dirs: Sequence[Path],
    out_root: Path,
    paper: str,
    edition: str,
    deck: CourseDeckJob,
) -> list[Artifact]:
    from lessonc.course.outputs import site

    title = course.title or (lessons[0].course if lessons else course.root.name)
    language = site.course_language(lessons)
    artifacts: list[Artifact] = []
    if "html" in formats:
        view = site.CourseView(
            title=title,
            description=course.description,
            language=language,
            chapters=tuple(
                site.ChapterView(
                    chapter.number,
                    chapter.title,
                    tuple(site.link(s) for s in chapter.lessons),
                )
                for chapter in chapters
            ),
            searchable=any(s.search for s in lessons),
            ui=tuple(course.ui.items()),
            downloads=tuple(
                site.Download(href, label, description)
                for name, (href, label, description) in DOWNLOADS.items()
                if name in formats
            ),
        )
        artifacts.extend(site.site_pages(view, lessons, template_dirs))
    if "anki" in formats and not deck.in_background:
        # Made here and now, before the course quiz (tens of megabytes for a large course)
        # is held in memory beside it. (Made in another process, it comes pending.)
        artifacts.append(Artifact(COURSE_DECK, deck.result()))
    if "quiz" in formats:
        artifacts.append(Artifact(COURSE_QUIZ, combined_quiz(title, lessons)))
    if "pdf" in formats:
        from lessonc.course.outputs.handbook import course_pdf
        from lessonc.outputs.pdf import OUTPUT_PATH, TEACHER_PATH

        handbooks = {COURSE_PDF: OUTPUT_PATH}
        if edition == "teacher":
            handbooks[COURSE_TEACHER_PDF] = TEACHER_PATH
        for name, handout in handbooks.items():
            data = course_pdf(
                title=title, description=course.description, language=language,
                chapters=chapters, out_root=out_root, paper=paper, timestamp=timestamp,
                template_dirs=template_dirs, ui=tuple(course.ui.items()), handout=handout,
            )  # fmt: skip
            artifacts.append(Artifact(name, data))
    for name, file_name in COURSE_PACKAGES.items():
        if name in formats:
            from lessonc.course.outputs.scorm import course_package
            from lessonc.outputs.scorm import SCORM12, SCORM2004

            data = course_package(
                SCORM12 if name == "scorm12" else SCORM2004, title, course.description,
                language, lessons, out_root, course.pass_percent, timestamp,
            )  # fmt: skip
            artifacts.append(Artifact(file_name, data))
    return artifacts


def combined_quiz(title: str, lessons: Sequence[LessonSummary]) -> bytes:
    """``course-quiz.json``: the course title and each lesson's quiz.json document, in order."""
    document = {"format": COURSE_QUIZ_FORMAT, "version": 1, "course": title, "lessons": []}
    # pydantic-core writes what json.dumps(indent=2, ensure_ascii=False) would, an order of
    # magnitude faster. The lessons' documents come already written, indented for their
    # place in the list (see PackedQuiz): the parent only joins them.
    head = to_json(document, indent=2)
    parts = [s.quiz.unpack() for s in lessons if s.quiz is not None]
    if not parts:
        return head + b"\n"
    empty = b"[]\n}"
    assert head.endswith(empty)
    return head[: -len(empty)] + b"[\n" + b",\n".join(parts) + b"\n  ]\n}\n"
