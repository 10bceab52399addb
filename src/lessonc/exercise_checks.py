"""Rules of the exercise kinds that types cannot express, each reported where it is written."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lessonc.diagnostics import Diagnostic
from lessonc.model import GAP_PATTERN, FillBlanks, Lesson, Matching, Numeric, Ordering
from lessonc.source import Located, PathKey


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _repeats(texts: Iterable[str]) -> Iterator[tuple[int, int]]:
    """(index, index of the first equal text) for each text that repeats an earlier one,
    compared without case or extra spaces."""
    first: dict[str, int] = {}
    for index, text in enumerate(texts):
        earlier = first.setdefault(_normal(text), index)
        if earlier != index:
            yield index, earlier


def check_exercises(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """Matching, ordering, numeric and fill_blanks questions can be answered, and only one way."""
    for index, question in enumerate(lesson.practice):
        path: PathKey = ("practice", index)
        if isinstance(question, Matching):
            yield from _matching(question, path, source)
        elif isinstance(question, Ordering):
            yield from _ordering(question, path, source)
        elif isinstance(question, Numeric):
            yield from _numeric(question, path, source)
        elif isinstance(question, FillBlanks):
            yield from _fill_blanks(question, path, source)


def _matching(question: Matching, path: PathKey, source: Located) -> Iterator[Diagnostic]:
    for pair_index, first in _repeats(pair.left for pair in question.pairs):
        yield source.diagnostic(
            (*path, "pairs", pair_index, "left"),
            "duplicate-choice",
            f"pair {pair_index + 1} repeats the left item of pair {first + 1}",
            "a left item is matched once: merge the pairs or reword one",
        )
    # Several left items may share a partner (sorting 7 items into 3 groups); a distractor
    # equal to a partner would make that partner wrong and right at once.
    rights = {_normal(pair.right) for pair in question.pairs}
    seen: set[str] = set()
    for distractor_index, distractor in enumerate(question.distractors):
        normal = _normal(distractor)
        if normal in rights or normal in seen:
            yield source.diagnostic(
                (*path, "distractors", distractor_index),
                "duplicate-choice",
                f"distractor {distractor_index + 1} repeats a right-hand option",
                "a distractor must differ from every partner and every other distractor",
            )
        seen.add(normal)


def _ordering(question: Ordering, path: PathKey, source: Located) -> Iterator[Diagnostic]:
    for item_index, first in _repeats(item.text for item in question.items):
        yield source.diagnostic(
            (*path, "items", item_index, "text"),
            "duplicate-choice",
            f"item {item_index + 1} repeats item {first + 1}",
            "two equal items have no right order between them: reword or remove one",
        )


def _numeric(question: Numeric, path: PathKey, source: Located) -> Iterator[Diagnostic]:
    for answer_index, answer in enumerate(question.answers):
        where: PathKey = (*path, "answers", answer_index)
        ranged = answer.min is not None or answer.max is not None
        if answer.value is None and not ranged:
            yield source.diagnostic(
                where,
                "numeric-range",
                "a numeric answer needs a 'value' (with a 'tolerance'), or 'min' and 'max'",
                "write value: 1.25, or min: 1.2 and max: 1.3",
            )
        elif answer.value is not None and ranged:
            yield source.diagnostic(
                where,
                "numeric-range",
                "a numeric answer has either a 'value' or a range ('min', 'max'), not both",
                "keep value and tolerance, or keep min and max",
            )
        elif answer.value is None and (answer.min is None or answer.max is None):
            yield source.diagnostic(
                where,
                "numeric-range",
                "a numeric range needs both 'min' and 'max'",
                "write the other end of the range",
            )
        elif answer.min is not None and answer.max is not None and answer.min > answer.max:
            yield source.diagnostic(
                (*where, "min"),
                "numeric-range",
                f"the range's min ({answer.min:g}) is above its max ({answer.max:g})",
                "swap min and max",
            )


def _fill_blanks(question: FillBlanks, path: PathKey, source: Located) -> Iterator[Diagnostic]:
    used = [int(number) for number in GAP_PATTERN.findall(question.text)]
    count = len(question.gaps)
    for number in used:
        if not 1 <= number <= count:
            yield source.diagnostic(
                (*path, "text"),
                "gap-without-answer",
                f"the text has a gap {{{{{number}}}}} but 'gaps' has {count} entries",
                f"add entry {number} to 'gaps', or number the gaps from 1 to {count}",
            )
    repeated = sorted({n for n in used if used.count(n) > 1})
    if repeated:
        yield source.diagnostic(
            (*path, "text"),
            "gap-without-answer",
            f"gap {{{{{repeated[0]}}}}} is written more than once",
            "each entry of 'gaps' is one gap: give each place its own number",
        )
    for gap_index, gap in enumerate(question.gaps):
        where: PathKey = (*path, "gaps", gap_index)
        if gap_index + 1 not in used:
            yield source.diagnostic(
                (*path, "text"),
                "gap-without-answer",
                f"gap {gap_index + 1} is not in the text",
                f"write {{{{{gap_index + 1}}}}} in 'text' where the learner fills it in",
            )
        if not gap.accepted:
            yield source.diagnostic(
                (*where, "accepted") if (*where, "accepted") in source.values else where,
                "gap-without-answer",
                f"gap {gap_index + 1} has no accepted answer",
                "list the right answers under 'accepted'",
            )
        choices = {_normal(choice) for choice in gap.choices}
        for answer_index, answer in enumerate(gap.accepted):
            if gap.choices and _normal(answer) not in choices:
                yield source.diagnostic(
                    (*where, "accepted", answer_index),
                    "gap-without-answer",
                    f"the accepted answer '{answer}' is not one of the gap's choices",
                    "add it to 'choices': a drop-down offers only its choices",
                )
