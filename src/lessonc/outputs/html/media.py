"""Images named in lesson text, copied under ``media/`` with content-hash names."""

from __future__ import annotations

import hashlib
import re

from lessonc.assets import images_for
from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext

MEDIA_FOLDER = "media"
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def collect_media(lesson: Lesson, ctx: BuildContext) -> tuple[list[Artifact], dict[str, str]]:
    """The media artifacts and, for each reference as written, its path in the output.

    The bytes are those validation checked (an SVG sanitised), never read again here.
    """
    artifacts: dict[str, Artifact] = {}
    paths: dict[str, str] = {}
    for lesson_file in images_for(lesson, ctx).files:
        suffix = lesson_file.suffix
        # The content decides the name: the same image twice is one file, and a
        # changed image gets a new name that no browser cache confuses.
        digest = hashlib.sha256(lesson_file.data).hexdigest()[:20]
        path = f"{MEDIA_FOLDER}/{digest}{suffix if _SUFFIX.match(suffix) else ''}"
        artifacts.setdefault(path, Artifact(path, lesson_file.data))
        paths[lesson_file.reference] = path
    return [artifacts[path] for path in sorted(artifacts)], paths
