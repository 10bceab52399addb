"""One lesson's build: load → validate → check → render each format → write atomically.

Renderers only return artifacts; this module is the one place that writes, so
atomic replacement, the manifest and reproducibility are handled once. Builds
of many lessons (the plan, the cache, worker processes) and courses live in
:mod:`lessonc.course`, on top of this module; nothing here knows courses exist.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from lessonc import __version__
from lessonc.cache import read_manifest
from lessonc.diagnostics import Diagnostic
from lessonc.output_root import check_lesson_folder, locked, staging_folder, swap_in
from lessonc.outputs import Artifact, BuildContext, BuildOptions, RenderError, get_renderer

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from lessonc.assets import LessonImages
    from lessonc.model import Lesson
    from lessonc.source import Located

MANIFEST = "manifest.json"


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
    with written_for(loaded.lesson):
        _render_formats(loaded, formats, options, artifacts, problems)
    return artifacts, problems


@contextmanager
def written_for(lesson: Lesson) -> Iterator[None]:
    """Within the block, lesson text is written as ``lesson`` has it: callouts without a
    title of their own and figure credits in its language, blocks turned against its
    direction (see :func:`lessonc.textwriters.titled_callouts`)."""
    # Imported here: a rebuild with nothing to render never loads the Markdown stack.
    from lessonc import i18n
    from lessonc.textwriters import CALLOUT_TITLES, titled_callouts

    words = i18n.for_language(lesson.language, lesson.ui)
    titles = {kind: words.text(f"callout_{kind}") for kind in CALLOUT_TITLES}
    titles["figure_credit"] = words.text("figure_credit")
    with titled_callouts(titles, lesson.direction or i18n.text_direction(lesson.language)):
        yield


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


def safe_relative(path: str) -> PurePosixPath:
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
    claim: Callable[[], None] | None = None,
) -> Written:
    """Write a lesson's outputs beside ``target``, then swap them in.

    Outputs of formats not rebuilt this time are carried over from the
    previous build, so `--format html` does not delete the PDF. ``cache_keys``
    (format → key) are recorded so the next build can skip current outputs.
    Raises :class:`~lessonc.output_root.OutputNotOurs` when ``target`` is not
    lessonc's to replace (or is or holds one of ``source_folders``). ``claim`` runs
    first under the output folder's lock and may raise to stop the write: writers in
    other processes use it to take the lesson's id before replacing its folder.
    """
    with locked(target.parent):
        if claim is not None:
            claim()
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
    staging = staging_folder(target)
    try:
        previous_outputs, previous_keys = read_previous_outputs(target)
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
            relative_path = safe_relative(artifact.path)
            destination = staging / relative_path
            if relative_path.parent.parts:  # most lie in the lesson's folder itself
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


def read_previous_outputs(
    target: Path, name: str = MANIFEST
) -> tuple[list[dict[str, object]], dict[str, str]]:
    """The previous build's output entries whose files still exist, and its cache keys."""
    try:
        manifest = json.loads((target / name).read_text(encoding="utf-8"))
        outputs = manifest["outputs"]
        kept = [
            o for o in outputs
            if isinstance(o, dict) and (target / safe_relative(str(o["path"]))).is_file()
        ]  # fmt: skip
        cache = manifest.get("cache", {})
        keys = {str(k): str(v) for k, v in cache.items()} if isinstance(cache, dict) else {}
        return kept, keys
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return [], {}
