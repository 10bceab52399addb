"""The committed JSON Schemas are what the models generate, and they accept the example."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from conftest import EXAMPLE, ROOT, run_cli
from lessonc.schemas import all_schemas


def test_committed_schemas_are_current(tmp_path: Path) -> None:
    result = run_cli(["schema", "-o", str(tmp_path)])
    assert result.exit_code == 0
    for name in all_schemas():
        committed = ROOT / "schema" / name
        assert committed.exists(), f"schema/{name} is missing: run `lessonc schema`"
        assert committed.read_text(encoding="utf-8") == (tmp_path / name).read_text(
            encoding="utf-8"
        ), f"schema/{name} is stale: run `lessonc schema` and commit it"


def test_lesson_schema_accepts_the_example_and_rejects_unknown_keys() -> None:
    schema = json.loads((ROOT / "schema" / "lesson.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert list(validator.iter_errors(data)) == []
    data["glossary"][0]["defintion"] = "typo"
    assert list(validator.iter_errors(data))


def test_every_field_is_documented() -> None:
    schema = all_schemas()["lesson.schema.json"]
    undocumented = [
        f"{name}.{field}"
        for name, definition in schema["$defs"].items()
        for field, spec in definition.get("properties", {}).items()
        if not spec.get("description")
    ]
    assert undocumented == []


def test_example_points_editors_at_the_schema() -> None:
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/lesson.schema.json"
