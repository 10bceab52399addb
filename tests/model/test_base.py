"""The models' building blocks: defaults that are cheap to build and never shared."""

from __future__ import annotations

import inspect

import pytest
from pydantic import BaseModel

import lessonc.model
from lessonc.model import Lesson


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
