"""The models' building blocks: defaults that are cheap to build and never shared."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

import lessonc.model
from lessonc.model import Lesson
from lessonc.model.base import _checked_text, _no_control_chars, _require_text


def _models() -> list[type[BaseModel]]:
    return [
        value
        for value in vars(lessonc.model).values()
        if inspect.isclass(value) and issubclass(value, BaseModel)
    ]


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_no_default_factory_is_a_builtin(model: type[BaseModel]) -> None:
    # Pydantic parses a built-in's text signature each time it builds a schema.
    for name, info in model.model_fields.items():
        factory = info.default_factory
        assert factory is None or inspect.isfunction(factory), f"{model.__name__}.{name}"


def test_a_left_out_list_is_a_new_list_for_every_lesson(example_text: str) -> None:
    import yaml

    data = yaml.safe_load(example_text)
    data.pop("references", None)
    first, second = Lesson.model_validate(data), Lesson.model_validate(data)
    assert first.references == [] and first.references is not second.references


def _slow_check(text: str) -> str | None:
    """The checks a text takes, one after the other: its message, or None when it passes."""
    try:
        _require_text(_no_control_chars(text))
    except ValueError as error:
        return str(error)
    return None


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8")) | st.sampled_from(
    ["", " ", "\t", "\n", " a", "a ", "\u00a0", "\u00a0a", "a\u0007", "\u0085", "\u2028x"]
))  # fmt: skip
def test_the_one_line_shortcut_of_the_text_checks_answers_as_they_do(text: str) -> None:
    try:
        _checked_text(text)
        found = None
    except ValueError as error:
        found = str(error)
    assert found == _slow_check(text)
