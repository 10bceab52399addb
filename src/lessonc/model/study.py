"""The study parts of a lesson: flashcards, glossary, practice questions and references."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from lessonc.model.base import Identified, Key, PlainText, Strict, Text, Url, empty_list

# --- flashcards and glossary ----------------------------------------------------------


class BasicCard(Identified):
    """A question on the front, the answer on the back."""

    id_examples = ("fm-definition", "fine-tuning-definition")

    front: Text = Field(examples=["What is a foundation model?"])
    """The prompt."""
    back: Text = Field(
        examples=[
            "A large-scale pre-trained model that serves as the base for a wide range of "
            "downstream tasks."
        ]
    )
    """The answer."""

    def id_source(self) -> str:
        return self.front


CLOZE_PATTERN = re.compile(r"\{\{c(\d+)::(.+?)(?:::(.+?))?\}\}", re.DOTALL)


class ClozeCard(Identified):
    """A sentence with gaps written as Anki does: ``{{c1::answer}}`` or ``{{c1::answer::hint}}``."""

    id_examples = ("cloze-fm-definition", "cloze-adaptation")

    cloze: Text = Field(
        examples=["Foundation models are {{c1::pre-trained}} on {{c2::massive}} data."]
    )
    """The sentence with its gaps."""
    extra: Text | None = Field(
        default=None, examples=["The teacher’s rule of thumb from the audio lesson."]
    )
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

    id_examples = ("finetuning", "foundation-models")

    term: PlainText = Field(examples=["Finetuning"])
    """The term as it appears in the text."""
    definition: Text = Field(
        examples=[
            "The process of adapting a pre-trained model to a specific task by continuing "
            "the training on a smaller dataset."
        ]
    )
    """What it means."""
    aliases: list[PlainText] = Field(
        default_factory=empty_list, examples=[["fine-tuning", "fine-tune"]]
    )
    """Other spellings to link in the text (e.g. 'fine-tuning' for 'Finetuning')."""

    def id_source(self) -> str:
        return self.term


# --- practice questions ------------------------------------------------------------------


class Choice(Identified):
    """One option of a choice question."""

    id_examples = ("pretrained-base", "small-specialist")

    text: Text = Field(
        examples=[
            "A large-scale pre-trained model that serves as the base for many downstream tasks."
        ]
    )
    """The option as shown."""
    correct: bool = Field(default=False, examples=[True])
    """Whether choosing it is right."""
    feedback: Text | None = Field(
        default=None,
        examples=[
            "That is the opposite: foundation models are large, pre-trained on massive and "
            "diverse data, and reused across many tasks."
        ],
    )
    """Shown when this option is picked."""

    def id_source(self) -> str:
        return self.text


class QuestionBase(Identified):
    """What every kind of practice question has."""

    prompt: Text = Field(examples=["Which statement best describes a foundation model?"])
    """The question."""
    explanation: Text = Field(
        examples=[
            "Foundation models are large-scale pre-trained models that serve as the base for "
            "a wide range of downstream tasks."
        ]
    )
    """Why the answer is what it is; shown after answering."""
    points: int = Field(default=1, ge=0, le=1000, examples=[1, 2])
    """Weight in a score."""
    tags: list[Key] = Field(default_factory=empty_list, examples=[["fine-tuning"]])
    """Labels for filtering in an LMS (lower-case letters, digits and single hyphens)."""

    def id_source(self) -> str:
        return self.prompt


class SingleChoice(QuestionBase):
    """Exactly one choice is correct."""

    id_examples = ("what-is-a-foundation-model", "who-developed-llama")

    type: Literal["single_choice"] = Field(examples=["single_choice"])
    """Which kind of question this is."""
    choices: list[Choice] = Field(
        min_length=2,
        examples=[
            [
                {"id": "meta", "text": "Meta", "correct": True},
                {"id": "openai", "text": "OpenAI", "feedback": "OpenAI developed GPT, not LLaMA."},
            ]
        ],
    )
    """The options, in the order shown."""


class MultipleChoice(QuestionBase):
    """One or more choices are correct; the learner picks all that apply."""

    id_examples = ("characteristics-of-foundation-models", "examples-of-foundation-models")

    type: Literal["multiple_choice"] = Field(examples=["multiple_choice"])
    """Which kind of question this is."""
    choices: list[Choice] = Field(
        min_length=2,
        examples=[
            [
                {"id": "gpt", "text": "GPT", "correct": True},
                {"id": "bert", "text": "BERT", "correct": True},
                {"id": "k-means", "text": "k-means", "feedback": "A clustering algorithm."},
            ]
        ],
    )
    """The options, in the order shown."""


class TrueFalse(QuestionBase):
    """A statement that is true or false."""

    id_examples = ("knowledge-is-transferable", "fine-tuning-needs-bigger-data")

    type: Literal["true_false"] = Field(examples=["true_false"])
    """Which kind of question this is."""
    answer: bool = Field(examples=[True, False])
    """Write ``true`` or ``false`` (``yes``/``no`` are strings, not booleans)."""
    feedback_true: Text | None = Field(
        default=None,
        examples=["Right: transferability comes from broad, diverse pre-training data."],
    )
    """Shown when the learner answers true."""
    feedback_false: Text | None = Field(
        default=None,
        examples=[
            "Transferability is one of the three characteristics of foundation models, and "
            "it comes from their massive, diverse training data."
        ],
    )
    """Shown when the learner answers false."""


class ShortAnswer(QuestionBase):
    """The learner types a short answer, compared with the accepted ones."""

    id_examples = ("name-the-adaptation-process", "who-developed-claude")

    type: Literal["short_answer"] = Field(examples=["short_answer"])
    """Which kind of question this is."""
    accepted: list[PlainText] = Field(
        min_length=1, examples=[["fine-tuning", "finetuning", "fine tuning"]]
    )
    """Every answer counted as right; the first is shown as the model answer."""
    case_sensitive: bool = Field(default=False, examples=[True])
    """Whether 'GPT' and 'gpt' differ."""


class Reference(Strict):
    """A source or further reading."""

    title: PlainText = Field(examples=["On the Opportunities and Risks of Foundation Models"])
    """Title of the work."""
    url: Url | None = Field(default=None, examples=["https://arxiv.org/abs/2108.07258"])
    """Where to find it: an absolute http(s) URL."""
    authors: list[PlainText] = Field(
        default_factory=empty_list, examples=[["Rishi Bommasani et al."]]
    )
    """Who wrote it."""
    note: Text | None = Field(
        default=None,
        examples=["The 2021 report from Stanford’s CRFM that coined the term “foundation model”."],
    )
    """Why it is worth reading."""
