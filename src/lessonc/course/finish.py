"""The end of a course build, once every lesson passed: lessons that left, then the course files.

The course files are recorded in the course manifest (``course-manifest.json``
at the output root), as each lesson's outputs are in its own.

Both happen under the output folder's lock: the course PDF reads the lessons'
handouts back, and no other build may swap a lesson folder meanwhile. Neither
touches what lessonc did not make (see :mod:`lessonc.output_root`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lessonc import __version__
from lessonc.cache import read_manifest
from lessonc.course.model import Course, recorded_lessons
from lessonc.diagnostics import Diagnostic, Severity, display_path
from lessonc.output_root import OutputNotOurs, check_course_files, foreign_files, locked
from lessonc.pipeline import BuildReport, read_previous_outputs, safe_relative

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from lessonc.course.outputs import PendingArtifact
    from lessonc.course.outputs.summary import LessonSummary
    from lessonc.outputs import Artifact, BuildOptions

COURSE_MANIFEST = "course-manifest.json"
"""The course-level outputs' manifest, at the output root."""


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
    spare_cpu: bool = False,
) -> None:
    """Remove the folders of lessons that left ``course``; with ``course_key``, write its files.

    ``previous`` are the lesson folders found before the build; problems go
    into ``report``. With ``spare_cpu``, course files are made in two processes at once.
    """
    try:
        with locked(out_root):
            _remove_departed(previous, report, course)
            if course_key is not None:
                _write_course(
                    out_root, course, course_key, formats, options, timestamp, summaries, report,
                    spare_cpu,
                )  # fmt: skip
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
    spare_cpu: bool,
) -> None:
    """Make and write the course-level files; a failure leaves the old ones."""
    from jinja2 import TemplateError

    from lessonc.course.outputs import CourseOutputError, course_files, ordered_chapters
    from lessonc.templating import template_diagnostic

    where = display_path(course.file or course.root)
    try:
        with course_files(
            course,
            ordered_chapters(course, summaries),
            formats,
            timestamp,
            options.template_dirs,
            out_root=out_root,
            paper=options.paper,
            edition=options.edition,
            spare_cpu=spare_cpu,
        ) as files:
            report.course_outputs = write_course_outputs(
                out_root,
                files.made + shared_page_assets(out_root, formats, options),
                course_key,
                {"course_file": recorded_lessons(course)},
                pending=files.pending,
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


def shared_page_assets(
    out_root: Path, formats: Sequence[str], options: BuildOptions
) -> list[Artifact]:
    """The lesson pages' shared assets (``_course/assets/``) the course manifest keeps.

    A build without ``html`` keeps the last ones: the lessons' pages it carried over
    still link them.
    """
    from lessonc.outputs import Artifact
    from lessonc.outputs.html import COURSE_ASSETS

    if "html" in formats:
        from lessonc.outputs.html import course_page_assets

        return course_page_assets(options.template_dirs, with_audio=options.with_audio)
    old, _ = read_previous_outputs(out_root, COURSE_MANIFEST)
    kept = sorted(str(e["path"]) for e in old if str(e["path"]).startswith(f"{COURSE_ASSETS}/"))
    return [Artifact(path, (out_root / safe_relative(path)).read_bytes()) for path in kept]


def write_shared_assets(out_root: Path, assets: Sequence[Artifact]) -> None:
    """Write the course's shared page assets before any lesson page that links them.

    Only files missing or different are written, and added to the course manifest
    with a stale key, so the files of the last course build stay claimed until
    :func:`write_course_outputs` ends the build (and removes the ones no page links).
    A build whose lessons fail never gets that far: its pages still find their assets.
    Raises :class:`~lessonc.output_root.OutputNotOurs` before writing anything in place
    of a file lessonc did not write.
    """
    with locked(out_root):
        old, _ = read_previous_outputs(out_root, COURSE_MANIFEST)
        recorded = {str(entry["path"]): entry for entry in old}
        wanted = {str(safe_relative(a.path)): a.data for a in assets}
        missing = {
            relative: data
            for relative, data in wanted.items()
            if recorded.get(relative, {}).get("sha256") != _sha256(data)
        }
        if not missing:
            return
        owned = set(recorded)
        if read_manifest(out_root / COURSE_MANIFEST) is not None:
            owned.add(COURSE_MANIFEST)
        check_course_files(out_root, missing, owned)
        entries = recorded | {
            relative: {"path": relative, "size": len(data), "sha256": _sha256(data)}
            for relative, data in missing.items()
        }
        extra = {
            key: value
            for key, value in (read_manifest(out_root / COURSE_MANIFEST) or {}).items()
            if key not in ("lessonc", "outputs", "cache")
        }
        _write_course_manifest(out_root, [entries[k] for k in sorted(entries)], "", extra)
        for relative, data in missing.items():
            _write_file(out_root / relative, data)


def _write_failed(course: Course, error: OSError) -> Diagnostic:
    return Diagnostic(
        display_path(course.file or course.root), 1, 1, "write-failed",
        f"cannot write the course files: {error.strerror or error}",
        "check free disk space and permissions of the output folder",
    )  # fmt: skip


def write_course_outputs(
    out_root: Path,
    artifacts: list[Artifact],
    cache_key: str,
    extra: Mapping[str, object] | None = None,
    pending: Sequence[PendingArtifact] = (),
) -> list[str]:
    """Write the course-level files at ``out_root``, each atomically; returns their paths.

    The caller holds the output folder's lock. A file is written only over one
    the previous course manifest lists (else
    :class:`~lessonc.output_root.OutputNotOurs`, before anything is written).
    Every file is first written beside its place, ``pending`` ones as their bytes come
    (the course deck, made in another process meanwhile: the others are written while
    it is made); only once all are there do they take their places, so a file that
    could not be made leaves every course file as it was. Files the previous course
    build wrote and this one does not (those of a format no longer built, or an older
    lessonc's navigation pages) are removed, with the folders they leave empty. The
    course manifest is written with a stale key, listing old and new files, before the
    files take their places, and last with the real one: a crash between leaves every
    file it wrote claimed, and the next build redoes the work.
    """
    out_root.mkdir(parents=True, exist_ok=True)
    manifest_path = out_root / COURSE_MANIFEST
    old, _ = read_previous_outputs(out_root, COURSE_MANIFEST)
    owned = {str(entry["path"]) for entry in old}
    if read_manifest(manifest_path) is not None or not os.path.lexists(manifest_path):
        owned.add(COURSE_MANIFEST)
    new = {str(safe_relative(a.path)): a.data for a in artifacts}
    waiting: list[tuple[str, PendingArtifact]] = []
    for item in pending:
        relative = str(safe_relative(item.path))
        if relative not in owned and os.path.lexists(out_root / relative):
            new[relative] = item.make()  # only its bytes tell whether the file there is ours
        else:
            waiting.append((relative, item))
    # A file yet to come checks as one with other bytes: it may replace only a file we own.
    check_course_files(
        out_root, {**new, **{r: b"" for r, _ in waiting}, COURSE_MANIFEST: b""}, owned
    )
    staged: list[tuple[Path, Path]] = []
    try:
        for relative, data in new.items():
            staged.append(_stage(out_root / relative, data))
        for relative, item in waiting:
            new[relative] = data = item.make()
            staged.append(_stage(out_root / relative, data))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    entries: dict[str, dict[str, object]] = {
        relative: {"path": relative, "size": len(data), "sha256": _sha256(data)}
        for relative, data in new.items()
    }
    claimed = {str(entry["path"]): entry for entry in old} | entries
    _write_course_manifest(out_root, [claimed[k] for k in sorted(claimed)], "", None)
    for temporary, destination in staged:
        os.replace(temporary, destination)
    for entry in old:
        relative = str(entry["path"])
        path = out_root / safe_relative(relative)
        # Only the file lessonc wrote: one the user has since put in its place stays.
        if (
            relative not in entries
            and not path.is_symlink()
            and path.is_file()
            and _sha256(path.read_bytes()) == entry.get("sha256")
        ):
            path.unlink()
            _remove_emptied(path.parent, out_root)
    _write_course_manifest(out_root, [entries[k] for k in sorted(entries)], cache_key, extra)
    return sorted(entries)


def _remove_emptied(folder: Path, out_root: Path) -> None:
    """``folder`` and the folders above it, below ``out_root``, that removing a file emptied."""
    while folder != out_root and folder.is_relative_to(out_root):
        try:
            folder.rmdir()
        except OSError:  # not empty: it holds another file, lessonc's or not
            return
        folder = folder.parent


def _write_course_manifest(
    out_root: Path,
    outputs: list[dict[str, object]],
    cache_key: str,
    extra: Mapping[str, object] | None,
) -> None:
    manifest = {"lessonc": __version__, "outputs": outputs, "cache": cache_key, **(extra or {})}
    temporary = out_root / f".{COURSE_MANIFEST}.new"
    temporary.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, out_root / COURSE_MANIFEST)


def _write_file(destination: Path, data: bytes) -> None:
    os.replace(*_stage(destination, data))


def _stage(destination: Path, data: bytes) -> tuple[Path, Path]:
    """``data`` written beside ``destination``, under a hidden name: (that file, destination)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.new")
    temporary.write_bytes(data)
    return temporary, destination


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
