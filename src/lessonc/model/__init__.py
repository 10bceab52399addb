"""The lesson format: Pydantic models for every part of a lesson.

These models are the single source of truth. The JSON Schema in ``schema/``,
the format reference and every output format derive from them, so a field's
description and examples live here, on the field (as its docstring).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from lessonc.model.base import (
    FORMAT_VERSION,
    SLUG_PATTERN,
    Identified,
    PlainText,
    Slug,
    Strict,
    Text,
    Url,
    slugify,
)
from lessonc.model.content import (
    Acronym,
    Author,
    Chapter,
    ChapterRef,
    Dialogue,
    Example,
    KeyConcept,
    MemoryAid,
    Mnemonic,
    Rhyme,
    Scene,
    Speaker,
    Story,
    Summary,
    Turn,
    Video,
)
from lessonc.model.study import (
    CLOZE_PATTERN,
    BasicCard,
    Choice,
    ClozeCard,
    Flashcard,
    GlossaryEntry,
    MultipleChoice,
    Question,
    QuestionBase,
    Reference,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

__all__ = [
    "CLOZE_PATTERN", "FORMAT_VERSION", "SLUG_PATTERN", "Acronym", "Author", "BasicCard",
    "Chapter", "ChapterRef", "Choice", "ClozeCard", "Dialogue", "Example", "Flashcard",
    "GlossaryEntry", "Identified", "KeyConcept", "Lesson", "LintSettings", "MemoryAid", "Mnemonic",
    "MultipleChoice", "PlainText", "Question", "QuestionBase", "Reference", "Rhyme", "Scene",
    "ShortAnswer", "SingleChoice", "Slug", "Speaker", "Story", "Strict", "Summary", "Text",
    "TrueFalse", "Turn", "Url", "Video", "slugify",
]  # fmt: skip

# --- the lesson ------------------------------------------------------------------------------


class LintSettings(Strict):
    """How `lessonc lint` treats this lesson."""

    disable: list[Annotated[str, Field(pattern=r"^L\d{3}$")]] = Field(
        default_factory=list, examples=[["L101", "L104"]]
    )
    """Codes of lint rules switched off for this lesson (see `lessonc lint --list-rules`)."""


class Lesson(Strict):
    """One lesson: the root of a lesson source file."""

    model_config = ConfigDict(
        title="lessonc lesson",
        json_schema_extra={"$id": "https://lessonc.dev/schema/lesson.schema.json"},
    )

    lessonc: Literal[1] = 1
    """Version of the lesson format."""
    id: Slug = Field(examples=["foundation-models"])
    """The lesson's identity: names its output folder, Anki notes and quiz ids. Never change it."""
    title: PlainText = Field(examples=["What are Foundation Models?"])
    """Lesson title."""
    course: PlainText = Field(examples=["Advanced Machine Learning"])
    """The course this lesson is part of."""
    chapter: ChapterRef
    """The course chapter."""
    number: str = Field(pattern=r"^\d+(\.\d+)*$", examples=["15.1"])
    """The lesson number within the course, quoted: "15.1"."""
    language: str = Field(
        default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", examples=["en", "pt-BR"]
    )
    """BCP 47 language tag of the text."""
    level: Literal["beginner", "intermediate", "advanced"] = "intermediate"
    """Who the lesson is pitched at."""
    estimated_minutes: int = Field(ge=1, le=600, examples=[30])
    """Time a learner needs for the whole lesson."""
    authors: list[Author] = Field(min_length=1)
    """Who wrote the lesson."""
    license: str = Field(default="CC-BY-4.0", examples=["CC-BY-4.0"])
    """SPDX identifier of the content licence."""
    objectives: list[Text] = Field(min_length=1)
    """What a learner can do after the lesson."""
    tags: list[Slug] = Field(default_factory=list)
    """Keywords, also used as Anki tags."""

    dialogue: Dialogue | None = None
    """The teacher–student conversation."""
    summary: Summary
    """The lesson summed up at three depths."""
    videos: list[Video] = Field(default_factory=list)
    """Videos to watch."""
    chapters: list[Chapter] = Field(min_length=1)
    """The body of the lesson."""
    key_concepts: list[KeyConcept] = Field(default_factory=list)
    """The ideas to take away."""
    examples: list[Example] = Field(default_factory=list)
    """Real-life examples and applications."""
    memory_aids: list[MemoryAid] = Field(default_factory=list)
    """Rhymes, stories, mnemonics and acronyms."""
    flashcards: list[Flashcard] = Field(default_factory=list)
    """Cards for spaced repetition."""
    glossary: list[GlossaryEntry] = Field(default_factory=list)
    """Terms and definitions."""
    practice: list[Question] = Field(default_factory=list)
    """Practice questions."""
    references: list[Reference] = Field(default_factory=list)
    """Sources and further reading."""
    lint: LintSettings = Field(default_factory=lambda: LintSettings())
    """Settings for `lessonc lint` on this lesson."""

    def speaker(self, speaker_id: str) -> Speaker | None:
        """The dialogue speaker with this id, if any."""
        if self.dialogue is None:
            return None
        return next((s for s in self.dialogue.speakers if s.id == speaker_id), None)
