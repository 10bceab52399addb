"""Rules types cannot express: unique ids, right answers, acronyms that spell, references."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from lessonc.diagnostics import Diagnostic, Severity
from lessonc.model import (
    CLOZE_PATTERN,
    Acronym,
    BasicCard,
    ClozeCard,
    Identified,
    Lesson,
    Mnemonic,
    MultipleChoice,
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


def check_flashcards(lesson: Lesson, source: Located) -> Iterator[Diagnostic]:
    """No two cards ask the same thing; a cloze card has at least one gap."""
    seen: dict[str, int] = {}
    for index, card in enumerate(lesson.flashcards):
        path = ("flashcards", index)
        if isinstance(card, ClozeCard):
            asked = card.cloze
            if not CLOZE_PATTERN.search(card.cloze):
                yield source.diagnostic(
                    (*path, "cloze"),
                    "cloze-without-gap",
                    "a cloze card needs at least one gap",
                    "write the hidden part as {{c1::answer}}",
                )
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
)
