"""GIFT for the exercise types (see lessonc.outputs.gift for escaping and the other types).

- ``matching`` → Moodle matching: ``=left -> right`` per pair, ``= -> distractor``
  for each distractor (left items are HTML, right-hand options plain text, as
  Moodle shows them in a drop-down).
- ``ordering`` → matching with positions: ``=item -> 1``, ``=item -> 2`` …
  (GIFT has no ordering type; Moodle grades each position as a pair).
- ``numeric`` → ``{#=value:tolerance =min..max}``, one ``=`` per accepted answer;
  the unit, which GIFT cannot hold, is added to the question text.
- ``fill_blanks`` with one gap → missing word inside the text: ``{=a =b}`` for a
  typed gap, ``{=right ~other}`` for a drop-down. GIFT has one gap per question,
  so a text with several gaps is left out with a located warning (``gift-gaps``):
  export ``qti`` for those.
- ``open`` → essay: ``{####explanation}``, an answer block with only general feedback.
"""

from __future__ import annotations

from lessonc import quiz
from lessonc.outputs.gift_text import escape, escape_html


def _number(value: float) -> str:
    return f"{value:.12g}"


def matching(question: quiz.MatchingQuestion) -> list[str]:
    """``=left -> right`` lines, distractors with an empty left side."""
    lines = [f"={escape_html(p.left.html)} -> {escape(p.right.text)}" for p in question.pairs]
    lines += [f"= -> {escape(text.text)}" for text in question.distractors]
    return lines


def ordering(question: quiz.OrderingQuestion) -> list[str]:
    """Each item matched to its position, 1 first."""
    return [f"={escape_html(item.text.html)} -> {n}" for n, item in enumerate(question.items, 1)]


def numeric(question: quiz.NumericQuestion) -> list[str]:
    """``=value:tolerance`` or ``=min..max`` lines (after the block's opening ``#``)."""
    lines = []
    for answer in question.answers:
        if answer.value is not None:
            lines.append(f"={_number(answer.value)}:{_number(answer.tolerance)}")
        else:
            lines.append(f"={_number(answer.min)}..{_number(answer.max)}")
    return lines


def unit_note(question: quiz.NumericQuestion) -> str:
    """HTML added to the prompt for the unit, escaped for GIFT ('' without a unit)."""
    if question.unit is None:
        return ""
    return escape_html(f"<p>({quiz_text(question.unit)})</p>")


def quiz_text(text: str) -> str:
    """Plain text as HTML text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def missing_word(question: quiz.FillBlanksQuestion, general: str) -> str | None:
    """The text with its one gap as a GIFT answer block ending in ``general`` (the
    ``####`` explanation); None when the text has several gaps."""
    if len(question.gaps) != 1:
        return None
    gap = question.gaps[0]
    if gap.choices:
        right = {a.casefold() for a in gap.accepted}
        answers = " ".join(
            ("=" if choice.casefold() in right else "~") + escape(choice) for choice in gap.choices
        )
    else:
        answers = " ".join("=" + escape(answer.replace("*", "\\*")) for answer in gap.accepted)
    before, _, after = question.text.html.partition("{{1}}")
    return f"{escape_html(before)}{{{answers} {general}}}{escape_html(after)}"
