"""The committed JSON Schemas are what the models generate, and they accept the examples."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from conftest import EXAMPLE, FIXTURES, ROOT, run_cli
from lessonc.schemas import all_schemas

COURSE = FIXTURES / "course"


def test_committed_schemas_are_current(tmp_path: Path) -> None:
    result = run_cli(["schema", "-o", str(tmp_path)])
    assert result.exit_code == 0
    assert {"lesson.schema.json", "course.schema.json"} <= set(all_schemas())
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


def _fields(name: str = "lesson.schema.json") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of a schema's root and of each of its ``$defs``, by dotted name."""
    schema = all_schemas()[name]
    root = "Lesson" if name == "lesson.schema.json" else "CourseSpec"
    parts = [(root, schema), *schema["$defs"].items()]
    for part, definition in parts:
        for field, spec in definition.get("properties", {}).items():
            yield f"{part}.{field}", spec


def _lesson_fields() -> Iterator[tuple[str, dict[str, Any]]]:
    return _fields("lesson.schema.json")


def test_every_field_is_documented() -> None:
    fields = dict(_lesson_fields())
    assert len(fields) > 80
    # The course file's fields too: the reference and editors show the same text.
    course_fields = dict(_fields("course.schema.json"))
    assert {"CourseSpec.chapters", "CourseChapterSpec.lessons"} <= set(course_fields)
    fields |= course_fields
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


@pytest.mark.parametrize("schema_name", ["lesson.schema.json", "course.schema.json"])
def test_every_example_validates_against_its_field(schema_name: str) -> None:
    definitions = all_schemas()[schema_name]["$defs"]
    failures = []
    for name, spec in _fields(schema_name):
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


def _course_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((ROOT / "schema" / "course.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_course_schema_accepts_the_fixture_course() -> None:
    data = yaml.safe_load((COURSE / "course.yaml").read_text(encoding="utf-8"))
    assert list(_course_validator().iter_errors(data)) == []


def test_course_schema_follows_the_lesson_schema_conventions() -> None:
    lesson, course = all_schemas()["lesson.schema.json"], all_schemas()["course.schema.json"]
    assert course["$schema"] == lesson["$schema"]
    assert course["$id"] == lesson["$id"].replace(":lesson:", ":course:")
    assert course["title"] == "lessonc course"


BROKEN_COURSES = [
    pytest.param(
        "title: T\ntitel: x\nchapters:\n  - title: One\n    lessons: [lessons/attention.yaml]\n",
        "course.yaml:2:1: error[unknown-key]: unknown key 'titel'",
        id="unknown-key",
    ),
    pytest.param(
        "title: T\n",
        "course.yaml:1:1: error[missing-key]: missing required key 'chapters'",
        id="no-chapters",
    ),
    pytest.param(
        "title: T\nchapters:\n  - title: One\n    lessons: []\n",
        "course.yaml:4:14: error[invalid-value]: 'lessons'",
        id="empty-lessons",
    ),
]


def _broken_course(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(COURSE, folder)
    (folder / "course.yaml").write_text(text, encoding="utf-8")
    return folder / "course.yaml"


@pytest.mark.parametrize(("text", "located"), BROKEN_COURSES)
def test_schema_and_build_both_reject_a_broken_course(
    tmp_path: Path, text: str, located: str
) -> None:
    assert list(_course_validator().iter_errors(yaml.safe_load(text)))
    course_file = _broken_course(tmp_path, text)
    for target in (course_file, course_file.parent):  # the file, and the folder holding it
        result = run_cli(["build", str(target), "-o", str(tmp_path / "out"), "-f", "quiz"])
        assert result.exit_code == 1
        assert located in result.stderr
    assert not (tmp_path / "out" / "attention").exists()


@pytest.mark.parametrize("as_folder", [False, True], ids=["file", "folder"])
def test_validate_reports_a_broken_course_file(tmp_path: Path, as_folder: bool) -> None:
    text, located = BROKEN_COURSES[0].values
    course_file = _broken_course(tmp_path, str(text))
    result = run_cli(["validate", str(course_file.parent if as_folder else course_file)])
    assert result.exit_code == 1
    assert str(located) in result.stderr
    assert "in lesson" not in result.stderr


def test_fixture_course_points_editors_at_the_schema() -> None:
    first = (COURSE / "course.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../schema/course.schema.json"
    assert (COURSE / "../../../schema/course.schema.json").resolve().is_file()
