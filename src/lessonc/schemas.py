"""The JSON Schemas lessonc publishes, generated from the Pydantic models."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from lessonc.model import Lesson

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
LESSON_TEXT_ANCHOR = "lesson-text"
"""The format reference's section on what lesson text may hold."""
LESSON_TEXT_NOTE = (
    " Lesson text: Markdown with maths, code, tables, callouts and sub-headings"
    f" (docs/format-reference.md#{LESSON_TEXT_ANCHOR})."
)
"""Added to the description of every field that takes lesson text, so an editor's hover
says what the text may hold and where that is described."""


class _AuthoringOrder(GenerateJsonSchema):
    """Pydantic's generator, except that examples keep their keys in the order authors write them.

    Editors insert an example as it stands in the schema: 'front' before
    'back' reads right, the alphabetical order pydantic applies does not.
    """

    def _sort_recursive(self, value: Any, parent_key: str | None = None) -> Any:
        if parent_key == "examples":
            return value
        return super()._sort_recursive(value, parent_key)


def _takes_lesson_text(spec: dict[str, Any]) -> bool:
    """Whether a property is lesson text, alone, optional or in a list (the models mark it
    with ``contentMediaType``)."""
    members = [spec, *spec.get("anyOf", [])]
    members += [m["items"] for m in members if isinstance(m.get("items"), dict)]
    return any(m.get("contentMediaType") == "text/markdown" for m in members)


def _point_at_lesson_text(document: dict[str, Any]) -> dict[str, Any]:
    # Done here rather than in each field's docstring: a text field added later gets the
    # pointer too, and validation's hints keep the field's own short description.
    for definition in [document, *document.get("$defs", {}).values()]:
        for spec in definition.get("properties", {}).values():
            if _takes_lesson_text(spec):
                spec["description"] = spec.get("description", "") + LESSON_TEXT_NOTE
    return document


def lesson_schema() -> dict[str, Any]:
    """JSON Schema 2020-12 of a lesson source, with every field's description and examples."""
    document = Lesson.model_json_schema(mode="validation", schema_generator=_AuthoringOrder)
    return {"$schema": JSON_SCHEMA_DIALECT, **_point_at_lesson_text(document)}


def course_schema() -> dict[str, Any]:
    """JSON Schema 2020-12 of a course file (``course.yaml``), like the lesson's."""
    from lessonc.course.model import course_spec_model

    document = course_spec_model().model_json_schema(
        mode="validation", schema_generator=_AuthoringOrder
    )
    return {"$schema": JSON_SCHEMA_DIALECT, **_point_at_lesson_text(document)}


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
