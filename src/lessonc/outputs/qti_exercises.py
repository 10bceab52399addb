"""QTI 1.2 items (Canvas's dialect) for the exercise types; see lessonc.outputs.qti.

- ``matching`` → ``matching_question``: one ``response_lid`` per left item, the
  right-hand options (partners once each, then distractors) as its choices; each
  pair right adds an equal share of 100 to ``SCORE``, as the page scores it.
- ``numeric`` → ``numerical_question``: ``render_fib fibtype="Decimal"``; an
  answer counts when ``min <= answer <= max`` for any accepted answer.
- ``fill_blanks`` → ``multiple_dropdowns_question`` when every gap is a
  drop-down, else ``fill_in_multiple_blanks_question``; the prompt shows each
  gap as ``[gapN]``, each gap's response is ``response_gapN``, and each gap
  right adds an equal share of 100.
- ``open`` → ``essay_question``: no automatic score; the model answer and the
  rubric are the general feedback, after the explanation.
- ``ordering`` → ``matching_question`` with positions: each item is matched to
  its place (``1``, ``2`` …), each item in its place adds an equal share, as the
  page scores it (QTI 1.2 as LMSs import it has no ordering item).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lessonc import quiz
from lessonc.outputs import qti

EXERCISE_TYPES = {
    "matching": "matching_question",
    "ordering": "matching_question",
    "numeric": "numerical_question",
    "open": "essay_question",
}


def _share(count: int) -> str:
    # Four decimals: the shares of 3 pairs add up to 99.9999, which Canvas rounds to full marks.
    return f"{100 / count:.4f}"


def canvas_type(question: quiz.QuizQuestion) -> str:
    """Canvas's ``question_type`` of an exercise-type question."""
    if isinstance(question, quiz.FillBlanksQuestion):
        if all(gap.choices for gap in question.gaps):
            return "multiple_dropdowns_question"
        return "fill_in_multiple_blanks_question"
    return EXERCISE_TYPES[question.type]


def _adds(processing: ET.Element, share: str) -> ET.Element:
    """A ``respcondition`` adding ``share`` to SCORE; returns its ``conditionvar``."""
    condition = qti._sub(processing, "respcondition", **{"continue": "Yes"})
    variable = qti._sub(condition, "conditionvar")
    qti._sub(condition, "setvar", share, action="Add", varname="SCORE")
    return variable


def fill(
    question: quiz.QuizQuestion, presentation: ET.Element, processing: ET.Element
) -> list[str]:
    """Write the responses and scoring of an exercise-type item; returns the answer ids."""
    if isinstance(question, quiz.MatchingQuestion):
        pairs = [(p.id, p.left.html, p.right.text) for p in question.pairs]
        options = list(dict.fromkeys(p.right.text for p in question.pairs))
        options += [d.text for d in question.distractors if d.text not in options]
        return _matching(question.id, pairs, options, presentation, processing)
    if isinstance(question, quiz.OrderingQuestion):
        places = [str(n) for n in range(1, len(question.items) + 1)]
        pairs = [
            (item.id, item.text.html, place)
            for item, place in zip(question.items, places, strict=True)
        ]
        return _matching(question.id, pairs, places, presentation, processing)
    if isinstance(question, quiz.NumericQuestion):
        response = qti._sub(presentation, "response_str", ident="response1", rcardinality="Single")
        render = qti._sub(response, "render_fib", fibtype="Decimal")
        qti._sub(render, "response_label", ident="answer1", rshuffle="No")
        for answer in question.answers:
            group = qti._sub(qti._condition(processing, score=True), "and")
            qti._sub(group, "vargte", f"{answer.min:.12g}", respident="response1")
            qti._sub(group, "varlte", f"{answer.max:.12g}", respident="response1")
        return []
    if isinstance(question, quiz.FillBlanksQuestion):
        return _gaps(question, presentation, processing)
    assert isinstance(question, quiz.OpenQuestion)
    response = qti._sub(presentation, "response_str", ident="response1", rcardinality="Single")
    qti._sub(qti._sub(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
    return []


def _matching(
    question_id: str,
    pairs: list[tuple[str, str, str]],
    options: list[str],
    presentation: ET.Element,
    processing: ET.Element,
) -> list[str]:
    """(id, left HTML, right text) pairs, each a ``response_lid`` offering every option."""
    idents = {text: f"{question_id}-option-{n}" for n, text in enumerate(options, 1)}
    share = _share(len(pairs))
    for pair_id, left, partner in pairs:
        response = qti._sub(presentation, "response_lid", ident=f"response_{pair_id}")
        qti._html(response, left)
        render = qti._sub(response, "render_choice")
        for text in options:
            label = qti._sub(render, "response_label", ident=idents[text])
            qti._sub(qti._sub(label, "material"), "mattext", text)
        right = _adds(processing, share)
        qti._sub(right, "varequal", idents[partner], respident=f"response_{pair_id}")
    return list(idents.values())


def _gaps(
    question: quiz.FillBlanksQuestion, presentation: ET.Element, processing: ET.Element
) -> list[str]:
    share = _share(len(question.gaps))
    idents: list[str] = []
    for number, gap in enumerate(question.gaps, 1):
        response = qti._sub(presentation, "response_lid", ident=f"response_gap{number}")
        qti._sub(qti._sub(response, "material"), "mattext", f"gap{number}")
        render = qti._sub(response, "render_choice")
        right = _adds(processing, share)
        # A drop-down offers its choices; a typed gap lists what counts as right.
        for index, text in enumerate(gap.choices or gap.accepted, 1):
            ident = f"{question.id}-gap{number}-{index}"
            idents.append(ident)
            label = qti._sub(render, "response_label", ident=ident)
            qti._sub(qti._sub(label, "material"), "mattext", text)
            if text in gap.accepted:
                qti._sub(right, "varequal", ident, respident=f"response_gap{number}")
    return idents


def prompt_html(question: quiz.QuizQuestion) -> str:
    """The prompt as the item shows it: a fill_blanks text follows it with ``[gapN]`` gaps."""
    if isinstance(question, quiz.FillBlanksQuestion):
        text = question.text.html
        for number in range(1, len(question.gaps) + 1):
            text = text.replace(f"{{{{{number}}}}}", f"[gap{number}]")
        return question.prompt.html + text
    return question.prompt.html


def general_feedback(question: quiz.QuizQuestion) -> str:
    """The explanation; for an open question also the model answer and the rubric."""
    html = question.explanation.html
    if isinstance(question, quiz.OpenQuestion):
        html += "<h4>Model answer</h4>" + question.model_answer.html
        if question.rubric:
            items = "".join(f"<li>{criterion.html}</li>" for criterion in question.rubric)
            html += f"<h4>What a good answer has</h4><ul>{items}</ul>"
    return html
