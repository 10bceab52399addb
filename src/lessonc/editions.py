"""The student and teacher editions of a lesson: what the teacher notes may reach.

Teacher notes (the lesson's and each chapter's ``teacher_notes``) are for whoever
teaches the lesson: they often hold answers, timings and remarks about the class.
They must never reach a learner, so the pipeline hands every renderer the lesson
without them (:func:`student_view`), images named only in them included; only a
renderer that declares ``teacher_edition = True`` (the handout) sees the whole lesson,
and it prints the notes only in the teacher edition (``--edition teacher``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from lessonc.assets import LessonImages
    from lessonc.model import Lesson

Edition = Literal["student", "teacher"]
EDITIONS: Final[tuple[Edition, ...]] = ("student", "teacher")
"""``--edition`` values: the student edition is every build's; the teacher's adds a handout."""


def has_teacher_notes(lesson: Lesson) -> bool:
    """Whether the lesson or any of its chapters holds teacher notes."""
    return lesson.teacher_notes is not None or any(
        chapter.teacher_notes is not None for chapter in lesson.chapters
    )


def student_view(lesson: Lesson) -> Lesson:
    """The lesson without its teacher notes (the lesson itself when it has none)."""
    if not has_teacher_notes(lesson):
        return lesson
    chapters = [chapter.model_copy(update={"teacher_notes": None}) for chapter in lesson.chapters]
    return lesson.model_copy(update={"teacher_notes": None, "chapters": chapters})


def student_images(images: LessonImages | None, lesson: Lesson) -> LessonImages | None:
    """``images`` less those that only the teacher notes name: the page and the deck bundle
    every image they are given, and a picture in a note is as much the teacher's as its text.
    ``lesson`` is the student view."""
    if images is None or not images.files:
        return images
    from dataclasses import replace

    from lessonc import markup
    from lessonc.assets import text_fields

    named = {
        reference
        for _, text in text_fields(lesson)
        if "![" in text
        for reference in markup.image_paths(text)
    }
    return replace(images, files=tuple(f for f in images.files if f.reference in named))
