"""The end of a course build, once every lesson passed: lessons that left, then the course files.

Both happen under the output folder's lock: the course PDF reads the lessons'
handouts back, and no other build may swap a lesson folder meanwhile. Neither
touches what lessonc did not make (see :mod:`lessonc.output_root`).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lessonc.course import Course, recorded_lessons
from lessonc.diagnostics import Diagnostic, Severity, display_path
from lessonc.output_root import OutputNotOurs, foreign_files, locked
from lessonc.pipeline import BuildReport, write_course_outputs

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lessonc.course_outputs.summary import LessonSummary
    from lessonc.outputs import BuildOptions


def finish_course(
    out_root: Path,
    course: Course,
    previous: dict[str, tuple[Path, dict[str, Any]]],
    report: BuildReport,
    course_key: str | None,
    formats: Sequence[str],
    options: BuildOptions,
    timestamp: int,
    summaries: dict[Path, LessonSummary],
) -> None:
    """Remove the folders of lessons that left ``course``; with ``course_key``, write its files.

    ``previous`` are the lesson folders found before the build; problems go
    into ``report``.
    """
    try:
        with locked(out_root):
            _remove_departed(previous, report, course)
            if course_key is not None:
                _write_course(
                    out_root, course, course_key, formats, options, timestamp, summaries, report
                )
    except OSError as error:
        report.diagnostics.append(_write_failed(course, error))


def _remove_departed(
    previous: dict[str, tuple[Path, dict[str, Any]]], report: BuildReport, course: Course
) -> None:
    """Only folders a course build made (``in_course``) holding nothing lessonc did not write."""
    built = {r.lesson_id for r in report.results}
    for lesson_id, (folder, manifest) in previous.items():
        if lesson_id in built or manifest.get("in_course") is not True or folder.is_symlink():
            continue
        foreign = foreign_files(folder, manifest)
        if foreign:
            report.diagnostics.append(
                Diagnostic(
                    display_path(course.file or course.root), 1, 1, "output-not-ours",
                    f"lesson '{lesson_id}' left the course, but {display_path(folder)} "
                    f"holds files lessonc did not write ({', '.join(foreign[:3])}): "
                    "the folder is kept",
                    f"move those files away and build again to remove {display_path(folder)}",
                    severity=Severity.WARNING,
                )
            )  # fmt: skip
            continue
        shutil.rmtree(folder)
        report.removed.append(lesson_id)


def _write_course(
    out_root: Path,
    course: Course,
    course_key: str,
    formats: Sequence[str],
    options: BuildOptions,
    timestamp: int,
    summaries: dict[Path, LessonSummary],
    report: BuildReport,
) -> None:
    """Make and write the course-level files; a failure leaves the old ones."""
    from jinja2 import TemplateError

    from lessonc.course_outputs import CourseOutputError, course_artifacts, ordered_chapters
    from lessonc.templating import template_diagnostic

    where = display_path(course.file or course.root)
    try:
        artifacts = course_artifacts(
            course,
            ordered_chapters(course, summaries),
            formats,
            timestamp,
            options.template_dirs,
            out_root=out_root,
            paper=options.paper,
            edition=options.edition,
        )
        report.course_outputs = write_course_outputs(
            out_root, artifacts, course_key, {"course_file": recorded_lessons(course)}
        )
    except CourseOutputError as error:
        # The lessons' outputs are in; the course files stay as they were.
        report.diagnostics.append(
            Diagnostic(
                where, 1, 1, "course-output-failed", str(error),
                "rebuild with --force to write every lesson's outputs afresh",
            )
        )  # fmt: skip
    except OutputNotOurs as error:
        report.diagnostics.append(
            Diagnostic(where, 1, 1, "output-not-ours", str(error), error.hint)
        )
    except TemplateError as error:
        report.diagnostics.append(template_diagnostic(error, where))
    except OSError as error:
        report.diagnostics.append(_write_failed(course, error))


def _write_failed(course: Course, error: OSError) -> Diagnostic:
    return Diagnostic(
        display_path(course.file or course.root), 1, 1, "write-failed",
        f"cannot write the course files: {error.strerror or error}",
        "check free disk space and permissions of the output folder",
    )  # fmt: skip
