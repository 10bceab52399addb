"""Anki fields of the exercise-type questions.

``fill_blanks`` and ``matching`` become Cloze notes: each gap, or each pair's
partner, is a deletion ``{{cN::…}}``, so Anki makes one card per gap or pair
and schedules each on its own. A drop-down gap's choices are its hint
(``{{cN::answer::a / b / c}}``). ``ordering``, ``numeric`` and ``open`` are
practice notes: the prompt on the front, the ordered list, the accepted
numbers or the model answer on the back.
"""

from __future__ import annotations

from html import escape

from lessonc import i18n, markup
from lessonc.model import FillBlanks, Matching, Numeric, Open, Ordering, Question
from lessonc.outputs.pdf.exercises import numeric_text
from lessonc.quiz_exercises import gap_parts


def _deletion_text(text: str) -> str:
    # Plain text inside a deletion: '::' would start a hint and '}}' end it, so the
    # characters that form them become entities, which Anki shows as themselves.
    return escape(text).replace(":", "&#58;").replace("}", "&#125;")


def cloze_fields(question: Question) -> tuple[str, str] | None:
    """Text and Extra of the Cloze note a question becomes; None if it is no cloze."""
    explanation = markup.to_html(question.explanation)
    if isinstance(question, FillBlanks):
        pieces = []
        for part in gap_parts(markup.to_html(question.text)):
            if isinstance(part, int):
                gap = question.gaps[part]
                hint = " / ".join(gap.choices)
                answer = _deletion_text(gap.accepted[0])
                hinted = f"::{_deletion_text(hint)}" if hint else ""
                pieces.append(f"{{{{c{part + 1}::{answer}{hinted}}}}}")
            else:
                pieces.append(str(part))
        return markup.to_html(question.prompt) + "".join(pieces), explanation
    if isinstance(question, Matching):
        rows = "".join(
            f"<li>{markup.to_inline_html(pair.left)} → "
            f"{{{{c{number}::{_deletion_text(markup.to_plain(pair.right) or pair.right)}}}}}</li>"
            for number, pair in enumerate(question.pairs, start=1)
        )
        return f'{markup.to_html(question.prompt)}<ul class="pairs">{rows}</ul>', explanation
    return None


def answer_fields(question: Question, words: i18n.Catalogue) -> tuple[str, str, str]:
    """Instructions, answer and feedback HTML of an ordering, numeric or open question; the
    instructions in the lesson's language (``words``)."""
    if isinstance(question, Ordering):
        items = "".join(f"<li>{markup.to_inline_html(item.text)}</li>" for item in question.items)
        return escape(words.text("anki_put_in_order")), f'<ol class="answer-list">{items}</ol>', ""
    if isinstance(question, Numeric):
        unit = f" {question.unit}" if question.unit else ""
        accepted = "; ".join(numeric_text(answer, words) + unit for answer in question.answers)
        return escape(words.text("anki_answer_number")), escape(accepted), ""
    assert isinstance(question, Open)
    rubric = "".join(f"<li>{markup.to_inline_html(c)}</li>" for c in question.rubric)
    feedback = f'<ul class="rubric">{rubric}</ul>' if rubric else ""
    return (
        escape(words.text("anki_answer_own_words")),
        markup.to_html(question.model_answer),
        feedback,
    )
