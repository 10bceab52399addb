"""The lint rules: things that are valid but probably not what the author meant.

Each rule has a stable code (L101 …), a short name and a check that yields
located diagnostics. Severity is set by :mod:`lessonc.lint` (warnings, or
errors under ``--strict``), so rules only say where and what.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from lessonc import markup
from lessonc.diagnostics import Diagnostic
from lessonc.model import (
    BasicCard,
    Lesson,
    MultipleChoice,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)
from lessonc.source import Located

RuleCheck = Callable[[Lesson, Located], Iterator[Diagnostic]]

SIMILAR = 0.85
"""difflib ratio from which two texts count as the same text reworded."""
GIVEAWAY_RATIO = 2.0
"""A choice this many times longer than every other choice gives the answer away …"""
GIVEAWAY_MIN_EXTRA = 25
"""… when it is also at least this many characters longer (short options vary a lot)."""

# Keys whose values are identifiers or addresses, not prose to search for terms.
_NOT_PROSE = frozenset(
    {"id", "speaker", "tags", "url", "kind", "type", "language", "license", "email"}
)


@dataclass(frozen=True)
class Rule:
    """One lint rule."""

    code: str
    name: str
    summary: str
    check: RuleCheck


def normal(text: str) -> str:
    """Plain text, lower case, punctuation dropped, whitespace folded: for comparisons."""
    plain = markup.to_plain(text).casefold()
    return " ".join(re.findall(r"\w+", plain))


def _same_text(a: str, b: str) -> bool:
    first, second = normal(a), normal(b)
    if not first or not second:
        return False
    return first == second or difflib.SequenceMatcher(None, first, second).ratio() >= SIMILAR


def _prose(value: Any, key: str = "") -> Iterator[str]:
    if key in _NOT_PROSE:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for child_key, child in value.items():
            yield from _prose(child, str(child_key))
    elif isinstance(value, list):
        for child in value:
            yield from _prose(child, key)


def _mentions(text: str, name: str) -> bool:
    # Word boundaries on both sides; a plural ending still counts as a use.
    pattern = r"(?<!\w)" + re.escape(normal(name)) + r"(?:e?s)?(?!\w)"
    return re.search(pattern, text) is not None


def check_unused_glossary_terms(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """L101: a glossary term (or one of its aliases) appears nowhere in the lesson's text."""
    data = lesson.model_dump(exclude={"glossary"})
    text = " \n ".join(normal(t) for t in _prose(data))
    for index, entry in enumerate(lesson.glossary):
        if not any(_mentions(text, name) for name in (entry.term, *entry.aliases)):
            yield source.diagnostic(
                ("glossary", index, "term"),
                "L101",
                f"the glossary term '{entry.term}' is never used in the lesson",
                "use it in the text, add the spelling used there to 'aliases', or remove the entry",
            )


def check_card_back_repeats_front(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """L102: a basic flashcard's back says what its front already says."""
    for index, card in enumerate(lesson.flashcards):
        if not isinstance(card, BasicCard):
            continue
        front, back = normal(card.front), normal(card.back)
        if _same_text(card.front, card.back) or (back and back in front):
            yield source.diagnostic(
                ("flashcards", index, "back"),
                "L102",
                "the back of this card repeats its front",
                "the back should answer the front, not restate it",
            )


def _answer_texts(question: Any) -> list[str]:
    if isinstance(question, SingleChoice | MultipleChoice):
        return [" ".join(c.text for c in question.choices if c.correct)]
    if isinstance(question, ShortAnswer):
        return [question.accepted[0]]
    if isinstance(question, TrueFalse):
        return [question.prompt, "true" if question.answer else "false"]
    return []


def check_explanation_repeats_answer(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """L103: a question's explanation only repeats the answer instead of saying why."""
    for index, question in enumerate(lesson.practice):
        explanation = normal(question.explanation)
        for answer in _answer_texts(question):
            words = set(normal(answer).split())
            if _same_text(question.explanation, answer) or set(explanation.split()) <= words:
                yield source.diagnostic(
                    ("practice", index, "explanation"),
                    "L103",
                    "the explanation only repeats the answer",
                    "say why the answer is right (or why the tempting wrong answer is wrong)",
                )
                break


def check_wrong_choice_feedback(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """L104: a wrong choice has no feedback telling the learner why it is wrong."""
    for index, question in enumerate(lesson.practice):
        if not isinstance(question, SingleChoice | MultipleChoice):
            continue
        for choice_index, choice in enumerate(question.choices):
            if not choice.correct and choice.feedback is None:
                yield source.diagnostic(
                    ("practice", index, "choices", choice_index),
                    "L104",
                    f"wrong choice {choice_index + 1} has no feedback",
                    "add 'feedback:' saying why this choice is wrong",
                )


def check_choice_giveaway(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """L105: one choice is far longer than all the others, which gives it away."""
    for index, question in enumerate(lesson.practice):
        if not isinstance(question, SingleChoice | MultipleChoice):
            continue
        lengths = [len(markup.to_plain(c.text)) for c in question.choices]
        longest = max(range(len(lengths)), key=lengths.__getitem__)
        others = max(n for i, n in enumerate(lengths) if i != longest)
        extra = lengths[longest] - others
        if lengths[longest] >= GIVEAWAY_RATIO * others and extra >= GIVEAWAY_MIN_EXTRA:
            yield source.diagnostic(
                ("practice", index, "choices", longest, "text"),
                "L105",
                f"choice {longest + 1} is {lengths[longest]} characters long, the others "
                f"at most {others}: its length gives it away",
                "make the choices about equally long",
            )


RIGHT_FIRST_MIN = 3
"""Choice questions from which 'the right answer is always first' is a pattern, not chance."""


def check_right_answer_always_first(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """L107: in every choice question of the lesson the first choice is right."""
    questions = [
        (index, q)
        for index, q in enumerate(lesson.practice)
        if isinstance(q, SingleChoice | MultipleChoice)
    ]
    if len(questions) < RIGHT_FIRST_MIN or not all(q.choices[0].correct for _, q in questions):
        return
    last = questions[-1][0]
    yield source.diagnostic(
        ("practice", last, "choices", 0),
        "L107",
        f"in all {len(questions)} choice questions the first choice is a right one: "
        "learners pick up the pattern instead of the answer",
        "put the right choices in different places",
    )


def check_summary_depths(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """L106: a shorter summary depth is longer than the deeper one (quick > standard > …)."""
    depths = [
        (name, len(normal(getattr(lesson.summary, name)).split()))
        for name in ("quick", "standard", "detailed")
    ]
    for (short_name, short_words), (long_name, long_words) in itertools.pairwise(depths):
        if short_words > long_words:
            yield source.diagnostic(
                ("summary", short_name),
                "L106",
                f"the {short_name} summary ({short_words} words) is longer than the "
                f"{long_name} one ({long_words} words)",
                "quick < standard < detailed: each depth should say more than the one before",
            )


_PROSE_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")
"""A word of three letters or more not spelt as a command (``\\sigma``): prose, not maths."""


def check_money_dollars(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """L108: a "formula" that reads like prose: two dollars meant as money took the text
    between them for maths."""
    from lessonc.assets import text_fields  # on use, like validation's formula check
    from lessonc.scalars import ScalarLocator

    if "$" not in source.text:
        return
    locate = ScalarLocator(source)
    for path, text in text_fields(lesson):
        if "$" not in text or (path and path[-1] in _NOT_PROSE):
            continue
        for tex, _display, offset in markup.formulas(text):
            unwrapped = re.sub(r"\\(?:text|mathrm|operatorname)\{[^}]*\}", "", tex)
            if " " in tex.strip() and len(_PROSE_WORD.findall(unwrapped)) >= 2:
                line, col = locate.position(path, text, offset)
                yield Diagnostic(
                    source.display, line, col, "L108",
                    f"'{tex[:40]}' between dollars reads like words, not maths",
                    "a dollar sign that is money is written \\$ (a dollar next to a digit, "
                    "as in $5, is always money)",
                )  # fmt: skip


def check_image_alt_text(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """L109: an image without alt text, so a reader who cannot see it learns nothing from it
    (a figure with attributes gets an error from validation instead)."""
    from lessonc.assets import text_fields
    from lessonc.scalars import ScalarLocator

    if "![" not in source.text:
        return
    locate = ScalarLocator(source)
    for path, text in text_fields(lesson):
        if "![" not in text:
            continue
        for problem in markup.image_problems(text):
            if problem.warning:
                line, col = locate.position(path, text, problem.offset)
                yield Diagnostic(source.display, line, col, "L109", problem.message, problem.hint)


RULES: tuple[Rule, ...] = (
    Rule("L101", "unused-glossary-term", "a glossary term never used in the text",
         check_unused_glossary_terms),
    Rule("L102", "card-back-repeats-front", "a flashcard whose back repeats its front",
         check_card_back_repeats_front),
    Rule("L103", "explanation-repeats-answer", "an explanation that only repeats the answer",
         check_explanation_repeats_answer),
    Rule("L104", "wrong-choice-without-feedback", "a wrong choice without feedback",
         check_wrong_choice_feedback),
    Rule("L105", "choice-length-giveaway", "a choice far longer than the others",
         check_choice_giveaway),
    Rule("L106", "summary-depth-order", "a summary longer than the deeper one",
         check_summary_depths),
    Rule("L107", "right-answer-always-first", "every choice question's right answer first",
         check_right_answer_always_first),
    Rule("L108", "dollars-read-as-maths", "money dollars that made a formula of words",
         check_money_dollars),
    Rule("L109", "image-without-alt", "an image without alt text", check_image_alt_text),
)  # fmt: skip
"""Every lint rule, in code order."""
