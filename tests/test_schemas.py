"""The committed JSON Schemas are what the models generate, and they accept the example."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _lesson_fields() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of the lesson schema's root and of each of its ``$defs``, by dotted name."""
    schema = all_schemas()["lesson.schema.json"]
    parts = [("Lesson", schema), *schema["$defs"].items()]
    for name, definition in parts:
        for field, spec in definition.get("properties", {}).items():
            yield f"{name}.{field}", spec


def test_every_field_is_documented() -> None:
    fields = dict(_lesson_fields())
    assert len(fields) > 80
    assert [name for name, spec in fields.items() if not spec.get("description")] == []
    assert [name for name, spec in fields.items() if not spec.get("examples")] == []
    # Descriptions double as one-line diagnostic hints.
    assert [name for name, spec in fields.items() if "\n" in spec["description"]] == []


def test_each_field_has_its_own_description() -> None:
    # A description on a shared alias (Slug, Url) would replace the fields' own docstrings.
    fields = dict(_lesson_fields())
    assert fields["Lesson.id"]["description"].startswith("The lesson's identity")
    assert fields["Video.url"]["description"].startswith("Where the video lives")
    assert fields["Lesson.summary"]["description"]
    assert fields["Choice.id"]["examples"] != fields["BasicCard.id"]["examples"]


def test_every_example_validates_against_its_field() -> None:
    definitions = all_schemas()["lesson.schema.json"]["$defs"]
    failures = []
    for name, spec in _lesson_fields():
        validator = jsonschema.Draft202012Validator({"$defs": definitions, **spec})
        for example in spec["examples"]:
            failures += [f"{name}: {error.message}" for error in validator.iter_errors(example)]
    assert failures == []


def test_example_validation_catches_a_bad_example() -> None:
    # The check above must be able to fail: a pattern and a $ref both reject these.
    definitions = all_schemas()["lesson.schema.json"]["$defs"]
    fields = dict(_lesson_fields())
    slug = jsonschema.Draft202012Validator({"$defs": definitions, **fields["Lesson.id"]})
    assert list(slug.iter_errors("Foundation Models"))
    summary = jsonschema.Draft202012Validator({"$defs": definitions, **fields["Lesson.summary"]})
    assert list(summary.iter_errors({"quick": "Only one depth."}))


def test_example_points_editors_at_the_schema() -> None:
    first = EXAMPLE.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/lesson.schema.json"
