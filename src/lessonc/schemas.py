"""The JSON Schemas lessonc publishes, generated from the Pydantic models."""

from __future__ import annotations

import importlib.util
from typing import Any

from lessonc.model import Lesson

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def lesson_schema() -> dict[str, Any]:
    """JSON Schema 2020-12 of a lesson source, with every field's description and examples."""
    document = Lesson.model_json_schema(mode="validation")
    return {"$schema": JSON_SCHEMA_DIALECT, **document}


def all_schemas() -> dict[str, dict[str, Any]]:
    """File name → schema, for every format lessonc defines."""
    schemas = {"lesson.schema.json": lesson_schema()}
    if importlib.util.find_spec("lessonc.quiz") is not None:
        quiz = importlib.import_module("lessonc.quiz")
        schemas["quiz.schema.json"] = quiz.json_schema()
    return schemas
