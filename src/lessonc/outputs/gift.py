"""The ``gift`` format: the lesson's practice questions as Moodle GIFT (``quiz.gift``).

GIFT is Moodle's plain-text question format (Moodle docs, "GIFT format").
What this writer relies on, checked against Moodle's importer
(``question/format/gift/format.php``):

- ``~ = # { } :`` are escaped with a backslash and a backslash itself as
  ``\\\\``; the importer swaps ``\\\\`` out first, so every other escape is
  unambiguous. A newline in plain text is written as the ``\\n`` escape; in
  HTML text as the entity ``&#10;`` (its ``#`` escaped), which means the same
  in HTML and keeps each question's text on one line, so no blank line can
  split a question.
- Question text is marked ``[html]`` and is lessonc's sanitised HTML; answers
  and feedback inherit that format. Short answers are compared with what the
  learner types, so they are plain text, and a ``*`` in them (a wildcard to
  Moodle) is escaped as ``\\*`` for the short-answer grader.
- Multiple choice gives right answers equal weights summing to 100 and wrong
  ones equal negative weights summing to -100 (ticking every box scores 0).
  Moodle accepts only weights from its list of grade fractions, so a share
  that is not on the list (more than 10 right or wrong choices) is rounded to
  the nearest one, with a warning.
- A wrong answer whose text starts with ``%`` is written with an explicit
  ``%0%`` weight, or Moodle would read its text as a weight.
- True/false feedback: the first ``#`` is shown for a wrong answer and the
  second for a right one.

Images cannot travel in GIFT (it carries no files, and ``@@PLUGINFILE@@`` would name
an empty file area after import): each is replaced by its alt text, with a located
``gift-image`` warning at its question.

Every question type maps, with two losses, each reported as a located
warning: GIFT cannot make a short answer case-sensitive (Moodle imports it
ignoring case), and it cannot set a question's mark: the importer reads no
mark from the text and gives every question Moodle's default mark of 1, so
``points`` other than 1 are lost (one warning per lesson, at the first
``points:``, naming every question it concerns; the QTI export keeps them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

from lessonc import answers, quiz
from lessonc.diagnostics import Severity
from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext, gift_exercises
from lessonc.outputs.gift_text import escape, escape_html
from lessonc.source import PathKey

__all__ = [
    "GIFT_FILE", "RENDERER", "GiftRenderer", "escape", "escape_html", "format_weight",
    "moodle_weight",
]  # fmt: skip

GIFT_FILE = "quiz.gift"
# Moodle's question_bank::fraction_options_full(), as percentages: the only
# weights its importer accepts (5 decimals are within its tolerance).
MOODLE_WEIGHTS = (
    100.0, 90.0, 83.33333, 80.0, 75.0, 70.0, 66.66667, 60.0, 50.0, 40.0, 33.33333,
    30.0, 25.0, 20.0, 16.66667, 14.28571, 12.5, 11.11111, 10.0, 5.0,
)  # fmt: skip


def moodle_weight(share: float) -> tuple[float, bool]:
    """The Moodle grade weight nearest to ``share`` (a percentage) and whether it is exact."""
    nearest = min(MOODLE_WEIGHTS, key=lambda weight: abs(weight - abs(share)))
    exact = abs(nearest - abs(share)) < 0.00001
    return (nearest if share >= 0 else -nearest), exact


def format_weight(weight: float) -> str:
    """``%50%``, ``%-33.33333%``: no trailing zeros, five decimals at most."""
    number = f"{weight:.5f}".rstrip("0").rstrip(".")
    return f"%{number}%"


def _feedback(text: quiz.RichText | None) -> str:
    return "" if text is None else "#" + escape_html(text.html)


def _answer_text(choice: quiz.QuizChoice) -> str:
    return escape_html(choice.text.html) + _feedback(choice.feedback)


class GiftRenderer:
    """Writes ``quiz.gift``, one ``$CATEGORY`` per lesson, questions in source order."""

    name = "gift"

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterator[Artifact]:
        """One artifact; questions GIFT cannot carry faithfully add warnings to ``ctx``."""
        # LMSs shuffle on their own; an export in source order stays reviewable.
        # Formulas as \(…\) and \[…\], which Moodle's TeX and MathJax filters typeset.
        built = _without_images(quiz.from_lesson(lesson, writer="tex"), ctx)
        title = " ".join(f"{lesson.title} ({lesson.id})".split())
        blocks = [
            f"// lessonc quiz export: {title}\n$CATEGORY: $course$/top/{lesson.id}\n",
        ]
        for index, question in enumerate(built.questions):
            block = self.question(question, index, ctx)
            if block is not None:
                blocks.append(block)
        _warn_about_points(built.questions, ctx)
        yield Artifact(GIFT_FILE, "\n".join(blocks).encode())

    def question(self, question: quiz.QuizQuestion, index: int, ctx: BuildContext) -> str | None:
        """One question: ``::id::[html]prompt{answers ####explanation}`` and a final newline;
        None for a question GIFT cannot hold (with a located warning)."""
        head = f"::{escape(question.id)}::[html]{escape_html(question.prompt.html)}"
        general = "\t####" + escape_html(question.explanation.html)
        if isinstance(question, quiz.OpenQuestion):
            return f"{head}{{{general.strip()}}}\n"
        if isinstance(question, quiz.FillBlanksQuestion):
            text = gift_exercises.missing_word(question, general.strip())
            if text is None:
                _warn(
                    ctx, index, "gift-gaps",
                    f"GIFT holds one gap per question; '{question.id}' has "
                    f"{len(question.gaps)} and is left out of quiz.gift",
                    "export qti for questions with several gaps, or split the text",
                )  # fmt: skip
                return None
            return f"{head}{text}\n"
        if isinstance(question, quiz.NumericQuestion):
            head += gift_exercises.unit_note(question)
            body = "\n".join("\t" + line for line in gift_exercises.numeric(question))
            return f"{head}{{#\n{body}\n{general}\n}}\n"
        if isinstance(question, quiz.MatchingQuestion):
            lines = gift_exercises.matching(question)
        elif isinstance(question, quiz.OrderingQuestion):
            lines = gift_exercises.ordering(question)
        elif isinstance(question, quiz.SingleChoiceQuestion):
            lines = [self.single(choice) for choice in question.choices]
        elif isinstance(question, quiz.MultipleChoiceQuestion):
            lines = self.multiple(question.choices, index, ctx)
        elif isinstance(question, quiz.TrueFalseQuestion):
            return f"{head}{{{self.true_false(question)}{general.strip()}}}\n"
        else:
            assert isinstance(question, quiz.ShortAnswerQuestion)
            lines = self.short_answer(question, index, ctx)
        body = "\n".join("\t" + line for line in lines)
        return f"{head}{{\n{body}\n{general}\n}}\n"

    @staticmethod
    def single(choice: quiz.QuizChoice) -> str:
        """``=right#feedback`` or ``~wrong#feedback``."""
        if choice.correct:
            return "=" + _answer_text(choice)
        weight = "%0%" if choice.text.html.startswith("%") else ""
        return "~" + weight + _answer_text(choice)

    @staticmethod
    def multiple(choices: Sequence[quiz.QuizChoice], index: int, ctx: BuildContext) -> list[str]:
        """``~%50%right#feedback`` and ``~%-100%wrong#feedback`` lines."""
        right = sum(choice.correct for choice in choices)
        wrong = len(choices) - right
        lines = []
        inexact = False
        for choice in choices:
            share = 100 / right if choice.correct else -100 / max(wrong, 1)
            weight, exact = moodle_weight(share)
            inexact = inexact or not exact
            lines.append("~" + format_weight(weight) + _answer_text(choice))
        if inexact:
            _warn(
                ctx, index, "gift-weights",
                "Moodle accepts only fixed answer weights; this question's weights were rounded, "
                "so its right answers may not add up to exactly 100%",
                "keep a multiple_choice question to at most 10 right and 10 wrong choices",
            )  # fmt: skip
        return lines

    @staticmethod
    def true_false(question: quiz.TrueFalseQuestion) -> str:
        """``T#wrong feedback#right feedback`` (Moodle's order), empty parts left out at the end."""
        right, wrong = (
            (question.feedback_true, question.feedback_false)
            if question.answer
            else (question.feedback_false, question.feedback_true)
        )
        text = "T" if question.answer else "F"
        if right is not None:
            text += _feedback(wrong) or "#"
            text += _feedback(right)
        elif wrong is not None:
            text += _feedback(wrong)
        return text

    @staticmethod
    def short_answer(
        question: quiz.ShortAnswerQuestion, index: int, ctx: BuildContext
    ) -> list[str]:
        """``=answer`` lines; warns that GIFT drops case sensitivity."""
        if question.case_sensitive:
            _warn(
                ctx, index, "gift-case-sensitive",
                "GIFT cannot mark a short answer case-sensitive: Moodle will accept any case",
                "set the question's case sensitivity in Moodle after importing",
            )  # fmt: skip
        typed = dict.fromkeys(v for a in question.accepted for v in answers.spellings(a))
        return ["=" + escape(answer.replace("*", "\\*")) for answer in typed]


def _without_images(built: quiz.Quiz, ctx: BuildContext) -> quiz.Quiz:
    """The quiz with each image replaced by its alt text, and a warning at each question that
    showed one. A GIFT file carries no files, and Moodle's ``@@PLUGINFILE@@`` names a file of
    the question's own file area, which a GIFT import leaves empty: an image link would show
    every learner a broken picture."""
    from lessonc.outputs.quiz_media import alt_text, replace_images, shows_images

    showing = [(i, q) for i, q in enumerate(built.questions) if shows_images(q)]
    if not showing:
        return built
    for index, question in showing:
        _warn(
            ctx, index, "gift-image",
            f"GIFT cannot carry images: question '{question.id}' shows each image's alt "
            "text in quiz.gift instead",
            "add the image to the question in Moodle after importing, or import the qti "
            "export, which carries its images",
        )  # fmt: skip
    return replace_images(built, alt_text)


def _warn_about_points(questions: Sequence[quiz.QuizQuestion], ctx: BuildContext) -> None:
    """One warning for the lesson's questions whose mark GIFT loses: one per question would
    repeat the same advice; naming each keeps it honest."""
    # Moodle's default mark is 1: a question worth 1 point loses nothing.
    marked = [(index, q) for index, q in enumerate(questions) if q.points != 1]
    if not marked:
        return
    first, question = marked[0]
    if len(marked) == 1:
        which = f"question '{question.id}' (points: {question.points})"
    else:
        listed = ", ".join(f"{q.id}: {q.points}" for _, q in marked)
        which = f"{len(marked)} questions that set points ({listed})"
    _warn(
        ctx, first, "gift-points",
        f"GIFT cannot set a question's mark: Moodle imports {which} with its default mark of 1",
        "set these marks in Moodle after importing, or import the qti export, which keeps them",
        where=("points",),
    )  # fmt: skip


def _warn(
    ctx: BuildContext, index: int, code: str, message: str, hint: str, where: PathKey = ()
) -> None:
    path = ("practice", index, *where)
    diagnostic = ctx.source.diagnostic(path, code, message, hint, key=bool(where))
    ctx.diagnostics.append(dataclasses.replace(diagnostic, severity=Severity.WARNING))


RENDERER = GiftRenderer()
