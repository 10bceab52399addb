"""`lessonc new`: the starter validates, builds, shows every part of the format, never overwrites."""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from conftest import run_cli
from lessonc.model import Lesson, MemoryAid, Question
from lessonc.pipeline import load_lesson
from lessonc.scaffold import ScaffoldError, starter_text, title_from_id


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


def test_title_from_id() -> None:
    assert title_from_id("my-first-lesson") == "My first lesson"
