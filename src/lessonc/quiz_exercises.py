"""``quiz.json`` models of the exercise types, the order they are shown in, and their scoring.

Scoring (the page, the SCORM interactions and the QTI weights all follow it):

- ``matching``: each left item matched to its partner earns an equal share of the points.
- ``fill_blanks``: each gap filled right earns an equal share of the points.
- ``ordering``: each item in its right place earns an equal share of the points (so GIFT
  and QTI, which carry an ordering as matching items to positions, grade it the same).
- ``numeric``: full points when the number lies inside any accepted answer's interval
  (``value ± tolerance`` or ``min..max``, both ends included), else none.
- ``open``: not graded automatically: no points in the page's score; an LMS teacher grades it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any, Literal

from markupsafe import Markup
from pydantic import Field

from lessonc import markup
from lessonc.model import (
    FillBlanks,
    Matching,
    Numeric,
    Open,
    Ordering,
)
from lessonc.model import Question as LessonQuestion
from lessonc.quiz_base import Part, QuestionBase, RichText, rich

AUTO_GRADED: frozenset[str] = frozenset(
    {
        "single_choice", "multiple_choice", "true_false", "short_answer",
        "matching", "ordering", "numeric", "fill_blanks",
    }
)  # fmt: skip
"""Question types the page scores on its own (``open`` is graded by a person, if at all)."""


class QuizPair(Part):
    """A left item and its partner."""

    id: str = Field(min_length=1, examples=["gpt"])
    """The pair's id from the lesson."""
    left: RichText
    """The item to find a partner for (``html`` is inline)."""
    right: RichText
    """Its partner (``html`` is inline)."""


class MatchingQuestion(QuestionBase):
    """Pairs to match; each matched left item earns an equal share of the points."""

    type: Literal["matching"]
    pairs: list[QuizPair] = Field(min_length=2)
    """The pairs, left items in the order to show them."""
    distractors: list[RichText]
    """Extra right-hand options matching no left item (``html`` is inline)."""


class QuizOrderItem(Part):
    """One item of an ordering question."""

    id: str = Field(min_length=1, examples=["pre-train"])
    """The item's id from the lesson."""
    text: RichText
    """The item as shown (``html`` is inline)."""


class OrderingQuestion(QuestionBase):
    """Items to put in order; each item in its place earns an equal share."""

    type: Literal["ordering"]
    items: list[QuizOrderItem] = Field(min_length=2)
    """The items in the right order (show them in another)."""


class QuizNumericAnswer(Part):
    """One accepted number: ``value`` with ``tolerance``, or ``min`` to ``max``."""

    value: float | None
    """The right value, or null for a range."""
    tolerance: float = Field(ge=0)
    """How far from ``value`` an answer may be (0 for a range)."""
    min: float
    """The smallest right answer (``value - tolerance`` for a value)."""
    max: float
    """The largest right answer (``value + tolerance`` for a value)."""


class NumericQuestion(QuestionBase):
    """A number, right when inside any accepted answer's interval (ends included)."""

    type: Literal["numeric"]
    answers: list[QuizNumericAnswer] = Field(min_length=1)
    """Every accepted answer; the first is the model answer."""
    unit: str | None
    """The unit the number is in, if any."""


class QuizGap(Part):
    """One gap of a fill_blanks text."""

    accepted: list[str] = Field(min_length=1)
    """Every answer counted as right, as plain text; the first is the model answer."""
    choices: list[str]
    """The drop-down's options; empty when the gap is typed in."""


class FillBlanksQuestion(QuestionBase):
    """A text with gaps; each gap filled right earns an equal share of the points."""

    type: Literal["fill_blanks"]
    text: RichText
    """The text; each gap is written ``{{N}}`` (N from 1) in both ``text`` and ``html``."""
    gaps: list[QuizGap] = Field(min_length=1)
    """The gaps in order: ``{{1}}`` is the first."""
    case_sensitive: bool
    """Whether 'GPT' and 'gpt' differ in typed gaps."""


class OpenQuestion(QuestionBase):
    """Free text, not graded automatically."""

    type: Literal["open"]
    model_answer: RichText
    """A good answer."""
    rubric: list[RichText]
    """What a grader looks for, one criterion per entry."""


ExerciseQuestion = (
    MatchingQuestion | OrderingQuestion | NumericQuestion | FillBlanksQuestion | OpenQuestion
)


def exercise_question(
    question: LessonQuestion, common: dict[str, Any], writer: markup.Writer = "html"
) -> ExerciseQuestion:
    """The quiz form of an exercise-type question (``common`` holds id, prompt and the rest)."""
    if isinstance(question, Matching):
        pairs = [
            QuizPair(
                id=p.key,
                left=rich(p.left, inline=True, writer=writer),
                right=rich(p.right, inline=True, writer=writer),
            )
            for p in question.pairs
        ]
        distractors = [rich(text, inline=True, writer=writer) for text in question.distractors]
        return MatchingQuestion(type="matching", pairs=pairs, distractors=distractors, **common)
    if isinstance(question, Ordering):
        items = [
            QuizOrderItem(id=i.key, text=rich(i.text, inline=True, writer=writer))
            for i in question.items
        ]
        return OrderingQuestion(type="ordering", items=items, **common)
    if isinstance(question, Numeric):
        answers = []
        for answer in question.answers:
            low, high = answer.bounds
            tolerance = answer.tolerance if answer.value is not None else 0.0
            answers.append(
                QuizNumericAnswer(value=answer.value, tolerance=tolerance, min=low, max=high)
            )
        return NumericQuestion(type="numeric", answers=answers, unit=question.unit, **common)
    if isinstance(question, FillBlanks):
        gaps = [QuizGap(accepted=list(g.accepted), choices=list(g.choices)) for g in question.gaps]
        return FillBlanksQuestion(
            type="fill_blanks",
            text=rich(question.text, writer=writer),
            gaps=gaps,
            case_sensitive=question.case_sensitive,
            **common,
        )
    assert isinstance(question, Open)
    return OpenQuestion(
        type="open",
        model_answer=rich(question.model_answer, writer=writer),
        rubric=[rich(text, writer=writer) for text in question.rubric],
        **common,
    )


def shown_order(question_id: str, keys: Sequence[str]) -> list[int]:
    """The order to show items in: a fixed mix from the ids, never the right order itself.

    Built from a hash rather than a random generator, so every build and every output
    (the page, the handout) shows the same order without a seed.
    """

    def rank(index: int) -> str:
        return hashlib.sha256(f"{question_id}\x1f{keys[index]}".encode()).hexdigest()

    order = sorted(range(len(keys)), key=rank)
    if len(order) > 1 and order == sorted(order):
        order = order[1:] + order[:1]  # the right order would give the answer away
    return order


def right_options(question: Matching) -> list[str]:
    """A matching question's right-hand options: each partner once, then the distractors,
    in the shown order."""
    options = list(dict.fromkeys([pair.right for pair in question.pairs]))
    options += [text for text in question.distractors if text not in options]
    order = shown_order(question.key, options)
    return [options[index] for index in order]


_GAP_IN_HTML = re.compile(r"\{\{(\d{1,3})\}\}")


def gap_parts(html: str) -> list[Markup | int]:
    """A fill_blanks text's HTML cut at its gaps: HTML pieces and, between them, gap indexes
    (0 for ``{{1}}``), so a template puts its own input or line in each place."""
    parts: list[Markup | int] = []
    for index, piece in enumerate(_GAP_IN_HTML.split(str(html))):
        parts.append(Markup(piece) if index % 2 == 0 else int(piece) - 1)
    return parts
