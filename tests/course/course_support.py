"""The course fixture, copied for a test to edit."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import FIXTURES

COURSE = FIXTURES / "course"


def copy_course(tmp_path: Path) -> Path:
    """A copy of the course fixture in ``tmp_path``, free to edit."""
    target = tmp_path / "course"
    shutil.copytree(COURSE, target)
    return target


def edit_lesson(course: Path, lesson_id: str, old: str, new: str) -> None:
    """Replace ``old`` with ``new`` in the lesson ``lesson_id`` of a copied ``course``."""
    lesson = course / "lessons" / f"{lesson_id}.yaml"
    text = lesson.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {lesson.name}: the edit would change nothing"
    lesson.write_text(text.replace(old, new), encoding="utf-8")
