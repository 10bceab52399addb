"""`lessonc new`: the starter validates, builds, shows every part of the format, never overwrites."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import EXAMPLE, ROOT, run_cli
from lessonc.model import Lesson, MemoryAid, Question
from lessonc.pipeline import load_lesson
from lessonc.scaffold import ScaffoldError, starter_text, title_from_id
from lessonc.schemas import all_schemas


@pytest.fixture(autouse=True)
def _in_a_fresh_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `lessonc new` writes schema/ into the current folder when it is missing.
    monkeypatch.chdir(tmp_path)


def _kinds(union: object, field: str) -> set[str]:
    members = typing.get_args(typing.get_args(union)[0])
    return {typing.get_args(m.model_fields[field].annotation)[0] for m in members}


def test_new_writes_a_lesson_that_validates(tmp_path: Path) -> None:
    result = run_cli(["new", "plant-basics", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    target = tmp_path / "plant-basics.yaml"
    lesson = load_lesson(target).lesson
    assert lesson.id == "plant-basics"
    assert lesson.title == "Plant basics"
    assert run_cli(["validate", str(target)]).exit_code == 0


def test_new_shows_every_part_of_the_format(tmp_path: Path) -> None:
    run_cli(["new", "every-part", "-o", str(tmp_path)])
    lesson = load_lesson(tmp_path / "every-part.yaml").lesson
    unset = [name for name in Lesson.model_fields if name not in lesson.model_fields_set]
    assert unset == []
    assert {aid.kind for aid in lesson.memory_aids} == _kinds(MemoryAid, "kind")
    assert {q.type for q in lesson.practice} == _kinds(Question, "type")
    assert {type(card).__name__ for card in lesson.flashcards} == {"BasicCard", "ClozeCard"}


def test_new_output_builds(tmp_path: Path) -> None:
    run_cli(["new", "builds", "-o", str(tmp_path)])
    out = tmp_path / "out"
    result = run_cli(
        ["build", str(tmp_path / "builds.yaml"), "-o", str(out), "--format", "html,quiz"]
    )
    assert result.exit_code == 0, result.stderr
    assert (out / "builds" / "index.html").is_file()
    assert (out / "builds" / "quiz.json").is_file()


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "taken.yaml"
    target.write_text("mine\n", encoding="utf-8")
    result = run_cli(["new", "taken", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"


def test_new_rejects_a_bad_id(tmp_path: Path) -> None:
    result = run_cli(["new", "Not An Id", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a valid lesson id" in result.stderr
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ScaffoldError):
        starter_text("x" * 65, "x.yaml")


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("Photosynthesis", "photosynthesis"), ("My First Lesson", "my-first-lesson"),
     ("cell_biology", "cell-biology"), ("Zellatmung über Mitochondrien", "zellatmung-uber-mitochondrien")],
)  # fmt: skip
def test_a_bad_id_gets_the_lower_case_id_as_hint(
    tmp_path: Path, typed: str, suggested: str
) -> None:
    result = run_cli(["new", typed, "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert f"  hint: try `lessonc new {suggested} -o {tmp_path}`" in result.stderr
    assert run_cli(["new", suggested, "-o", str(tmp_path)]).exit_code == 0


def test_an_id_with_no_latin_letter_gets_no_made_up_suggestion(tmp_path: Path) -> None:
    result = run_cli(["new", "Фотосинтез", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "not a valid lesson id" in result.stderr
    assert "hint: try" not in result.stderr


def test_title_from_id() -> None:
    assert title_from_id("my-first-lesson") == "My first lesson"


def test_templates_export_copies_a_theme_and_refuses_to_overwrite(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    result = run_cli(["templates", "export", str(theme)])
    assert result.exit_code == 0, result.stderr
    builtin = ROOT / "templates"
    for relative in ("html/lesson.html.j2", "html/partials/header.html.j2", "pdf/handout.css"):
        assert (theme / relative).read_bytes() == (builtin / relative).read_bytes()
    assert not (theme / "new").exists()
    header = theme / "html" / "partials" / "header.html.j2"
    header.write_text("edited", encoding="utf-8")
    again = run_cli(["templates", "export", str(theme)])
    assert again.exit_code == 2
    assert "not overwriting" in again.stderr
    assert header.read_text(encoding="utf-8") == "edited"


def test_example_theme_overrides_a_partial_and_the_css(tmp_path: Path) -> None:
    theme = ROOT / "themes" / "example"
    result = run_cli(
        ["build", str(EXAMPLE), "-o", str(tmp_path), "--format", "html",
         "--templates", str(theme)]
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = tmp_path / "foundation-models"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<p class="theme-badge">Lesson 15.1</p>' in page
    # Partials the theme does not override still come from the built-in templates.
    assert 'class="toc' in page
    css = (out / "assets" / "theme.css").read_bytes()
    assert css == (theme / "html" / "assets" / "theme.css").read_bytes()
    assert page.index('href="assets/lesson.css"') < page.index('href="assets/theme.css"')
    plain = run_cli(["build", str(EXAMPLE), "-o", str(tmp_path / "plain"), "--format", "html"])
    assert plain.exit_code == 0
    plain_page = (tmp_path / "plain" / "foundation-models" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "theme-badge" not in plain_page
    assert "theme.css" not in plain_page
    assert not (tmp_path / "plain" / "foundation-models" / "assets" / "theme.css").exists()


def test_first_templates_folder_wins(tmp_path: Path) -> None:
    first = tmp_path / "first" / "html" / "partials"
    first.mkdir(parents=True)
    (first / "footer.html.j2").write_text('<footer id="from-first"></footer>\n', "utf-8")
    result = run_cli(
        ["build", str(EXAMPLE), "-o", str(tmp_path / "out"), "--format", "html",
         "--templates", str(tmp_path / "first"), "--templates", str(ROOT / "themes" / "example")]
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "out" / "foundation-models" / "index.html").read_text(encoding="utf-8")
    assert 'id="from-first"' in page
    assert "theme-badge" in page


def test_tutorial_error_matches_the_starter(tmp_path: Path) -> None:
    run_cli(["new", "photosynthesis", "-o", str(tmp_path)])
    target = tmp_path / "photosynthesis.yaml"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("estimated_minutes: 20", "estimated_minutes: twenty"), "utf-8")
    result = run_cli(["validate", str(target)])
    first = result.stderr.splitlines()[0]
    where, message = first.split(": ", 1)
    tutorial = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    assert f"content/photosynthesis.yaml:{where.split(':', 1)[1]}: {message}" in tutorial


def test_new_points_editors_at_a_schema_on_this_machine(tmp_path: Path) -> None:
    result = run_cli(["new", "leaves", "-o", "content"])
    assert result.exit_code == 0, result.stderr
    assert "wrote schema/lesson.schema.json" in result.stdout
    first = (tmp_path / "content" / "leaves.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schema/lesson.schema.json"
    written = tmp_path / "schema" / "lesson.schema.json"
    assert written.read_bytes() == (ROOT / "schema" / "lesson.schema.json").read_bytes()
    # The starter is valid against the schema it names, as an editor checks it.
    data = yaml.safe_load((tmp_path / "content" / "leaves.yaml").read_text(encoding="utf-8"))
    assert (
        list(
            jsonschema.Draft202012Validator(json.loads(written.read_text("utf-8"))).iter_errors(
                data
            )
        )
        == []
    )


def test_new_keeps_an_existing_schema_and_finds_it_from_deeper_folders(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "lesson.schema.json").write_text("{}\n", encoding="utf-8")
    result = run_cli(["new", "roots", "-o", "content/unit-2"])
    assert result.exit_code == 0, result.stderr
    assert "schema" not in result.stdout.replace("roots.yaml", "")
    assert (tmp_path / "schema" / "lesson.schema.json").read_text(encoding="utf-8") == "{}\n"
    first = (tmp_path / "content" / "unit-2" / "roots.yaml").read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schema/lesson.schema.json"


def test_schema_ids_are_names_not_invented_addresses() -> None:
    assert {name: schema["$id"] for name, schema in all_schemas().items()} == {
        "lesson.schema.json": "urn:lessonc:schema:lesson:1",
        "course.schema.json": "urn:lessonc:schema:course:1",
        "quiz.schema.json": "urn:lessonc:schema:quiz:2",
    }


def test_new_says_when_the_schema_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "schema").write_text("a file where the folder would go\n", encoding="utf-8")
    result = run_cli(["new", "stems", "-o", "content"])
    assert result.exit_code == 2
    assert "the lesson is written, but schema/lesson.schema.json could not be" in result.stderr
    assert (tmp_path / "content" / "stems.yaml").is_file()
    assert "lessonc schema -o DIR" in result.stderr


def test_the_starter_shows_rich_text_and_builds_without_warnings(tmp_path: Path) -> None:
    run_cli(["new", "rich", "-o", str(tmp_path)])
    out = tmp_path / "out"
    result = run_cli(["build", str(tmp_path / "rich.yaml"), "-o", str(out), "--format", "html"])
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    page = (out / "rich" / "index.html").read_text(encoding="utf-8")
    shown = {
        "an inline formula": '<math display="inline"',
        "a display formula": '<div class="math-display"><math display="block"',
        "a sub-heading": '<h4 class="subheading">',
        "a deeper sub-heading": '<h5 class="subheading">',
        "a table": "<table>",
        "captioned code": '<figcaption dir="ltr">atoms.py</figcaption>',
        "its output": '<pre class="code-output"',
        "a tip": '<div class="callout callout-tip" role="note"><p class="callout-title">Try it</p>',
        "a solution": '<details class="callout callout-solution">',
    }
    assert [what for what, html in shown.items() if html not in page] == []


def _tutorial_block_after(words: str, fence: str) -> str:
    tutorial = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")
    start = tutorial.index(fence, tutorial.index(words)) + len(fence)
    return tutorial[start : tutorial.index("\n```", start)]


def test_the_tutorials_rich_text_is_the_starters(tmp_path: Path) -> None:
    run_cli(["new", "photosynthesis", "-o", str(tmp_path)])
    starter = (tmp_path / "photosynthesis.yaml").read_text(encoding="utf-8").splitlines()
    shown = _tutorial_block_after("## 7. Rich text", "````yaml\n").splitlines()
    assert [line for line in shown if line.strip() and line not in starter] == []


def test_the_tutorials_latex_error_is_what_validate_prints(tmp_path: Path) -> None:
    run_cli(["new", "photosynthesis", "-o", "content"])
    target = tmp_path / "content" / "photosynthesis.yaml"
    text = target.read_text(encoding="utf-8")
    assert "\\rightarrow" in text
    target.write_text(text.replace("\\rightarrow", "\\rightarow"), encoding="utf-8")
    result = run_cli(["validate", "content/photosynthesis.yaml"])
    assert result.exit_code == 1
    expected = _tutorial_block_after("Change `\\rightarrow`", "```text\n")
    assert expected in result.stderr, result.stderr
