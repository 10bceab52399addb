"""The study parts of a lesson: flashcards, glossary, practice questions and references."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from lessonc.model.base import Identified, PlainText, Slug, Strict, Text, Url

# --- flashcards and glossary ----------------------------------------------------------


class BasicCard(Identified):
    """A question on the front, the answer on the back."""

    front: Text
    """The prompt."""
    back: Text
    """The answer."""

    def id_source(self) -> str:
        return self.front


CLOZE_PATTERN = re.compile(r"\{\{c(\d+)::(.+?)(?:::(.+?))?\}\}", re.DOTALL)


class ClozeCard(Identified):
    """A sentence with gaps written as Anki does: ``{{c1::answer}}`` or ``{{c1::answer::hint}}``."""

    cloze: Text = Field(
        examples=["Foundation models are {{c1::pre-trained}} on {{c2::massive}} data."]
    )
    """The sentence with its gaps."""
    extra: Text | None = None
    """Shown on the back after the sentence."""

    def id_source(self) -> str:
        return CLOZE_PATTERN.sub(lambda m: m.group(2), self.cloze)


def _card_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "cloze" if "cloze" in value else "basic"
    if isinstance(value, ClozeCard):
        return "cloze"
    if isinstance(value, BasicCard):
        return "basic"
    return None


Flashcard = Annotated[
    Annotated[BasicCard, Tag("basic")] | Annotated[ClozeCard, Tag("cloze")],
    Discriminator(
        _card_kind,
        custom_error_type="flashcard_kind",
        custom_error_message="a flashcard needs either 'front' and 'back', or 'cloze'",
    ),
]


class GlossaryEntry(Identified):
    """A term and its definition."""

    term: PlainText
    """The term as it appears in the text."""
    definition: Text
    """What it means."""
    aliases: list[PlainText] = Field(default_factory=list)
    """Other spellings to link in the text (e.g. 'fine-tuning' for 'Finetuning')."""

    def id_source(self) -> str:
        return self.term


# --- practice questions ------------------------------------------------------------------


class Choice(Identified):
    """One option of a choice question."""

    text: Text
    """The option as shown."""
    correct: bool = False
    """Whether choosing it is right."""
    feedback: Text | None = None
    """Shown when this option is picked."""

    def id_source(self) -> str:
        return self.text


class QuestionBase(Identified):
    prompt: Text
    """The question."""
    explanation: Text
    """Why the answer is what it is; shown after answering."""
    points: int = Field(default=1, ge=0, le=1000)
    """Weight in a score."""
    tags: list[Slug] = Field(default_factory=list)
    """Labels for filtering in an LMS."""

    def id_source(self) -> str:
        return self.prompt


class SingleChoice(QuestionBase):
    """Exactly one choice is correct."""

    type: Literal["single_choice"]
    """Which kind of question this is."""
    choices: list[Choice] = Field(min_length=2)
    """The options, in the order shown."""


class MultipleChoice(QuestionBase):
    """One or more choices are correct; the learner picks all that apply."""

    type: Literal["multiple_choice"]
    """Which kind of question this is."""
    choices: list[Choice] = Field(min_length=2)
    """The options, in the order shown."""


class TrueFalse(QuestionBase):
    """A statement that is true or false."""

    type: Literal["true_false"]
    """Which kind of question this is."""
    answer: bool
    """Write ``true`` or ``false`` (``yes``/``no`` are strings, not booleans)."""
    feedback_true: Text | None = None
    """Shown when the learner answers true."""
    feedback_false: Text | None = None
    """Shown when the learner answers false."""


class ShortAnswer(QuestionBase):
    """The learner types a short answer, compared with the accepted ones."""

    type: Literal["short_answer"]
    """Which kind of question this is."""
    accepted: list[PlainText] = Field(min_length=1)
    """Every answer counted as right; the first is shown as the model answer."""
    case_sensitive: bool = False
    """Whether 'GPT' and 'gpt' differ."""


Question = Annotated[
    SingleChoice | MultipleChoice | TrueFalse | ShortAnswer,
    Field(discriminator="type"),
]


class Reference(Strict):
    """A source or further reading."""

    title: PlainText
    """Title of the work."""
    url: Url | None = None
    """Where to find it."""
    authors: list[PlainText] = Field(default_factory=list)
    """Who wrote it."""
    note: Text | None = None
    """Why it is worth reading."""
