"""Images named in lesson text, copied under ``media/`` with content-hash names."""

from __future__ import annotations

import hashlib
import re

from lessonc.assets import referenced_files
from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext, RenderError

MEDIA_FOLDER = "media"
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def collect_media(lesson: Lesson, ctx: BuildContext) -> tuple[list[Artifact], dict[str, str]]:
    """The media artifacts and, for each reference as written, its path in the output.

    A reference that leads outside the lesson folder (or to no file) is a
    located error in ``ctx.diagnostics``, and the page is not built.
    """
    files, problems = referenced_files(lesson, ctx.source)
    if problems:
        ctx.diagnostics.extend(problems)
        if any(problem.is_error for problem in problems):
            raise RenderError(f"{len(problems)} image reference(s) cannot be used")
    artifacts: dict[str, Artifact] = {}
    paths: dict[str, str] = {}
    for lesson_file in files:
        data = lesson_file.path.read_bytes()
        suffix = lesson_file.path.suffix.lower()
        # The content decides the name: the same image twice is one file, and a
        # changed image gets a new name that no browser cache confuses.
        name = hashlib.sha256(data).hexdigest()[:20] + (suffix if _SUFFIX.match(suffix) else "")
        path = f"{MEDIA_FOLDER}/{name}"
        artifacts.setdefault(path, Artifact(path, data))
        paths[lesson_file.reference] = path
    return [artifacts[path] for path in sorted(artifacts)], paths
