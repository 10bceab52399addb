"""The exercise kinds beyond choices: matching, ordering, numeric, fill in the blanks, open.

Each is a practice question (see :class:`lessonc.model.study.QuestionBase`) with
its own answer fields. Rules that a type cannot express (a range whose minimum
is above its maximum, a gap with no answer) are in ``lessonc.checks`` so they
are reported with their line and column.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field

from lessonc.model.base import Identified, PlainText, Strict, Text, empty_list
from lessonc.model.study import (
    MultipleChoice,
    QuestionBase,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

GAP_PATTERN = re.compile(r"\{\{(\d{1,3})\}\}")
"""A gap in a fill_blanks text: ``{{1}}``, ``{{2}}`` … numbering the entries of ``gaps``."""


class MatchPair(Identified):
    """A left item and the right item it belongs with."""

    id_examples = ("gpt-openai", "bert-google")

    left: Text = Field(examples=["GPT"])
    """The item the learner finds a partner for."""
    right: Text = Field(examples=["OpenAI"])
    """Its partner, shown among the options on the right."""

    def id_source(self) -> str:
        return self.left


class Matching(QuestionBase):
    """Pairs to match: each left item gets its partner from the right-hand options."""

    id_examples = ("match-model-developer",)

    type: Literal["matching"] = Field(examples=["matching"])
    """Which kind of question this is."""
    pairs: list[MatchPair] = Field(
        min_length=2,
        examples=[
            [
                {"id": "gpt", "left": "GPT", "right": "OpenAI"},
                {"id": "bert", "left": "BERT", "right": "Google"},
            ]
        ],
    )
    """The pairs, in the order the left items are shown."""
    distractors: list[Text] = Field(default_factory=empty_list, examples=[["Microsoft"]])
    """Extra right-hand options that match no left item."""


class OrderItem(Identified):
    """One item of an ordering question."""

    id_examples = ("pre-train", "fine-tune")

    text: Text = Field(examples=["Pre-train on massive, diverse data"])
    """The item as shown."""

    def id_source(self) -> str:
        return self.text


class Ordering(QuestionBase):
    """Items to put in order; written in the right order, shown in another."""

    id_examples = ("order-the-lifecycle",)

    type: Literal["ordering"] = Field(examples=["ordering"])
    """Which kind of question this is."""
    items: list[OrderItem] = Field(
        min_length=2,
        examples=[
            [
                {"id": "pre-train", "text": "Pre-train on massive, diverse data"},
                {"id": "fine-tune", "text": "Fine-tune on a smaller, task-specific dataset"},
            ]
        ],
    )
    """The items in the right order (the page shows them in another order)."""


class NumericAnswer(Strict):
    """One accepted number: a value with a tolerance, or a range from min to max."""

    value: float | None = Field(default=None, examples=[1.25])
    """The right value; answers within ``tolerance`` of it count."""
    tolerance: float = Field(default=0, ge=0, examples=[0.01])
    """How far from ``value`` an answer may be and still count (absolute)."""
    min: float | None = Field(default=None, examples=[1.2])
    """The smallest right answer of a range (with ``max``, instead of ``value``)."""
    max: float | None = Field(default=None, examples=[1.3])
    """The largest right answer of a range (with ``min``)."""

    @property
    def bounds(self) -> tuple[float, float]:
        """The closed interval of right answers, its ends rounded to 12 significant digits
        (1.25 ± 0.01 is 1.24 to 1.26, never 1.2399999999999999) so every output agrees."""
        if self.value is not None:
            low, high = self.value - self.tolerance, self.value + self.tolerance
            return (float(f"{low:.12g}"), float(f"{high:.12g}"))
        low = self.min if self.min is not None else float("-inf")
        high = self.max if self.max is not None else float("inf")
        return (low, high)


class Numeric(QuestionBase):
    """The learner types a number; it counts when it falls in an accepted answer's range."""

    id_examples = ("how-many-parameters",)

    type: Literal["numeric"] = Field(examples=["numeric"])
    """Which kind of question this is."""
    answers: list[NumericAnswer] = Field(
        min_length=1, examples=[[{"value": 1.25, "tolerance": 0.01}, {"min": 3, "max": 4}]]
    )
    """Every accepted answer; the first is shown as the model answer."""
    unit: PlainText | None = Field(default=None, examples=["GB"])
    """The unit the number is in, shown beside the input."""


class Gap(Strict):
    """One gap of a fill_blanks text."""

    accepted: list[PlainText] = Field(default_factory=empty_list, examples=[["fine-tuning"]])
    """Every answer counted as right; the first is shown as the model answer."""
    choices: list[PlainText] = Field(
        default_factory=empty_list, examples=[["fine-tuning", "prompting", "pre-training"]]
    )
    """When given, the gap is a drop-down of these options (the accepted answers among them)."""


class FillBlanks(QuestionBase):
    """A text with gaps ``{{1}}``, ``{{2}}`` …; each gap is typed in or picked from a list."""

    id_examples = ("fill-the-adaptation-methods",)

    type: Literal["fill_blanks"] = Field(examples=["fill_blanks"])
    """Which kind of question this is."""
    text: Text = Field(
        examples=["Foundation models are adapted by {{1}} or by {{2}} without changing weights."]
    )
    """The text with its gaps, each written ``{{N}}`` for the N-th entry of ``gaps``."""
    gaps: list[Gap] = Field(
        min_length=1,
        examples=[[{"accepted": ["fine-tuning", "finetuning"]}, {"accepted": ["prompting"]}]],
    )
    """The gaps in order: ``{{1}}`` is the first."""
    case_sensitive: bool = Field(default=False, examples=[True])
    """Whether 'GPT' and 'gpt' differ in typed gaps."""


class Open(QuestionBase):
    """An essay or reflection question: answered in free text, not graded automatically."""

    id_examples = ("reflect-on-reuse",)

    type: Literal["open"] = Field(examples=["open"])
    """Which kind of question this is."""
    model_answer: Text = Field(
        examples=["One pre-trained model serves many tasks, so the costly training is shared."]
    )
    """A good answer, shown on request and in the answer key."""
    rubric: list[Text] = Field(
        default_factory=empty_list, examples=[["Names pre-training as the shared cost."]]
    )
    """What a grader looks for, one criterion per entry."""


Question = Annotated[
    SingleChoice
    | MultipleChoice
    | TrueFalse
    | ShortAnswer
    | Matching
    | Ordering
    | Numeric
    | FillBlanks
    | Open,
    Field(discriminator="type"),
]
"""A practice question of any kind, told apart by its ``type``."""
