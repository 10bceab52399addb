"""The course file (``course.yaml``) as Pydantic models: its title, chapters and settings.

Built on first use, not at import: a rebuild with nothing to do reads the lesson list
its last build recorded and never needs them (see :mod:`lessonc.course.model`).
"""

from __future__ import annotations

import functools
from typing import Any, Literal


@functools.cache
def course_models() -> tuple[Any, Any]:
    """The course file's model and its chapters' (built once, on first use)."""
    # Imported here: Pydantic costs a third of a second to import, which a no-op rebuild avoids.
    from pydantic import BaseModel, ConfigDict, Field

    from lessonc.model import InterfaceStrings, LintSettings, PlainText, ScormSettings, Text

    class CourseChapterSpec(BaseModel):
        """A chapter of a course: its title, optional number and its lesson files in order."""

        model_config = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True)
        title: PlainText = Field(examples=["Foundations"])
        """Chapter title."""
        number: int | None = Field(default=None, ge=0, examples=[1])
        """Chapter number; left out, the chapter is shown without one."""
        lessons: list[str] = Field(
            min_length=1,
            examples=[["lessons/what-is-learning.yaml", "lessons/data-and-labels.yaml"]],
        )
        """Lesson files, relative to the course file, in reading order."""

    class CourseSpec(BaseModel):
        """A course file (`course.yaml`): the course's title, description and chapters."""

        # The title and $id mirror the lesson schema's, so editors name and cache both alike.
        model_config = ConfigDict(
            extra="forbid",
            strict=True,
            use_attribute_docstrings=True,
            title="lessonc course",
            json_schema_extra={"$id": "urn:lessonc:schema:course:1"},
        )
        lessonc: Literal[1] = Field(default=1, examples=[1])
        """Version of the course format."""
        title: PlainText = Field(examples=["Advanced Machine Learning"])
        """Course title."""
        description: Text | None = Field(
            default=None, examples=["From data and labels to foundation models, in five lessons."]
        )
        """What the course is about (lessonc's Markdown subset)."""
        chapters: list[CourseChapterSpec] = Field(
            min_length=1,
            examples=[
                [
                    {
                        "title": "Foundations",
                        "number": 1,
                        "lessons": ["lessons/what-is-learning.yaml"],
                    }
                ]
            ],
        )
        """The chapters in reading order."""
        lint: LintSettings = Field(
            default_factory=lambda: LintSettings(), examples=[{"disable": ["L101"]}]
        )
        """`lessonc lint` settings for every lesson of the course."""
        scorm: ScormSettings | None = Field(default=None, examples=[{"pass_percent": 80}])
        """Grading in an LMS: the pass mark of the course's SCORM package for each lesson that sets none of its own."""  # noqa: E501
        ui: InterfaceStrings = Field(default_factory=dict, examples=[{"contents": "Lessons"}])
        """Interface strings that replace lessonc's own on the course pages, by key (see docs/translating.md)."""  # noqa: E501

    return CourseSpec, CourseChapterSpec
