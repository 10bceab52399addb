"""``lessonc new``: a commented starter lesson that validates and shows every part of the format."""

from __future__ import annotations

import os
import re
from pathlib import Path

from lessonc.model import SLUG_PATTERN
from lessonc.templating import read_builtin

STARTER_TEMPLATE = "new/lesson.yaml"


class ScaffoldError(Exception):
    """The starter cannot be written (bad id, file exists); the message says why."""


def title_from_id(lesson_id: str) -> str:
    """A readable first title: 'my-first-lesson' → 'My first lesson'."""
    words = lesson_id.replace("-", " ")
    return words[:1].upper() + words[1:]


def starter_text(lesson_id: str, file_name: str) -> str:
    """The starter lesson's YAML for ``lesson_id``."""
    if not re.fullmatch(SLUG_PATTERN, lesson_id) or len(lesson_id) > 64:
        raise ScaffoldError(
            f"'{lesson_id}' is not a valid lesson id: use lower-case letters, digits "
            "and single hyphens, e.g. 'photosynthesis-basics'"
        )
    text = read_builtin(STARTER_TEMPLATE)
    return (
        text.replace("__LESSON_ID__", lesson_id)
        .replace("__TITLE__", title_from_id(lesson_id))
        .replace("__FILE__", file_name)
    )


def write_starter(lesson_id: str, out_dir: Path) -> Path:
    """Write ``out_dir/<lesson_id>.yaml``; never overwrites an existing file."""
    target = out_dir / f"{lesson_id}.yaml"
    text = starter_text(lesson_id, str(target))
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: a file created between a check and the write is not clobbered either.
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; not overwriting it") from None
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return target
