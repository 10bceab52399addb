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
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from lessonc import __version__
from lessonc.diagnostics import Diagnostic, Severity, display_path
from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext, BuildOptions, RenderError, get_renderer
from lessonc.source import Located, SourceError, load
from lessonc.validation import validate

LESSON_SUFFIXES = (".yaml", ".yml")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class LoadedLesson:
    """A lesson that passed every check, with the source it came from."""

    lesson: Lesson
    source: Located


class InvalidLesson(Exception):
    """The lesson cannot be built; ``diagnostics`` holds every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s)")
        self.diagnostics = diagnostics


def load_lesson(path: Path) -> LoadedLesson:
    """Load, validate and check one lesson source."""
    try:
        source = load(path)
    except SourceError as error:
        raise InvalidLesson(error.diagnostics) from None
    lesson, problems = validate(source)
    if lesson is None:
        raise InvalidLesson(problems)
    return LoadedLesson(lesson, source)


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Diagnostic]]:
    """The lesson files named by ``paths``: files as given, folders searched for *.yaml/*.yml."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    for path in paths:
        if path.is_dir():
            lessons = sorted(
                p for p in path.rglob("*") if p.suffix in LESSON_SUFFIXES and p.is_file()
            )
            if not lessons:
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
            found.append(path)
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return [
        Path(os.path.relpath(p)) if p.is_relative_to(Path.cwd()) else p for p in unique
    ], problems


def source_mtime(path: Path) -> int:
    """The source's modification time in whole seconds (the default stamp for outputs)."""
    return int(path.stat().st_mtime)


@dataclass
class LessonResult:
    """What happened to one lesson source."""

    path: Path
    lesson_id: str | None
    outputs: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


@dataclass
class BuildReport:
    """The outcome of a build: one result per lesson, plus problems with no lesson."""

    results: list[LessonResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

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
    for name in formats:
        ctx = BuildContext(source=loaded.source, options=options)
        try:
            artifacts.extend((name, a) for a in get_renderer(name).render(loaded.lesson, ctx))
        except RenderError:
            if not any(d.is_error for d in ctx.diagnostics):
                ctx.diagnostics.append(
                    loaded.source.diagnostic((), "render-failed", f"the {name} output failed")
                )
        problems.extend(ctx.diagnostics)
    return artifacts, problems


def build(
    paths: Sequence[Path],
    out_root: Path,
    formats: Sequence[str],
    options: BuildOptions,
    *,
    epoch_from_sources: bool = False,
) -> BuildReport:
    """Build every lesson named by ``paths`` into ``out_root/<lesson id>/``.

    With ``epoch_from_sources`` each lesson is stamped with its source's
    modification time instead of ``options.source_date_epoch`` (used when
    SOURCE_DATE_EPOCH is not set, so an edited lesson always gets a newer stamp).
    """
    report = BuildReport()
    files, report.diagnostics = discover(paths)
    first_source: dict[str, LessonResult] = {}
    for path in files:
        result = LessonResult(path, None)
        report.results.append(result)
        try:
            loaded = load_lesson(path)
        except InvalidLesson as error:
            result.diagnostics.extend(error.diagnostics)
            continue
        result.lesson_id = loaded.lesson.id
        if loaded.lesson.id in first_source:
            other = first_source[loaded.lesson.id].path
            result.diagnostics.append(
                loaded.source.diagnostic(
                    ("id",), "duplicate-lesson",
                    f"lesson id '{loaded.lesson.id}' is also used by {display_path(other)}",
                    "every lesson needs its own id: it names the output folder",
                )
            )  # fmt: skip
            continue
        first_source[loaded.lesson.id] = result
        lesson_options = options
        if epoch_from_sources:
            lesson_options = replace(options, source_date_epoch=source_mtime(path))
        artifacts, problems = render(loaded, formats, lesson_options)
        result.diagnostics.extend(problems)
        if not result.ok:
            continue
        try:
            result.outputs = write_lesson(
                out_root / loaded.lesson.id, artifacts, loaded, formats, lesson_options
            )
        except OSError as error:
            result.diagnostics.append(
                Diagnostic(
                    display_path(out_root / loaded.lesson.id), 1, 1, "write-failed",
                    f"cannot write the outputs: {error.strerror or error}",
                    "check free disk space and permissions of the output folder",
                )
            )  # fmt: skip
    return report


def _safe_relative(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"artifact path {path!r} leaves the output folder")
    return relative


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_lesson(
    target: Path,
    artifacts: list[tuple[str, Artifact]],
    loaded: LoadedLesson,
    formats: Sequence[str],
    options: BuildOptions,
) -> list[str]:
    """Write a lesson's outputs beside ``target``, then swap them in; returns the written paths.

    Outputs of formats not rebuilt this time are carried over from the
    previous build, so `--format html` does not delete the PDF.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict[str, object]] = {}
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        for previous in _previous_outputs(target):
            if previous["format"] not in formats:
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
            entries[str(relative_path)] = {
                "path": str(relative_path),
                "format": format_name,
                "size": len(artifact.data),
                "sha256": _sha256(artifact.data),
            }
        manifest = {
            "lessonc": __version__,
            "lesson": loaded.lesson.id,
            "source": {"file": loaded.source.path.name, "sha256": loaded.source.sha256},
            "source_date_epoch": options.source_date_epoch,
            "outputs": [entries[k] for k in sorted(entries)],
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(entries)


def _previous_outputs(target: Path) -> list[dict[str, object]]:
    try:
        manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
        outputs = manifest["outputs"]
        return [
            o for o in outputs
            if isinstance(o, dict) and (target / _safe_relative(str(o["path"]))).is_file()
        ]  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging``; the old folder stays whole until the new one is done."""
    if not target.exists():
        os.replace(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.replace(target, retired / target.name)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(retired / target.name, target)
        raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)


def count_by_severity(diagnostics: Sequence[Diagnostic]) -> tuple[int, int]:
    """How many errors and warnings."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    return errors, len(diagnostics) - errors
