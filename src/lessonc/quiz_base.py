"""Parts every quiz question shares: the strict base, lesson text in two forms, common fields."""

from __future__ import annotations

from html import escape
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from lessonc import markup
from lessonc.model.docstrings import document_fields

QuestionType = Literal[
    "single_choice", "multiple_choice", "true_false", "short_answer",
    "matching", "ordering", "numeric", "fill_blanks", "open",
]  # fmt: skip


class Part(BaseModel):
    """Base of every part: unknown keys are errors, no coercion, no NaN, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        frozen=True,
        defer_build=True,  # as the lesson's models (lessonc.model.base.Strict), for start-up
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        document_fields(cls)


class RichText(Part):
    """Lesson text in the two forms a consumer needs."""

    text: str = Field(min_length=1)
    """Plain text: Markdown removed, entities decoded (for terminals, search, screen readers)."""
    html: str = Field(min_length=1)
    """Sanitised HTML made by lessonc's one sanitiser: safe to insert into a page as is. An
    image's ``src`` is relative to quiz.json's folder (``media/…``, written beside it)."""


class QuizChoice(Part):
    """One option of a choice question."""

    id: str = Field(min_length=1, examples=["pre-trained-on-broad-data"])
    """The choice's id from the lesson: stable across builds and shuffles."""
    text: RichText
    """The option as shown (``html`` is inline: no paragraph wrapper)."""
    correct: bool
    """Whether choosing it is right."""
    feedback: RichText | None
    """Shown when this option is picked, if the lesson gives any."""


class QuestionBase(Part):
    id: str = Field(min_length=1, examples=["what-is-a-foundation-model"])
    """The question's id from the lesson: stable across builds and shuffles."""
    type: QuestionType
    """What kind of question it is; decides which of the fields below it has."""
    prompt: RichText
    """The question."""
    explanation: RichText
    """Why the answer is what it is; shown after answering."""
    points: int = Field(ge=0, le=1000)
    """Weight in a score."""
    tags: list[str]
    """Labels for filtering in an LMS."""


def rich(text: str, *, inline: bool = False, writer: markup.Writer = "html") -> RichText:
    """Lesson text as plain text and sanitised HTML (inline HTML for short parts like choices).

    The plain text keeps each formula's TeX source between ``\\(…\\)``; ``writer`` says
    how the HTML shows formulas and code (MathML with the TeX in its annotation for
    quiz.json and QTI, TeX delimiters for GIFT)."""
    html = markup.to_inline_html(text, writer) if inline else markup.to_html(text, writer)
    if markup.is_plain(text):
        return RichText(text=text, html=html)  # most choices and short texts: no Markdown
    # Text made only of Markdown syntax could render to nothing; keep the source then, escaped.
    plain = markup.to_plain(text) or text.strip()
    return RichText(text=plain, html=html or escape(plain))


def optional(text: str | None, writer: markup.Writer = "html") -> RichText | None:
    return None if text is None else rich(text, writer=writer)
