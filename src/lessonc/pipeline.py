"""The build: load → validate → check → render each format → write atomically, with a manifest.

Renderers only return artifacts; this module is the one place that writes, so
atomic replacement, the manifest and reproducibility are handled once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from lessonc import __version__, i18n
from lessonc.cache import read_manifest
from lessonc.course import find_lessons
from lessonc.diagnostics import Diagnostic, display_path
from lessonc.output_root import (
    check_course_files,
    check_lesson_folder,
    locked,
    recover_interrupted_swaps,
    swap_in,
    umask,
)
from lessonc.outputs import Artifact, BuildContext, BuildOptions, RenderError, get_renderer
from lessonc.paths import Refused, check_file
from lessonc.textwriters import CALLOUT_TITLES, titled_callouts

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from lessonc.assets import LessonImages
    from lessonc.model import Lesson
    from lessonc.source import Located

LESSON_SUFFIXES = (".yaml", ".yml")
MANIFEST = "manifest.json"
COURSE_MANIFEST = "course-manifest.json"
"""The course-level outputs' manifest, at the output root."""


@dataclass(frozen=True)
class LoadedLesson:
    """A lesson that passed every check, with the source it came from."""

    lesson: Lesson
    source: Located
    images: LessonImages | None = None
    """The images its text names, as validation checked them: every format bundles these."""

    def for_students(self) -> LoadedLesson:
        """The lesson without its teacher notes, nor the images only they name: what every
        output but the teacher edition is made from (see :mod:`lessonc.editions`)."""
        from lessonc.editions import student_images, student_view

        lesson = student_view(self.lesson)
        if lesson is self.lesson:
            return self
        return LoadedLesson(lesson, self.source, student_images(self.images, lesson))


class InvalidLesson(Exception):
    """The lesson cannot be built; ``diagnostics`` holds every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics


def load_lesson(path: Path) -> LoadedLesson:
    """Load, validate and check one lesson source."""
    # Imported on use: the models cost most of lessonc's start-up, and a
    # build whose outputs are all current never needs them.
    from lessonc.source import SourceError, load
    from lessonc.validation import validate_with_images

    try:
        source = load(path)
    except SourceError as error:
        raise InvalidLesson(error.diagnostics) from None
    lesson, images, problems = validate_with_images(source)
    if lesson is None:
        raise InvalidLesson(problems)
    return LoadedLesson(lesson, source, images)


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The lesson files named by ``paths``: files as given, folders searched for *.yaml/*.yml."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            lessons, refused = find_lessons(path)
            problems.extend(refused)
            if not lessons and not refused:
                problems.append(
                    Diagnostic(
                        display_path(path),
                        1,
                        1,
                        "no-lessons",
                        "no .yaml lesson files in this folder",
                    )
                )
            found.extend(lessons)
        else:
            try:  # before it is resolved below: the link, not its target, is what was named
                check_file(path)
            except Refused as error:
                problems.append(error.diagnostic(path))
                continue
            found.append(path)
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return [
        Path(os.path.relpath(p)) if p.is_relative_to(Path.cwd()) else p for p in unique
    ], problems


@dataclass
class LessonResult:
    """What happened to one lesson source."""

    path: Path
    lesson_id: str | None
    outputs: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    status: str = "built"
    """'built', 'skipped' (outputs were current) or 'failed'."""

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


@dataclass
class BuildReport:
    """The outcome of a build: one result per lesson, plus problems with no lesson."""

    results: list[LessonResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    course_outputs: list[str] = field(default_factory=list)
    """Course-level files written this time (home page, course deck, combined quiz)."""
    removed: list[str] = field(default_factory=list)
    """Lesson folders removed because their lesson left the course."""

    @property
    def all_diagnostics(self) -> list[Diagnostic]:
        return self.diagnostics + [d for r in self.results for d in r.diagnostics]

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.all_diagnostics)


def render(
    loaded: LoadedLesson, formats: Sequence[str], options: BuildOptions
) -> tuple[list[tuple[str, Artifact]], list[Diagnostic]]:
    """Every format's artifacts for one lesson, tagged with their format, and the problems found."""
    artifacts: list[tuple[str, Artifact]] = []
    problems: list[Diagnostic] = []
    words = i18n.for_language(loaded.lesson.language, loaded.lesson.ui)
    titles = {kind: words.text(f"callout_{kind}") for kind in CALLOUT_TITLES}
    titles["figure_credit"] = words.text("figure_credit")
    with titled_callouts(titles):  # callouts without a title of their own, in the language
        _render_formats(loaded, formats, options, artifacts, problems)
    return artifacts, problems


def _render_formats(
    loaded: LoadedLesson,
    formats: Sequence[str],
    options: BuildOptions,
    artifacts: list[tuple[str, Artifact]],
    problems: list[Diagnostic],
) -> None:
    from jinja2 import TemplateError

    from lessonc.templating import template_diagnostic

    # Teacher notes reach only a renderer that prints a teacher edition (the handout):
    # every other output is made from a lesson that has none to leak.
    students = loaded.for_students()
    # The slow PDF last, so a renderer process started early has the longest head start.
    for name in sorted(formats, key=lambda name: name == "pdf"):
        renderer = get_renderer(name)
        given = loaded if getattr(renderer, "teacher_edition", False) else students
        ctx = BuildContext(source=given.source, options=options, images=given.images)
        try:
            artifacts.extend((name, a) for a in renderer.render(given.lesson, ctx))
        except TemplateError as error:  # a user's template: theirs to fix, not a crash
            ctx.diagnostics.append(template_diagnostic(error, loaded.source.display))
        except RenderError:
            if not any(d.is_error for d in ctx.diagnostics):
                ctx.diagnostics.append(
                    loaded.source.diagnostic((), "render-failed", f"the {name} output failed")
                )
        problems.extend(ctx.diagnostics)


def build(
    paths: Sequence[Path],
    out_root: Path,
    formats: Sequence[str],
    options: BuildOptions,
    *,
    epoch_from_sources: bool = False,
    jobs: int = 1,
    force: bool = False,
    fail_fast: bool = False,
    progress: Callable[[LessonResult, int], None] | None = None,
) -> BuildReport:
    """Build every lesson named by ``paths`` into ``out_root/<lesson id>/``.

    One folder or one course file makes a course: its lessons, plus the course
    home page, deck and quiz at ``out_root``, and lesson folders of lessons no
    longer in the course removed. Lessons whose outputs are current are
    skipped unless ``force``; ``jobs`` > 1 renders in worker processes (same
    bytes). With ``epoch_from_sources`` each lesson is stamped with its
    source's modification time instead of ``options.source_date_epoch`` (used
    when SOURCE_DATE_EPOCH is not set, so an edited lesson gets a newer stamp).
    ``progress(result, total)`` is called once per lesson as it finishes, in order.
    """
    from lessonc.build_run import BuildRun

    recover_interrupted_swaps(out_root)
    run = BuildRun(
        out_root=out_root,
        formats=tuple(formats),
        options=options,
        epoch_from_sources=epoch_from_sources,
        jobs=max(1, jobs),
        force=force,
        fail_fast=fail_fast,
        progress=progress,
    )
    return run.execute(paths)


def _safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"artifact path {path!r} leaves the output folder")
    return relative


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SourceIdentity:
    """What the manifest records about where a lesson's outputs came from."""

    lesson_id: str
    file_name: str
    sha256: str


@dataclass(frozen=True)
class Written:
    """What :func:`write_outputs` wrote."""

    paths: list[str]
    stale_notes: int = 0
    """Anki notes whose edit an import would skip: their stamp is not newer than before."""


def write_outputs(
    target: Path,
    artifacts: list[tuple[str, Artifact]],
    identity: SourceIdentity,
    formats: Sequence[str],
    options: BuildOptions,
    *,
    cache_keys: Mapping[str, str] | None = None,
    source_folders: Collection[Path] = (),
) -> Written:
    """Write a lesson's outputs beside ``target``, then swap them in.

    Outputs of formats not rebuilt this time are carried over from the
    previous build, so `--format html` does not delete the PDF. ``cache_keys``
    (format → key) are recorded so the next build can skip current outputs.
    Raises :class:`~lessonc.output_root.OutputNotOurs` when ``target`` is not
    lessonc's to replace (or is or holds one of ``source_folders``).
    """
    with locked(target.parent):
        check_lesson_folder(target, identity.lesson_id, source_folders)
        return _write_locked(target, artifacts, identity, formats, options, cache_keys or {})


def _write_locked(
    target: Path,
    artifacts: list[tuple[str, Artifact]],
    identity: SourceIdentity,
    formats: Sequence[str],
    options: BuildOptions,
    cache_keys: Mapping[str, str],
) -> Written:
    entries: dict[str, dict[str, object]] = {}
    keys: dict[str, str] = {}
    stale_notes = 0
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    # mkdtemp makes the folder private (0700); the swapped-in build must be as
    # readable as any folder the user creates (a web server may serve it).
    staging.chmod(0o777 & ~umask())
    try:
        previous_outputs, previous_keys = _previous_outputs(target)
        # Every entry of the last manifest, even of a file since deleted: a learner
        # may have imported that deck before it was deleted.
        recorded = {
            str(o.get("path")): o
            for o in (read_manifest(target / MANIFEST) or {}).get("outputs", [])
            if isinstance(o, dict)
        }
        for previous in previous_outputs:
            if previous["format"] not in formats:
                format_name = str(previous["format"])
                if format_name in previous_keys:
                    keys[format_name] = previous_keys[format_name]
                relative = str(previous["path"])
                destination = staging / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(target / relative, destination)
                entries[relative] = previous
        for format_name, artifact in artifacts:
            relative_path = _safe_relative(artifact.path)
            destination = staging / relative_path
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(artifact.data)
            entry: dict[str, object] = {
                "path": str(relative_path),
                "format": format_name,
                "size": len(artifact.data),
                "sha256": _sha256(artifact.data),
            }
            if artifact.record is not None:
                from lessonc.anki_updates import follow

                earlier = recorded.get(str(relative_path), {}).get("anki")
                entry["anki"], stale = follow(earlier, artifact.record)
                stale_notes += stale
            entries[str(relative_path)] = entry
        manifest = {
            "lessonc": __version__,
            "lesson": identity.lesson_id,
            "source": {"file": identity.file_name, "sha256": identity.sha256},
            "source_date_epoch": options.source_date_epoch,
            # A course build removes the folders of lessons that left the course,
            # and only folders it made: never a lesson built on its own here.
            **({"in_course": True} if options.in_course else {}),
            "outputs": [entries[k] for k in sorted(entries)],
            "cache": dict(sorted({**keys, **cache_keys}.items())),
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(sorted(entries), stale_notes)


def write_course_outputs(
    out_root: Path,
    artifacts: list[Artifact],
    cache_key: str,
    extra: Mapping[str, object] | None = None,
) -> list[str]:
    """Write the course-level files at ``out_root``, each atomically; returns their paths.

    The caller holds the output folder's lock. A file is written only over one
    the previous course manifest lists (else
    :class:`~lessonc.output_root.OutputNotOurs`, before anything is written).
    Files the previous course build wrote and this one does not (the
    navigation page of a lesson that left the course) are removed. The course
    manifest is written first with a stale key, listing old and new files, and
    last with the real one: a crash between leaves every file it wrote claimed,
    and the next build redoes the work.
    """
    out_root.mkdir(parents=True, exist_ok=True)
    manifest_path = out_root / COURSE_MANIFEST
    old, _ = _previous_outputs(out_root, COURSE_MANIFEST)
    owned = {str(entry["path"]) for entry in old}
    if read_manifest(manifest_path) is not None or not os.path.lexists(manifest_path):
        owned.add(COURSE_MANIFEST)
    new = {str(_safe_relative(a.path)): a.data for a in artifacts}
    check_course_files(out_root, {**new, COURSE_MANIFEST: b""}, owned)
    entries: dict[str, dict[str, object]] = {
        relative: {"path": relative, "size": len(data), "sha256": _sha256(data)}
        for relative, data in new.items()
    }
    claimed = {str(entry["path"]): entry for entry in old} | entries
    _write_course_manifest(out_root, [claimed[k] for k in sorted(claimed)], "", None)
    for relative, data in new.items():
        destination = out_root / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        temporary = destination.with_name(f".{destination.name}.new")
        temporary.write_bytes(data)
        os.replace(temporary, destination)
    for entry in old:
        relative = str(entry["path"])
        path = out_root / _safe_relative(relative)
        # Only the file lessonc wrote: one the user has since put in its place stays.
        if (
            relative not in entries
            and not path.is_symlink()
            and path.is_file()
            and _sha256(path.read_bytes()) == entry.get("sha256")
        ):
            path.unlink()
    _write_course_manifest(out_root, [entries[k] for k in sorted(entries)], cache_key, extra)
    return sorted(entries)


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


def _previous_outputs(
    target: Path, name: str = MANIFEST
) -> tuple[list[dict[str, object]], dict[str, str]]:
    """The previous build's output entries whose files still exist, and its cache keys."""
    try:
        manifest = json.loads((target / name).read_text(encoding="utf-8"))
        outputs = manifest["outputs"]
        kept = [
            o for o in outputs
            if isinstance(o, dict) and (target / _safe_relative(str(o["path"]))).is_file()
        ]  # fmt: skip
        cache = manifest.get("cache", {})
        keys = {str(k): str(v) for k, v in cache.items()} if isinstance(cache, dict) else {}
        return kept, keys
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return [], {}
