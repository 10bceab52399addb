"""The teaching parts of a lesson: metadata, dialogue, summary, chapters, concepts, memory aids."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from lessonc.model.base import Identified, PlainText, Slug, Strict, Text, Url

# --- metadata -----------------------------------------------------------------


class ChapterRef(Strict):
    """The course chapter a lesson belongs to."""

    number: int = Field(ge=0, examples=[15])
    """Chapter number within the course."""
    title: PlainText = Field(examples=["Modern Topics – LLMs & Foundation Models"])
    """Chapter title."""


class Author(Strict):
    """A person credited for the lesson."""

    name: PlainText
    """Full name as it should be printed."""
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+$")
    """Contact address, optional."""


# --- dialogue -----------------------------------------------------------------


class Speaker(Strict):
    """A voice in the dialogue."""

    id: Slug
    """How turns refer to this speaker."""
    name: PlainText = Field(examples=["Teacher", "Student 1"])
    """Name shown beside each turn."""
    role: Literal["teacher", "student", "narrator", "guest"]
    """The speaker's part in the conversation."""


class Turn(Strict):
    """One utterance in a scene."""

    speaker: Slug
    """The ``id`` of one of the dialogue's speakers."""
    text: Text
    """What the speaker says."""


class Scene(Strict):
    """A titled part of the dialogue."""

    title: PlainText = Field(examples=["Definition and Characteristics of Foundation Models"])
    """Scene heading."""
    turns: list[Turn] = Field(min_length=1)
    """The turns in the order they are spoken."""


class Dialogue(Strict):
    """The teacher–student conversation (the "audio lesson")."""

    speakers: list[Speaker] = Field(min_length=1)
    """Everyone who speaks; ids must be unique."""
    scenes: list[Scene] = Field(min_length=1)
    """The scenes in order."""


# --- summary, videos, chapters ---------------------------------------------------


class Summary(Strict):
    """The lesson summed up at three depths."""

    quick: Text
    """One or two sentences."""
    standard: Text
    """A short paragraph."""
    detailed: Text
    """Several paragraphs."""


class Video(Strict):
    """A video to watch alongside the lesson; pages only link to it until a reader asks."""

    title: PlainText
    """Video title."""
    url: Url
    """Where the video lives (YouTube, Vimeo or any page)."""


class Chapter(Strict):
    """A section of the lesson body (the "audio book")."""

    title: PlainText
    """Section heading."""
    text: Text
    """The core text."""
    explanation: Text | None = None
    """The detailed explanation."""
    analogy: Text | None = None
    """Examples & analogies that make the idea concrete."""


class KeyConcept(Identified):
    """A term with a short explanation."""

    term: PlainText
    """The concept's name."""
    explanation: Text
    """One or two sentences."""

    def id_source(self) -> str:
        return self.term


class Example(Strict):
    """A real-life example or application."""

    title: PlainText | None = None
    """Optional short heading."""
    text: Text
    """The example."""


# --- memory aids ------------------------------------------------------------------


class Rhyme(Identified):
    """A rhyme to remember the idea by."""

    kind: Literal["rhyme"]
    """Which kind of memory aid this is."""
    text: Text
    """The rhyme."""

    def id_source(self) -> str:
        return f"rhyme {self.text}"


class Story(Identified):
    """A short story or picture that carries the idea."""

    kind: Literal["story"]
    """Which kind of memory aid this is."""
    title: PlainText | None = None
    """Optional title."""
    text: Text
    """The story."""

    def id_source(self) -> str:
        return f"story {self.title or self.text}"


class Mnemonic(Identified):
    """A memory device; when it spells a word, give ``cue`` and ``words`` to check the letters."""

    kind: Literal["mnemonic"]
    """Which kind of memory aid this is."""
    text: Text
    """The mnemonic as it is taught."""
    cue: PlainText | None = Field(default=None, examples=["DATS"])
    """The word its first letters spell, if any."""
    words: list[PlainText] | None = None
    """The words behind ``cue``, one per letter."""

    def id_source(self) -> str:
        return f"mnemonic {self.cue or self.text}"


class Acronym(Identified):
    """An acronym; each letter must start the word it stands for."""

    kind: Literal["acronym"]
    """Which kind of memory aid this is."""
    acronym: PlainText = Field(examples=["FARM"])
    """The acronym itself."""
    words: list[PlainText] = Field(min_length=1)
    """The words it stands for, one per letter, in order."""
    text: Text | None = None
    """How to read it, optional."""

    def id_source(self) -> str:
        return f"acronym {self.acronym}"


MemoryAid = Annotated[
    Rhyme | Story | Mnemonic | Acronym,
    Field(discriminator="kind"),
]
