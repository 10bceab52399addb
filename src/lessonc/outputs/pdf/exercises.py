"""The answer key's entry for the exercise types (matching, ordering, numeric, gaps, open)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from lessonc import i18n, markup
from lessonc.model import FillBlanks, Matching, Numeric, NumericAnswer, Open, Ordering, Question
from lessonc.quiz_exercises import right_options


def _inline(text: str) -> Markup:
    return Markup(markup.to_inline_html(text))


def numeric_text(answer: NumericAnswer, words: i18n.Catalogue) -> str:
    """``1.25 ± 0.01`` or ``12.4 to 12.6``: an accepted number as people write it."""
    if answer.value is not None:
        tolerance = f" ± {answer.tolerance:g}" if answer.tolerance else ""
        return f"{answer.value:g}{tolerance}"
    low, high = answer.bounds
    return words.text("number_range", low=f"{low:g}", high=f"{high:g}")


def exercise_answer(
    question: Question, label: Callable[[int], str], words: i18n.Catalogue
) -> Markup:
    """The right answer of an exercise-type question as the key prints it, in the lesson's
    language (``words``)."""
    lines: list[Markup] = []
    if isinstance(question, Matching):
        options = right_options(question)
        for number, pair in enumerate(question.pairs, start=1):
            letter = label(options.index(pair.right))
            lines.append(
                Markup("{}. {} → <strong>{}</strong> {}").format(
                    words.number(number), _inline(pair.left), letter, _inline(pair.right)
                )
            )
    elif isinstance(question, Ordering):
        for number, item in enumerate(question.items, start=1):
            lines.append(
                Markup("<strong>{}</strong> {}").format(words.number(number), _inline(item.text))
            )
    elif isinstance(question, Numeric):
        unit = f" {question.unit}" if question.unit else ""
        accepted = "; ".join(numeric_text(answer, words) + unit for answer in question.answers)
        lines.append(Markup("<strong>{}</strong>").format(accepted))
    elif isinstance(question, FillBlanks):
        for number, gap in enumerate(question.gaps, start=1):
            others = words.text("list_separator").join(gap.accepted[1:])
            also = Markup(" ") + words.markup("also_accepted", answers=others) if others else ""
            lines.append(
                Markup("({}) <strong>{}</strong>{}").format(
                    words.number(number), gap.accepted[0], also
                )
            )
    else:
        assert isinstance(question, Open)
        lines.append(
            Markup("<em>{}</em> {}").format(
                words.text("model_answer_label"), _inline(question.model_answer)
            )
        )
        lines.extend(Markup("☐ {}").format(_inline(criterion)) for criterion in question.rubric)
    return Markup("<br>").join(lines)
