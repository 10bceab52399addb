"""Rules types cannot express: unique ids, right answers, acronyms that spell, references."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from lessonc.diagnostics import Diagnostic, Severity
from lessonc.exercise_checks import check_exercises
from lessonc.model import (
    CLOZE_PATTERN,
    Acronym,
    BasicCard,
    ClozeCard,
    Identified,
    Lesson,
    Matching,
    Mnemonic,
    MultipleChoice,
    Ordering,
    SingleChoice,
)
from lessonc.source import Located, PathKey

Check = Callable[[Lesson, Located], Iterator[Diagnostic]]


def run(lesson: Lesson, source: Located) -> list[Diagnostic]:
    """Every problem found by every check, in source order."""
    return [diagnostic for check in CHECKS for diagnostic in check(lesson, source)]


def _id_path(source: Located, path: PathKey) -> PathKey:
    # Point at the written id where there is one, else at the item whose text derived it.
    return (*path, "id") if (*path, "id") in source.values else path


def _unique_ids(
    items: Sequence[Identified], base: PathKey, what: str, source: Located
) -> Iterator[Diagnostic]:
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        if item is None:  # an item that failed validation (see validation._partial_lesson)
            continue
        if item.key in first:
            earlier = source.position(_id_path(source, (*base, first[item.key])))
            derived = (*base, index, "id") not in source.values
            hint = f"the first is on line {earlier.line}" + (
                "; this id was derived from the text: give one of them an explicit 'id'"
                if derived
                else ""
            )
            yield source.diagnostic(
                _id_path(source, (*base, index)),
                "duplicate-id",
                f"{what} id '{item.key}' is used twice",
                hint,
            )
        else:
            first[item.key] = index


def check_unique_ids(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """Flashcard, glossary, question and choice ids are unique where they are used."""
    yield from _unique_ids(lesson.flashcards, ("flashcards",), "flashcard", source)
    yield from _unique_ids(lesson.glossary, ("glossary",), "glossary", source)
    yield from _unique_ids(lesson.practice, ("practice",), "question", source)
    yield from _unique_ids(lesson.key_concepts, ("key_concepts",), "key concept", source)
    yield from _unique_ids(lesson.memory_aids, ("memory_aids",), "memory aid", source)
    for index, question in enumerate(lesson.practice):
        if isinstance(question, SingleChoice | MultipleChoice):
            yield from _unique_ids(
                question.choices, ("practice", index, "choices"), "choice", source
            )
        elif isinstance(question, Matching):
            yield from _unique_ids(question.pairs, ("practice", index, "pairs"), "pair", source)
        elif isinstance(question, Ordering):
            yield from _unique_ids(question.items, ("practice", index, "items"), "item", source)
    if lesson.dialogue is not None:
        seen: dict[str, int] = {}
        for index, speaker in enumerate(lesson.dialogue.speakers):
            if speaker.id in seen:
                yield source.diagnostic(
                    ("dialogue", "speakers", index, "id"),
                    "duplicate-id",
                    f"speaker id '{speaker.id}' is used twice",
                )
            seen.setdefault(speaker.id, index)


def check_speakers(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """Every dialogue turn names a declared speaker."""
    if lesson.dialogue is None:
        return
    known = [s.id for s in lesson.dialogue.speakers]
    for scene_index, scene in enumerate(lesson.dialogue.scenes):
        for turn_index, turn in enumerate(scene.turns):
            if turn.speaker not in known:
                yield source.diagnostic(
                    ("dialogue", "scenes", scene_index, "turns", turn_index, "speaker"),
                    "unknown-reference",
                    f"no speaker has the id '{turn.speaker}'",
                    f"declared speakers: {', '.join(known)}",
                )


def check_correct_choices(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """Single choice has exactly one right choice; multiple choice at least one."""
    for index, question in enumerate(lesson.practice):
        if not isinstance(question, SingleChoice | MultipleChoice):
            continue
        right = sum(choice.correct for choice in question.choices)
        path = ("practice", index, "choices")
        if isinstance(question, SingleChoice) and right != 1:
            yield source.diagnostic(
                path,
                "correct-choices",
                f"a single_choice question needs exactly one correct choice, it has {right}",
                "mark one choice 'correct: true', or make it a multiple_choice question"
                if right > 1
                else "mark the right choice with 'correct: true'",
            )
        elif isinstance(question, MultipleChoice) and right == 0:
            yield source.diagnostic(
                path,
                "correct-choices",
                "a multiple_choice question needs at least one correct choice",
                "mark the right choices with 'correct: true'",
            )
        texts: dict[str, int] = {}
        for choice_index, choice in enumerate(question.choices):
            normal = " ".join(choice.text.lower().split())
            if normal in texts:
                yield source.diagnostic(
                    (*path, choice_index, "text"),
                    "duplicate-choice",
                    f"choice {choice_index + 1} repeats choice {texts[normal] + 1}",
                )
            texts.setdefault(normal, choice_index)


def _letters_check(
    spelled: str, words: Sequence[str], path: PathKey, word_key: str, source: Located
) -> Iterator[Diagnostic]:
    letters = [c for c in spelled if c.isalnum()]
    if len(letters) != len(words):
        yield source.diagnostic(
            (*path, word_key),
            "acronym-mismatch",
            f"'{spelled}' has {len(letters)} letters but {len(words)} words are given",
            "give one word per letter, in order",
        )
        return
    for index, (letter, word) in enumerate(zip(letters, words, strict=True)):
        if not word.strip() or word.strip()[0].casefold() != letter.casefold():
            yield source.diagnostic(
                (*path, word_key, index),
                "acronym-mismatch",
                f"letter {index + 1} of '{spelled}' is '{letter}' but the word is '{word}'",
                f"the word for '{letter}' must start with '{letter}'",
            )


def check_memory_aids(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """An acronym's (or a spelling mnemonic's) letters start its words, in order."""
    for index, aid in enumerate(lesson.memory_aids):
        path = ("memory_aids", index)
        if isinstance(aid, Acronym):
            yield from _letters_check(aid.acronym, aid.words, path, "words", source)
        elif isinstance(aid, Mnemonic) and (aid.cue is None) != (aid.words is None):
            yield source.diagnostic(
                path,
                "acronym-mismatch",
                "a mnemonic with a 'cue' needs its 'words', and 'words' need a 'cue'",
            )
        elif isinstance(aid, Mnemonic) and aid.cue is not None and aid.words is not None:
            yield from _letters_check(aid.cue, aid.words, path, "words", source)


MAX_CLOZE_NUMBER = 500
"""Anki makes one card per gap number; its importer refuses a whole deck whose number
overflows (``{{c99999999999::…}}``) and makes no card for ``c0``."""


def _cloze_gaps(card: ClozeCard, path: PathKey, source: Located) -> Iterator[Diagnostic]:
    gaps = [match.group(1) for match in CLOZE_PATTERN.finditer(card.cloze)]
    if not gaps:
        yield source.diagnostic(
            (*path, "cloze"),
            "cloze-without-gap",
            "a cloze card needs at least one gap",
            "write the hidden part as {{c1::answer}}",
        )
    # Compared as text first: int() refuses numbers of more than 4,300 digits.
    wrong = {g for g in gaps if not 1 <= int(g.lstrip("0")[:4] or "0") <= MAX_CLOZE_NUMBER}
    for digits in sorted(wrong, key=lambda g: (len(g), g)):
        shown = digits if len(digits) <= 12 else f"{digits[:12]}…"
        yield source.diagnostic(
            (*path, "cloze"),
            "cloze-number",
            f"gap number c{shown} is out of range: Anki numbers gaps from c1 to "
            f"c{MAX_CLOZE_NUMBER}",
            "number the gaps c1, c2, … (gaps with the same number are hidden together)",
        )


def check_flashcards(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """No two cards ask the same thing; a cloze card has gaps numbered c1 to c500."""
    seen: dict[str, int] = {}
    for index, card in enumerate(lesson.flashcards):
        path = ("flashcards", index)
        if isinstance(card, ClozeCard):
            asked = card.cloze
            yield from _cloze_gaps(card, path, source)
        elif isinstance(card, BasicCard):
            asked = card.front
        else:
            continue
        normal = " ".join(asked.casefold().split())
        if normal in seen:
            yield source.diagnostic(
                (*path, "cloze" if isinstance(card, ClozeCard) else "front"),
                "duplicate-flashcard",
                f"this card repeats flashcard {seen[normal] + 1}",
                "merge the two cards or ask something different",
            )
        seen.setdefault(normal, index)


def check_glossary(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """Glossary terms (and their aliases) are unique, ignoring case."""
    seen: dict[str, int] = {}
    for index, entry in enumerate(lesson.glossary):
        if entry is None:
            continue
        for name_index, name in enumerate([entry.term, *entry.aliases]):
            normal = " ".join(name.casefold().split())
            if normal in seen and seen[normal] != index:
                where = ("term",) if name_index == 0 else ("aliases", name_index - 1)
                yield source.diagnostic(
                    ("glossary", index, *where),
                    "duplicate-term",
                    f"the glossary already defines '{name}' (entry {seen[normal] + 1})",
                    "terms are compared ignoring case",
                )
            seen.setdefault(normal, index)


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 forbids (QTI, the deck's and the handout's XML would not parse)."""


def _strings(node: object, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))


def check_characters(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """No text holds a character XML forbids (written as a YAML escape such as "\\uFFFE").

    One walk over every string of the source, so no output needs its own check. The
    code is the one the models give control characters in text, and validation keeps
    one diagnostic per place and code, so a character both refuse is reported once.
    """
    if "\\" not in source.text:
        # The YAML reader refuses these characters written as they are: only an escape in
        # a double-quoted string can hold one, and every escape starts with a backslash.
        return
    for path, text in _strings(source.data, ()):
        bad = _NOT_IN_XML.search(text)
        if bad is not None:
            yield source.diagnostic(
                path,
                "invalid-value",
                f"character U+{ord(bad.group()):04X} (at character {bad.start() + 1} of this "
                "text) is not allowed: XML, and so the QTI package, cannot hold it",
                "remove it, or write the character you meant",
            )


LATEX_HINT = (
    "check the formula's braces and commands; a dollar sign that is not maths is written \\$"
)


def check_formulas(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """Every formula in the lesson's text is LaTeX the writers can draw: an error points at
    the formula itself, not at the field that holds it."""
    if "$" not in source.text and "\\" not in source.text:
        return  # no formula can be written without a dollar or a backslash
    # Imported on use: most lessons have no formula, and validation need not load Markdown.
    from lessonc import markup, mathtex
    from lessonc.assets import text_fields
    from lessonc.scalars import ScalarLocator

    locate = ScalarLocator(source)
    for path, text in text_fields(lesson):
        if "$" not in text and "\\(" not in text and "\\[" not in text:
            continue
        for tex, _display, offset in markup.formulas(text):
            problem = mathtex.problem(tex)
            if problem is not None:
                line, col = locate.position(path, text, offset)
                yield Diagnostic(source.display, line, col, "latex-error", problem, LATEX_HINT)


def check_figures(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """Every figure's attributes are ones lessonc knows, with values it can show: an error
    points at the attribute. An image without alt text is an error only once it carries
    attributes (new syntax, so no older lesson breaks); otherwise lint's L109 warns."""
    if "![" not in source.text and "\\" not in source.text:
        return  # no image without '![' (or a YAML escape spelling it)
    from lessonc import markup
    from lessonc.assets import text_fields
    from lessonc.scalars import ScalarLocator

    locate = ScalarLocator(source)
    for path, text in text_fields(lesson):
        if "![" not in text:
            continue
        for problem in markup.image_problems(text):
            if not problem.warning:
                line, col = locate.position(path, text, problem.offset)
                yield Diagnostic(
                    source.display, line, col, problem.code, problem.message, problem.hint
                )


def check_language(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """One warning when no interface catalogue has the lesson's language: English stands in."""
    from lessonc import i18n

    _, found = i18n.catalogue(lesson.language)
    if not found:
        diagnostic = source.diagnostic(
            ("language",),
            "unknown-language",
            f"lessonc has no interface strings for {lesson.language!r}: "
            "its headings and buttons will be in English",
            "check the tag, write the strings under 'ui:', or add a catalogue "
            "(docs/translating.md)",
        )
        yield replace(diagnostic, severity=Severity.WARNING)


CHECKS: tuple[Check, ...] = (
    check_language,
    check_unique_ids,
    check_speakers,
    check_correct_choices,
    check_memory_aids,
    check_flashcards,
    check_glossary,
    check_characters,
    check_exercises,
    check_formulas,
    check_figures,
)
