"""The handout as print HTML: the lesson laid out by lessonc's own print templates.

The screen page is not reused: paper needs a title block, a table of contents
with page numbers, running headers, a fold-and-cut flashcard table, room to
write answers and an answer key at the end. Lesson text reaches the template
only through the sanitising ``md`` filters; the CSS is lessonc's (or the
user's template folder's), never the lesson's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

from markupsafe import Markup

from lessonc import __version__, i18n, markup
from lessonc.assets import text_fields
from lessonc.editions import Edition, student_view
from lessonc.model import (
    CLOZE_PATTERN,
    BasicCard,
    ClozeCard,
    Lesson,
    MultipleChoice,
    Question,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from lessonc.outputs.pdf.exercises import exercise_answer
from lessonc.outputs.pdf.script import script_css
from lessonc.templating import environment
from lessonc.textwriters import SOLUTION_PLACE

TEMPLATE = "handout.html.j2"
STYLESHEET = "handout.css"
PAGE_SIZES = {"a4": "A4", "letter": "letter"}
"""``--paper`` values and the CSS page size each stands for."""


@dataclass(frozen=True)
class PrintedCard:
    """A flashcard as printed: Markdown for the front and for the back."""

    front: str
    back: str


@dataclass(frozen=True)
class AnswerKeyEntry:
    """One question's answer as printed in the key."""

    number: int
    answer: Markup
    explanation: str


@dataclass(frozen=True)
class SolutionEntry:
    """A ``::: solution`` block as the answer key prints it."""

    number: int
    title: Markup
    body: Markup


class SolutionsToKey:
    """The student handout's ``md`` filter: each solution in the text is printed in the
    answer key, numbered in reading order, and a reference to it where it stood, so a
    learner tries the exercise before turning to the answer (as the page folds it)."""

    def __init__(self, words: i18n.Catalogue) -> None:
        self.words = words
        self.entries: list[SolutionEntry] = []

    def __call__(self, text: str) -> Markup:
        html, solutions = markup.to_html_taking_solutions(text, "pdf")
        before, *afters = html.split(SOLUTION_PLACE)
        shown = [Markup(before)]
        for (title, body), after in zip(solutions, afters, strict=True):
            number = len(self.entries) + 1
            self.entries.append(SolutionEntry(number, Markup(title), Markup(body)))
            said = self.words.markup("solution_in_key", title=unescape(title), number=number)
            shown.append(
                Markup('<p class="solution-ref"><a href="#solution-{}">{}</a></p>').format(
                    number, said
                )
            )
            shown.append(Markup(after))
        return Markup("").join(shown)

    def inline(self, md_inline: Callable[[str], Markup]) -> Callable[[str], Markup]:
        """The ``md_inline`` filter, taking solutions to the key as :meth:`__call__` does."""

        def filtered(text: str) -> Markup:
            return self(text) if _holds_solution(text) else md_inline(text)

        return filtered


def holds_solutions(lesson: Lesson) -> bool:
    """Whether any text of the lesson holds a ``::: solution`` block (for the contents, which
    come before the text that would tell)."""
    return any(_holds_solution(text) for _, text in text_fields(lesson))


def _holds_solution(text: str) -> bool:
    # The ":::" test first: most texts hold no callout, and need no parse to tell.
    return ":::" in text and bool(markup.to_html_taking_solutions(text, "pdf")[1])


def choice_label(index: int) -> str:
    """A, B, … Z, then AA, AB …: the label printed before a choice."""
    label = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        label = chr(ord("A") + remainder) + label
    return label


def printed_card(card: BasicCard | ClozeCard) -> PrintedCard:
    """Front and back of a card; a cloze shows its gaps (or hints) in front, the answers behind."""
    if isinstance(card, BasicCard):
        return PrintedCard(card.front, card.back)

    def gap(match: object) -> str:
        hint = match.group(3)  # type: ignore[attr-defined]
        return f"[{hint}]" if hint else "[…]"

    def filled(match: object) -> str:
        return f"**{match.group(2)}**"  # type: ignore[attr-defined]

    back = CLOZE_PATTERN.sub(filled, card.cloze)
    if card.extra:
        back = f"{back}\n\n{card.extra}"
    return PrintedCard(CLOZE_PATTERN.sub(gap, card.cloze), back)


def answer_entry(
    number: int, question: Question, words: i18n.Catalogue | None = None
) -> AnswerKeyEntry:
    """What the key prints for one question: the right choice letters, true/false or the answer."""
    words = words or i18n.for_language("en")
    if isinstance(question, SingleChoice | MultipleChoice):
        parts = [
            Markup("<strong>{}</strong> {}").format(
                choice_label(i), Markup(markup.to_inline_html(c.text, "pdf"))
            )
            for i, c in enumerate(question.choices)
            if c.correct
        ]
        answer = Markup("<br>").join(parts)
    elif isinstance(question, TrueFalse):
        answer = Markup("<strong>{}</strong>").format(
            words.text("true" if question.answer else "false")
        )
    elif not isinstance(question, ShortAnswer):
        answer = exercise_answer(question, choice_label, words)
    else:
        answer = Markup("<strong>{}</strong>").format(question.accepted[0])
        if len(question.accepted) > 1:
            others = words.text("list_separator").join(question.accepted[1:])
            answer += Markup(" ") + words.markup("also_accepted", answers=others)
    return AnswerKeyEntry(number, answer, question.explanation)


def w3c_date(epoch: int) -> str:
    """The timestamp as WeasyPrint's ``dcterms`` metas expect it (UTC, second precision)."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def audio_names(lesson: Lesson, audio_format: str) -> dict[str, object]:
    """The audio lesson's file names (see lessonc.outputs.audio), for the handout to name."""
    return {
        "dialogue": f"audio/dialogue.{audio_format}" if lesson.dialogue is not None else None,
        "chapters": [
            f"audio/chapter-{n}.{audio_format}" for n in range(1, len(lesson.chapters) + 1)
        ],
    }


def handout_html(
    lesson: Lesson,
    *,
    paper: str,
    source_date_epoch: int,
    template_dirs: Sequence[Path] = (),
    audio_format: str | None = None,
    edition: Edition = "student",
) -> str:
    """The complete, self-contained print HTML of the handout (CSS inline, images relative);
    with ``audio_format``, a line under the dialogue and each chapter names its audio file.

    The student edition leaves out the teacher notes and prints every solution in the
    answer key; the teacher edition prints the notes, and solutions and the practice
    questions' answers where they stand (it has no answer key)."""
    if paper not in PAGE_SIZES:
        raise ValueError(f"paper must be one of {', '.join(PAGE_SIZES)}, not {paper!r}")
    teacher = edition == "teacher"
    if not teacher:
        lesson = student_view(lesson)
    env = environment("pdf", template_dirs)
    # Text whose solutions must stay where they stand (the answer key's own explanations).
    env.filters["md_in_place"] = env.filters["md"]
    # The stylesheet is read raw (not rendered) so CSS braces never meet Jinja syntax.
    loader = env.loader
    assert loader is not None
    stylesheet, _, _ = loader.get_source(env, STYLESHEET)
    speakers = {}
    if lesson.dialogue is not None:
        speakers = {s.id: s.name for s in lesson.dialogue.speakers}
    words = i18n.for_language(lesson.language, lesson.ui)
    solutions = None
    if not teacher:
        solutions = SolutionsToKey(words)
        env.filters["md"] = solutions
        # A choice or an item is inline text, but a solution may stand in it too.
        env.filters["md_inline"] = solutions.inline(env.filters["md_inline"])
    direction = lesson.direction or i18n.text_direction(lesson.language)
    template = env.get_template(TEMPLATE)
    return template.render(
        t=words.markup,
        tt=words.text,
        num=words.number,
        direction=direction,
        script_css=Markup(script_css(lesson.language, direction, words)),
        lesson=lesson,
        stylesheet=Markup(stylesheet),
        page_size=PAGE_SIZES[paper],
        created=w3c_date(source_date_epoch),
        generator=f"lessonc {__version__}",
        speakers=speakers,
        cards=[printed_card(card) for card in lesson.flashcards],
        answers=[answer_entry(n, q, words) for n, q in enumerate(lesson.practice, start=1)],
        choice_label=choice_label,
        audio=audio_names(lesson, audio_format) if audio_format else None,
        teacher=teacher,
        solutions=solutions,
        has_solutions=not teacher and holds_solutions(lesson),
    )
