"""The course's SCORM packages: ``course-scorm12.zip`` and ``course-scorm2004.zip``.

One package with one SCO per lesson, in course order; how a learner moves
between them is the LMS's to decide (no sequencing rules). Each lesson's folder
in the package is the lesson's own package, unchanged, read back from the
output folder: the same page, assets and media, under ``<lesson id>/``. The
manifest gives each lesson its pass mark: its own, else the course file's,
else the default; the LMS hands it to the page, which prefers it to the one it
carries.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from lessonc.course.outputs import COURSE_PACKAGES, CourseOutputError
from lessonc.course.outputs.summary import LessonSummary
from lessonc.model import ScormSettings, slugify
from lessonc.outputs.qti import reproducible_zip
from lessonc.outputs.scorm import MANIFEST, Metadata, Sco, Version, manifest, package_name

__all__ = ["COURSE_PACKAGES", "course_package"]


def course_package(
    version: Version,
    title: str,
    description: str | None,
    language: str,
    lessons: Sequence[LessonSummary],
    out_root: Path,
    pass_percent: int | None,
    timestamp: int,
) -> bytes:
    """The reproducible package of every lesson's page, one SCO each, in course order."""
    files: dict[str, bytes] = {}
    scos: list[Sco] = []
    tags: list[str] = []
    minutes = 0
    for lesson in lessons:
        path = out_root / lesson.id / package_name(lesson.id, version)
        try:
            with zipfile.ZipFile(BytesIO(path.read_bytes())) as archive:
                own = {name: archive.read(name) for name in archive.namelist() if name != MANIFEST}
        except (OSError, zipfile.BadZipFile) as error:
            raise CourseOutputError(
                f"{version.name} package of lesson '{lesson.id}' cannot be read: {error}"
            ) from error
        files.update({f"{lesson.id}/{name}": data for name, data in own.items()})
        part = lesson.scorm
        graded = part is None or part.graded
        marks = (part.pass_percent if part else None, pass_percent, ScormSettings().pass_percent)
        mark = next(m for m in marks if m is not None)
        scos.append(
            Sco(
                key=lesson.id,
                title=f"{lesson.number} {lesson.title}",
                href=f"{lesson.id}/index.html",
                files=tuple(f"{lesson.id}/{name}" for name in sorted(own)),
                pass_percent=mark if graded else None,
            )
        )
        if part is not None:
            minutes += part.minutes
            tags.extend(tag for tag in part.tags if tag not in tags)
    meta = Metadata(
        title=title,
        language=language,
        description=description or title,
        keywords=tuple(tags),
        minutes=max(minutes, 1),
    )
    ident = f"lessonc-course-{slugify(title)}-{version.name}"
    files[MANIFEST] = manifest(version, ident, meta, scos)
    return reproducible_zip(files, timestamp)
