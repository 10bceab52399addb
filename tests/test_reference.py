"""The generated references in docs/ are current, and they cover every part and command."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from lessonc.cli import main
from lessonc.course.model import course_spec_model
from lessonc.model import Lesson
from lessonc.reference import cli_reference, format_reference
from lessonc.schemas import course_schema, lesson_schema

DOCS = ROOT / "docs"


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("format-reference.md", "lessonc reference -o docs/format-reference.md"),
        ("cli.md", "lessonc reference --cli -o docs/cli.md"),
    ],
)
def test_committed_reference_is_current(name: str, command: str) -> None:
    expected = cli_reference(main) if name == "cli.md" else format_reference()
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == expected, f"docs/{name} is stale: run `{command}` and commit it"


def test_format_reference_has_every_part_and_field() -> None:
    text = format_reference()
    schema = lesson_schema()
    for name, definition in schema["$defs"].items():
        assert f"\n## {name}\n" in text
        for field in definition.get("properties", {}):
            assert f"| `{field}` |" in text
    for field in Lesson.model_fields:
        assert f"| `{field}` |" in text


def test_format_reference_ends_with_the_course_file() -> None:
    text = format_reference()
    section = text[text.index("\n## Course file (course.yaml)\n") :]
    assert "\n## " not in section[1:]  # the last section: nothing of the lesson's after it
    lesson_parts = lesson_schema()["$defs"]
    for name, definition in course_schema()["$defs"].items():
        # A part the lesson shares is documented once, in the lesson's sections.
        assert f"\n### {name}\n" in section or name in lesson_parts
        for field in definition.get("properties", {}):
            assert f"| `{field}` |" in (section if name not in lesson_parts else text)
    for field in course_spec_model().model_fields:
        assert f"| `{field}` |" in section
    assert "(#coursechapterspec)" in section and "(#lintsettings)" in section
    assert "schema/course.schema.json" in section


def test_cli_reference_has_every_command() -> None:
    text = cli_reference(main)
    for name in ("validate", "build", "schema", "new", "lint", "serve", "reference"):
        assert f"\n## lessonc {name}\n" in text
    assert "\n## lessonc templates export\n" in text
    assert "Usage: lessonc lint [OPTIONS] [PATHS]..." in text


def test_reference_command_writes_and_prints(tmp_path: Path) -> None:
    target = tmp_path / "ref.md"
    assert run_cli(["reference", "-o", str(target)]).exit_code == 0
    assert target.read_text(encoding="utf-8") == format_reference()
    assert run_cli(["reference", "--cli"]).stdout == cli_reference(main)


def test_the_lesson_text_section_is_read_from_the_code() -> None:
    from lessonc.maths_syntax import CALLOUTS
    from lessonc.textwriters import CALLOUT_TITLES, OUTPUT_LANGUAGE, subheading_level

    text = format_reference()
    section = text[text.index("\n## Lesson text\n") : text.index("\n## Course file")]
    for kind in CALLOUTS:
        assert f"| `{kind}` | {CALLOUT_TITLES[kind]} |" in section
    assert f"\n```{OUTPUT_LANGUAGE}\n" in section
    for hashes in range(1, 7):
        rows = (line for line in section.splitlines() if line.startswith("| `#"))
        row = next(line for line in rows if f"`{'#' * hashes}`" in line)
        assert row.endswith(f"| h{subheading_level(hashes)} |")
    for heading in ("Formulas", "Code", "Tables", "Callouts", "Sub-headings"):
        assert f"\n### {heading}\n" in section


def test_every_lesson_text_field_points_at_the_lesson_text_section() -> None:
    from lessonc.schemas import LESSON_TEXT_NOTE

    text = format_reference()
    for schema in (lesson_schema(), course_schema()):
        for definition in [schema, *schema["$defs"].values()]:
            for name, spec in definition.get("properties", {}).items():
                takes_text = "text/markdown" in str(spec)
                assert spec["description"].endswith(LESSON_TEXT_NOTE) == takes_text, name
    assert "[lesson text](#lesson-text)" in text
    assert LESSON_TEXT_NOTE not in text  # the type column links the section instead
