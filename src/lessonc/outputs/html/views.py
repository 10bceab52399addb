"""What the page's templates show of each practice question, and its words, computed once.

Every call, filter and attribute lookup a template makes goes through Jinja2's
runtime (and, with a theme, the sandbox's checks), and the practice questions repeat
them for every question and choice: the question partial was a third of the page's
cost. The parts that do not depend on the template (the rendered prompt, explanation
and choices, the question's points label) are made here once, in Python, and the
template arranges them; a theme's own question template still gets the question itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from lessonc import i18n
from lessonc.markup import holds_blocks
from lessonc.model import MultipleChoice, Question, SingleChoice, TrueFalse


class PageWords:
    """The page's ``t`` and ``tt``: each distinct lookup made once a process.

    The page asks for the same labels again for every question, card and turn
    (``check_answer`` once a question), and every page of a course asks for the same
    ones, and each lookup escapes the message and fills in its values anew. The
    answers depend only on the catalogue and the arguments, so they are kept for
    every page in the same language and ``ui:`` strings (up to :data:`WORDS_KEPT`).
    """

    def __init__(self, words: i18n.Catalogue) -> None:
        self._words = words
        self._markup, self._text = _kept_words(words.tag, tuple(sorted(words.overrides.items())))
        if len(self._markup) + len(self._text) > WORDS_KEPT:  # titles and counts vary by page
            self._markup.clear()
            self._text.clear()

    def markup(self, key: str, count: int | None = None, **values: object) -> Markup:
        """:meth:`lessonc.i18n.Catalogue.markup`, kept for the page."""
        memo = (key, count, *values.items())
        try:
            return self._markup[memo]
        except KeyError:
            found = self._markup[memo] = self._words.markup(key, count, **values)
            return found
        except TypeError:  # a theme passing an unhashable value: nothing to keep
            return self._words.markup(key, count, **values)

    def text(self, key: str, count: int | None = None, **values: object) -> str:
        """:meth:`lessonc.i18n.Catalogue.text`, kept for the page."""
        memo = (key, count, *values.items())
        try:
            return self._text[memo]
        except KeyError:
            found = self._text[memo] = self._words.text(key, count, **values)
            return found
        except TypeError:
            return self._words.text(key, count, **values)


WORDS_KEPT = 10_000
"""Filled-in messages kept for one language's pages; a page makes about sixty."""


@functools.lru_cache(maxsize=32)
def _kept_words(
    tag: str, overrides: tuple[tuple[str, str], ...]
) -> tuple[dict[tuple[object, ...], Markup], dict[tuple[object, ...], str]]:
    """The filled-in messages of the catalogue ``tag`` with an author's ``ui:`` strings."""
    return {}, {}


@dataclass(frozen=True)
class ChoiceView:
    """One choice of a choice or true/false question, as its input and its answer-key line."""

    key: str
    input_id: str
    text: Markup
    correct: bool
    feedback: Markup | None
    blocks: bool = False
    """The text holds blocks (code, a table): it is no ``<label>``'s content then."""


@dataclass(frozen=True)
class QuestionView:
    """A practice question's rendered parts; ``choices`` only for choice and true/false ones."""

    base: str
    """The question's element id, and the prefix of its parts' ids."""
    points: Markup | None
    """The points label, shown when a question is worth other than one point."""
    prompt: Markup
    explanation: Markup
    choices: tuple[ChoiceView, ...] = ()
    input_type: str = "radio"
    answer_count: Markup | None = None
    """How many choices are right, said in the answer key of a choice question."""


def question_views(
    questions: list[Question],
    words: PageWords,
    block: Callable[[str], Markup],
    inline: Callable[[str], Markup],
) -> dict[str, QuestionView]:
    """Each practice question's view, by its key (unique in a lesson)."""
    views: dict[str, QuestionView] = {}
    for question in questions:
        base = f"q-{question.key}"

        def choice(
            key: str, text: Markup, correct: bool, feedback: str | None, blocks: bool = False
        ) -> ChoiceView:
            input_id = f"{base}--{key}"  # noqa: B023 (used at once, in this iteration)
            return ChoiceView(
                key, input_id, text, correct, block(feedback) if feedback else None, blocks
            )

        choices: tuple[ChoiceView, ...] = ()
        answer_count = None
        if isinstance(question, TrueFalse):
            choices = (
                choice("true", escape(words.text("true")), question.answer, question.feedback_true),
                choice(
                    "false", escape(words.text("false")), not question.answer,
                    question.feedback_false,
                ),
            )  # fmt: skip
        elif isinstance(question, SingleChoice | MultipleChoice):
            choices = tuple(
                choice(c.key, inline(c.text), c.correct, c.feedback, holds_blocks(c.text))
                for c in question.choices
            )
            right = sum(1 for c in question.choices if c.correct)
            answer_count = words.markup("correct_answers", right)
        views[question.key] = QuestionView(
            base=base,
            points=words.markup("points_count", question.points) if question.points != 1 else None,
            prompt=block(question.prompt),
            explanation=block(question.explanation),
            choices=choices,
            input_type="checkbox" if isinstance(question, MultipleChoice) else "radio",
            answer_count=answer_count,
        )
    return views
