"""The JSON Schemas lessonc publishes, generated from the Pydantic models."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from lessonc.model import Lesson

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _AuthoringOrder(GenerateJsonSchema):
    """Pydantic's generator, except that examples keep their keys in the order authors write them.

    Editors insert an example as it stands in the schema: 'front' before
    'back' reads right, the alphabetical order pydantic applies does not.
    """

    def _sort_recursive(self, value: Any, parent_key: str | None = None) -> Any:
        if parent_key == "examples":
            return value
        return super()._sort_recursive(value, parent_key)


def lesson_schema() -> dict[str, Any]:
    """JSON Schema 2020-12 of a lesson source, with every field's description and examples."""
    document = Lesson.model_json_schema(mode="validation", schema_generator=_AuthoringOrder)
    return {"$schema": JSON_SCHEMA_DIALECT, **document}


def course_schema() -> dict[str, Any]:
    """JSON Schema 2020-12 of a course file (``course.yaml``), like the lesson's."""
    from lessonc.course.model import course_spec_model

    document = course_spec_model().model_json_schema(
        mode="validation", schema_generator=_AuthoringOrder
    )
    return {"$schema": JSON_SCHEMA_DIALECT, **document}


def schema_text(document: dict[str, Any]) -> str:
    """A schema as its file holds it: indented, UTF-8 as is, one final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def all_schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, for every format lessonc defines."""
    schemas = {"lesson.schema.json": lesson_schema(), "course.schema.json": course_schema()}
    if importlib.util.find_spec("lessonc.quiz") is not None:
        quiz = importlib.import_module("lessonc.quiz")
        schemas["quiz.schema.json"] = quiz.json_schema()
    return schemas
