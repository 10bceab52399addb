"""Hypothesis strategies derived from the lesson models, so new fields are fuzzed unasked.

:func:`for_model` walks a Pydantic model's fields (types, Literal, unions,
lists with their length bounds, patterns, number bounds) and builds plain data
of the shape the YAML loader produces. :func:`valid_lessons` then repairs what
types cannot express (the semantic checks: unique ids, one right answer,
acronyms that spell, known speakers), and :func:`invalid_lessons` breaks one
thing on purpose.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from hypothesis import strategies as st
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from lessonc.model import Lesson

# Lesson text: letters from many scripts, Markdown punctuation, blanks. No control
# characters (the model refuses them) and no '!' (an image would need a real file).
_TEXT_ALPHABET = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn"),
    blacklist_characters="!\u2028\u2029\x85",
)
_PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn"))
"""What a pattern-constrained field may be drawn from: YAML cannot hold control characters."""
_MARKDOWN_BITS = st.sampled_from(
    ["*em*", "**strong**", "`code`", "[link](https://example.org/a?b=1)", "\n\n- item\n- item\n\n",
     "<b>raw</b>", "&amp;", "{{c1::gap}}", "> quote\n\n", "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
     "\\", "#", "_", "~~del~~", "1. one\n2. two\n\n", "```\ncode\n```\n\n"]
)  # fmt: skip
_TEXT = st.lists(st.one_of(st.text(_TEXT_ALPHABET, min_size=1, max_size=20), _MARKDOWN_BITS), min_size=1, max_size=6).map("".join).filter(lambda s: s.strip() != "")  # fmt: skip
MAX_LIST = 3
"""List lengths stay near their minimum: the point is shapes and characters, not volume."""


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(_constraints(item.metadata))
            extra = item.json_schema_extra
            if isinstance(extra, dict) and extra.get("contentMediaType") == "text/markdown":
                found["markdown"] = True
        if isinstance(item, AfterValidator):
            # A check beyond the pattern (a URL must also parse): draw only what passes.
            found.setdefault("validators", []).append(item.func)
        for name in ("min_length", "max_length", "ge", "le", "gt", "lt", "pattern"):
            value = getattr(item, name, None)
            if value is not None:
                found[name] = value
    return found


def _passes(validators: list[Any], value: str) -> bool:
    try:
        for validator in validators:
            validator(value)
    except ValueError:
        return False
    return True


def _string(limits: dict[str, Any]) -> st.SearchStrategy[str]:
    longest = limits.get("max_length", 2000)
    validators = limits.get("validators", [])
    if "pattern" in limits:
        pattern = st.from_regex(limits["pattern"], fullmatch=True, alphabet=_PRINTABLE)
        return pattern.filter(lambda s: 0 < len(s) <= longest and _passes(validators, s))
    base = _TEXT if limits.get("markdown") else st.text(_TEXT_ALPHABET, min_size=1, max_size=40)
    return base.filter(lambda s: s.strip() != "" and len(s) <= longest and _passes(validators, s))


def for_annotation(annotation: Any, metadata: list[Any] | None = None) -> st.SearchStrategy[Any]:
    """Plain data that ``annotation`` (with field ``metadata``) accepts."""
    limits = _constraints(metadata or [])
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return for_annotation(inner, [*(metadata or []), *extra])
    if origin in (typing.Union, types.UnionType):
        return st.one_of([for_annotation(a, metadata) for a in typing.get_args(annotation)])
    if origin is typing.Literal:
        return st.sampled_from(typing.get_args(annotation))
    if origin is list:
        (item,) = typing.get_args(annotation)
        smallest = limits.get("min_length", 0)
        return st.lists(for_annotation(item), min_size=smallest, max_size=max(smallest, MAX_LIST))
    if origin is dict:
        key, value = typing.get_args(annotation)
        if key is str:  # the ui: strings, keyed by the interface's own keys (a bare str key)
            from lessonc import i18n

            keys = st.sampled_from(sorted(i18n.reference_keys()))
            return st.dictionaries(keys, for_annotation(value), max_size=3)
        return st.dictionaries(for_annotation(key), for_annotation(value), max_size=MAX_LIST)
    if annotation is type(None):
        return st.none()
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        low = limits.get("ge", limits.get("gt", -(10**6) - 1) + 1)
        return st.integers(low, limits.get("le", limits.get("lt", 10**6 + 1) - 1))
    if annotation is float:
        low = limits.get("ge", -1e6)
        return st.floats(low, 1e6, allow_nan=False, allow_infinity=False)
    if annotation is str:
        return _string(limits)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return for_model(annotation)
    raise TypeError(f"no strategy for {annotation!r}")


def for_model(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Mappings that validate as ``model`` by type (the semantic checks may still object)."""
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        if name == "lint":  # settings for the linter, not lesson content
            continue
        strategy = for_annotation(info.annotation, list(info.metadata))
        (required if info.is_required() else optional)[name] = strategy
    return st.fixed_dictionaries(required, optional=optional)


def _repair(lesson: dict[str, Any]) -> dict[str, Any]:
    """Make generated data pass the semantic checks (see lessonc.checks)."""
    for key in ("flashcards", "glossary", "practice", "key_concepts", "memory_aids"):
        for index, item in enumerate(lesson.get(key, [])):
            item["id"] = f"{key.replace('_', '-')}-{index}"
    dialogue = lesson.get("dialogue")
    if dialogue:
        for index, speaker in enumerate(dialogue["speakers"]):
            speaker["id"] = f"speaker-{index}"
        for scene in dialogue["scenes"]:
            for turn in scene["turns"]:
                turn["speaker"] = "speaker-0"
    for question in lesson.get("practice", []):
        _repair_exercise(question)
        if question["type"] not in ("single_choice", "multiple_choice"):
            continue
        for index, choice in enumerate(question.get("choices", [])):
            choice["id"] = f"choice-{index}"
            choice["text"] = f"{choice['text']} ({index})"
            choice["correct"] = index == 0 or (
                question["type"] == "multiple_choice" and choice.get("correct", False)
            )
    for aid in lesson.get("memory_aids", []):
        if aid["kind"] == "acronym":
            aid["words"] = [f"W{word}" for word in aid["words"]]
            aid["acronym"] = "W" * len(aid["words"])
        elif aid["kind"] == "mnemonic":
            aid.pop("cue", None)
            aid.pop("words", None)
    for index, card in enumerate(lesson.get("flashcards", [])):
        if "cloze" in card:
            card["cloze"] = f"{card['cloze']} ({index}) {{{{c1::gap}}}}"
        else:
            card["front"] = f"{card['front']} ({index})"
    for index, entry in enumerate(lesson.get("glossary", [])):
        entry["term"] = f"{entry['term']} [{index}]"
        entry["aliases"] = [f"alias {index}.{n}" for n in range(len(entry.get("aliases", [])))]
    return lesson


def _repair_exercise(question: dict[str, Any]) -> None:
    """Make an exercise-type question pass the checks of lessonc.exercise_checks."""
    kind = question["type"]
    if kind == "matching":
        for index, pair in enumerate(question["pairs"]):
            pair["id"] = f"pair-{index}"
            pair["left"] = f"{pair['left']} ({index})"
        question["distractors"] = [
            f"distractor {n} {text}" for n, text in enumerate(question.get("distractors", []))
        ]
        rights = {" ".join(p["right"].casefold().split()) for p in question["pairs"]}
        question["distractors"] = [
            d for d in question["distractors"] if " ".join(d.casefold().split()) not in rights
        ]
    elif kind == "ordering":
        for index, item in enumerate(question["items"]):
            item["id"] = f"item-{index}"
            item["text"] = f"{item['text']} ({index})"
    elif kind == "numeric":
        for answer in question["answers"]:
            if answer.get("value") is None:
                low, high = sorted([answer.get("min") or 0.0, answer.get("max") or 1.0])
                answer.update({"min": low, "max": high})
                answer.pop("value", None)
                answer.pop("tolerance", None)
            else:
                answer.pop("min", None)
                answer.pop("max", None)
    elif kind == "fill_blanks":
        question["text"] = (
            question["text"].replace("{{", "{ {")
            + " "
            + " ".join(f"{{{{{n}}}}}" for n in range(1, len(question["gaps"]) + 1))
        )
        for gap in question["gaps"]:
            gap["accepted"] = gap.get("accepted") or ["answer"]
            if gap.get("choices"):
                gap["choices"] = list(dict.fromkeys([*gap["accepted"], *gap["choices"]]))


def valid_lessons() -> st.SearchStrategy[dict[str, Any]]:
    """Lesson data that passes validation and every semantic check."""
    return for_model(Lesson).map(_repair)


_BREAKAGE = st.sampled_from(["drop-required", "unknown-key", "wrong-type", "bad-enum"])


@st.composite
def invalid_lessons(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """Valid lesson data with one thing broken, and which kind of breakage it was."""
    lesson = draw(valid_lessons())
    breakage = draw(_BREAKAGE)
    if breakage == "drop-required":
        key = draw(st.sampled_from([n for n, f in Lesson.model_fields.items() if f.is_required()]))
        del lesson[key]
    elif breakage == "unknown-key":
        lesson[draw(st.sampled_from(["titel", "chapter_s", "flashcard", "summery"]))] = "x"
    elif breakage == "wrong-type":
        lesson[draw(st.sampled_from(["estimated_minutes", "objectives", "chapter"]))] = True
    else:
        lesson["level"] = draw(st.sampled_from(["expert", "Beginner", "", "yes"]))
    return lesson, breakage
