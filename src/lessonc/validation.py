"""Validation of a loaded source: Pydantic's errors and the semantic checks, as located diagnostics.

Every problem is reported in one run. When the types fail, the semantic checks
still run on the parts that did validate (each list item on its own), so a
duplicate id is reported together with a misspelt key elsewhere.
"""

from __future__ import annotations

import difflib
import functools
import types
import typing
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from lessonc import checks
from lessonc.assets import LessonImages, check_images
from lessonc.diagnostics import Diagnostic, sort_key
from lessonc.field_words import label as _label
from lessonc.field_words import pattern_problem as _pattern_problem
from lessonc.model import (
    Acronym,
    FillBlanks,
    Lesson,
    Matching,
    Mnemonic,
    MultipleChoice,
    Numeric,
    Open,
    Ordering,
    Rhyme,
    ShortAnswer,
    SingleChoice,
    Story,
    TrueFalse,
)
from lessonc.source import Located
from lessonc.source_hints import NOT_A_LESSON_HINT


def validate(source: Located) -> tuple[Lesson | None, list[Diagnostic]]:
    """The lesson in ``source``, or None and a located diagnostic for every problem."""
    lesson, _, problems = validate_with_images(source)
    return lesson, problems


def validate_with_images(
    source: Located,
) -> tuple[Lesson | None, LessonImages, list[Diagnostic]]:
    """:func:`validate`, and the images the lesson's text names, each read, decoded and (an
    SVG) sanitised once here for every output; a located error at each unusable reference."""
    if not isinstance(source.data, dict):
        found = _describe(source.data)
        return None, LessonImages(), [
            source.diagnostic(
                (), "not-a-lesson",
                f"not a lesson file: a lesson is a mapping of keys, but this file holds {found}",
                NOT_A_LESSON_HINT,
            )
        ]  # fmt: skip
    try:
        lesson = Lesson.model_validate(source.data)
    except ValidationError as error:
        details = _without_misspelt_missing(error.errors(include_url=False))
        diagnostics = [_diagnostic(source, detail) for detail in details[:MAX_REPORTED]]
        if len(details) > MAX_REPORTED:
            first_unshown = _diagnostic(source, details[MAX_REPORTED])
            diagnostics.append(
                replace(
                    first_unshown, code="too-many-errors",
                    message=f"{len(details) - MAX_REPORTED:,} more problems from here are hidden",
                    hint="fix the ones above and validate again",
                )
            )  # fmt: skip
        partial = _partial_lesson(source.data)
        diagnostics += checks.run(partial, source) + check_images(partial, source)[1]
        return None, LessonImages(), sorted(_dedupe(diagnostics), key=sort_key)
    problems = checks.run(lesson, source)
    images, image_problems = check_images(lesson, source)
    problems += image_problems
    return (None if any(p.is_error for p in problems) else lesson), images, problems


MAX_REPORTED = 200
"""Type errors reported per file; past this an author fixes and reruns (and a hostile
file with a hundred thousand bad keys cannot keep CI busy for minutes)."""


def _without_misspelt_missing(details: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop "missing 'definition'" where the same mapping has an unknown key 'defintion'.

    The unknown key's message already suggests the right name; two messages
    for one typo would make authors hunt for a second mistake.
    """
    unknown: dict[tuple[int | str, ...], list[str]] = {}
    for detail in details:
        if detail["type"] == "extra_forbidden":
            unknown.setdefault(tuple(detail["loc"][:-1]), []).append(str(detail["loc"][-1]))
    kept = []
    for detail in details:
        loc = tuple(detail["loc"])
        if detail["type"] == "missing" and difflib.get_close_matches(
            str(loc[-1]), unknown.get(loc[:-1], []), n=1, cutoff=0.6
        ):
            continue
        kept.append(detail)
    return kept


def _partial_lesson(data: dict[str, Any]) -> Lesson:
    """A lesson of the parts that validate on their own; list items that fail become None.

    Only for the semantic checks after a failed validation: keeping failed
    items as None keeps every valid item at its index, so locations stay right.
    """
    parts: dict[str, Any] = {}
    for name, info in Lesson.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        if typing.get_origin(info.annotation) is list and isinstance(value, list):
            adapter = _adapter(name, each_item=True)
            parts[name] = [_try(adapter, item) for item in value]
        else:
            parts[name] = _try(_adapter(name, each_item=False), value)
    # A part that failed whole keeps its default (an empty list, None) for the checks.
    return Lesson.model_construct(**{k: v for k, v in parts.items() if v is not None})


@functools.cache
def _adapter(field_name: str, *, each_item: bool) -> TypeAdapter[Any]:
    # Building a TypeAdapter compiles a validator: do it once per field, not per lesson.
    annotation: Any = Lesson.model_fields[field_name].annotation
    return TypeAdapter(typing.get_args(annotation)[0] if each_item else annotation)


def _try(adapter: TypeAdapter[Any], value: Any) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _dedupe(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    # A union reports one error per member for the same node; keep one per place and code.
    seen: set[tuple[int, int, str]] = set()
    unique = []
    for diagnostic in diagnostics:
        key = (diagnostic.line, diagnostic.col, diagnostic.code)
        if key not in seen:
            seen.add(key)
            unique.append(diagnostic)
    return unique


def type_diagnostics(
    source: Located, details: list[ErrorDetails], root: type[BaseModel]
) -> list[Diagnostic]:
    """Pydantic's errors about a file validated by ``root`` (a course file, say), located,
    in the words a lesson's errors get."""
    kept = _without_misspelt_missing(details)
    return sorted(_dedupe([_diagnostic(source, d, root) for d in kept]), key=sort_key)


def _diagnostic(
    source: Located, detail: ErrorDetails, root: type[BaseModel] = Lesson
) -> Diagnostic:
    loc = tuple(detail["loc"])
    path, complete = source.nearest(loc)
    kind = detail["type"]
    value = detail.get("input")
    message = detail["msg"].removeprefix("Value error, ")
    field = loc[-1] if loc else "lesson"

    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], root)
        close = difflib.get_close_matches(str(field), allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else _list_hint(allowed)
        return source.diagnostic(path, "unknown-key", f"unknown key '{field}'", hint, key=True)
    if kind == "missing":
        top = "lesson" if root is Lesson else "the file"
        where = top if len(path) == 0 else _label(path)
        return source.diagnostic(
            path,
            "missing-key",
            f"missing required key '{field}' in {where}",
            _field_hint(loc, root),
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        context = detail.get("ctx", {})
        discriminator = str(context.get("discriminator", "'type'")).strip("'")
        tags = context.get("expected_tags") or _DISCRIMINATOR_VALUES.get(discriminator, "")
        if kind == "union_tag_not_found":
            return source.diagnostic(
                path, "missing-key", f"missing required key '{discriminator}'", f"one of: {tags}"
            )
        got = value.get(discriminator) if isinstance(value, dict) else value
        return source.diagnostic(
            (*path, discriminator),
            "invalid-value",
            f"unknown {discriminator} '{got}'",
            f"one of: {tags}",
        )
    if kind == "flashcard_kind":
        return source.diagnostic(path, "invalid-value", message)

    label = _label(loc)
    if kind == "string_pattern_mismatch":
        pattern = str(detail.get("ctx", {}).get("pattern", ""))
        message, hint = _pattern_problem(label, value, pattern, _field_hint(loc, root))
        return source.diagnostic(path, "invalid-value", message, hint)
    written = source.written(path) if complete else None
    hint = _value_hint(kind, value, written)
    code = "wrong-type" if kind.endswith("_type") or kind == "model_type" else "invalid-value"
    if kind == "model_type":
        message = f"expected a mapping of keys, got {_describe(value)}"
    elif kind == "list_type":
        message = f"expected a list, got {_describe(value)}"
    elif kind.endswith("_type"):
        message = f"{message}, got {_describe(value)}"
    elif kind == "literal_error":
        message = f"{message}, got {value!r}"
    if not complete and kind != "model_type":
        hint = hint or f"at '{'.'.join(str(s) for s in loc)}'"
    return source.diagnostic(path, code, f"{label}: {message}", hint)


_DISCRIMINATOR_VALUES = {
    "type": ", ".join(
        repr(t)
        for q in (
            SingleChoice,
            MultipleChoice,
            TrueFalse,
            ShortAnswer,
            Matching,
            Ordering,
            Numeric,
            FillBlanks,
            Open,
        )
        for t in typing.get_args(q.model_fields["type"].annotation)
    ),
    "kind": ", ".join(
        repr(t)
        for m in (Rhyme, Story, Mnemonic, Acronym)
        for t in typing.get_args(m.model_fields["kind"].annotation)
    ),
}


def _value_hint(kind: str, value: Any, written: str | None) -> str | None:
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        # The text as typed: YAML reads 1.10 as the number 1.1, and "1.1" would be wrong.
        return f'quote it to keep it as text: "{written or value}"'
    if kind == "string_type" and isinstance(value, bool):
        return "YAML reads true/false as booleans: quote it to keep it as text"
    if kind == "bool_type" and isinstance(value, str):
        return "write true or false (yes/no/on/off are text in YAML 1.2)"
    if kind == "int_type" and isinstance(value, str):
        return "write a whole number without quotes"
    if kind == "string_too_short" and isinstance(value, str):
        return "write the text, or remove the key if it is optional"
    return None


def _list_hint(allowed: list[str]) -> str | None:
    return f"allowed keys: {', '.join(allowed)}" if allowed else None


def _field_hint(loc: tuple[int | str, ...], root: type[BaseModel] = Lesson) -> str | None:
    while loc and isinstance(loc[-1], int):
        loc = loc[:-1]  # an item of a list field: the field describes it
    if not loc:
        return None
    model = _model_at(loc[:-1], root)
    if model is None or not isinstance(loc[-1], str):
        return None
    field = model.model_fields.get(loc[-1])
    if field is None or not field.description:
        return None
    return f"{loc[-1]}: {field.description}"


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    text = str(value)
    return f"the text {text[:40]!r}" + ("…" if len(text) > 40 else "")


def _allowed_keys(loc: tuple[int | str, ...], root: type[BaseModel] = Lesson) -> list[str]:
    model = _model_at(loc, root)
    return list(model.model_fields) if model is not None else []


def _members(annotation: Any) -> list[Any]:
    """The types an annotation may hold, with Annotated/Optional/Union unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _tag_of(model: type[BaseModel]) -> set[str]:
    tags: set[str] = set()
    for name in ("type", "kind"):
        field = model.model_fields.get(name)
        if field is not None:
            tags.update(str(a) for a in typing.get_args(field.annotation))
    tags.add("cloze" if "cloze" in model.model_fields else "basic")
    return tags


def _model_at(loc: tuple[int | str, ...], root: type[BaseModel] = Lesson) -> type[BaseModel] | None:
    """The model class that validates the node at ``loc`` (union tags in it pick the member)."""
    candidates: list[Any] = [root]
    for segment in loc:
        models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        lists = [c for c in candidates if typing.get_origin(c) is list]
        if isinstance(segment, int) and lists:
            candidates = _members(typing.get_args(lists[0])[0])
        elif isinstance(segment, str) and len(models) > 1:
            chosen = [m for m in models if segment in _tag_of(m)]
            candidates = chosen or models
        elif isinstance(segment, str) and models and segment in models[0].model_fields:
            candidates = _members(models[0].model_fields[segment].annotation)
        else:
            return None
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if len(models) == 1 else None
