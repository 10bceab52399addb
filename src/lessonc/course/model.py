"""A course: ordered chapters of lessons, from a ``course.yaml`` or from a plain folder.

A course file names its lessons by paths relative to itself; every path goes
through :func:`lessonc.assets.resolve_inside`, so a course can only list files
in its own folder. Mistakes (a missing file, a lesson listed twice, an unknown
key) are located diagnostics pointing into the course file, like a lesson's.

A folder without a course file is a course too: its lessons are grouped by
their ``chapter`` and ordered by lesson number ("2.3" < "15.1" < "15.10").
Its files go through the same gate with the folder as their root
(:func:`lessonc.paths.check_file`), so a symlink cannot pull a file in from
outside it either.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lessonc.diagnostics import Diagnostic, display_path
from lessonc.paths import Refused, check_file
from lessonc.wording import count

if TYPE_CHECKING:
    from lessonc.source import Located, PathKey

COURSE_FILES = ("course.yaml", "course.yml")
"""File names that make a YAML file (or the folder holding it) a course rather than a lesson."""
LESSON_SUFFIXES = (".yaml", ".yml")


class InvalidCourse(Exception):
    """The course file cannot be used; ``diagnostics`` holds every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{count(len(diagnostics), 'problem')} in the course")
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class CourseLesson:
    """One lesson entry of a course: the file and, for a course file, the YAML node naming it."""

    path: Path
    yaml_path: PathKey = ()


@dataclass(frozen=True)
class CourseChapter:
    """A chapter as the course file lists it."""

    title: str
    number: int | None
    lessons: tuple[CourseLesson, ...]


@dataclass
class Course:
    """A course to build: from a course file (``source`` set) or a folder (chapters come later)."""

    root: Path
    title: str | None = None
    description: str | None = None
    chapters: list[CourseChapter] = field(default_factory=list)
    source: Located | None = None
    folder_lessons: list[Path] = field(default_factory=list)
    """For a folder course: its lesson files, ordered later by the lessons' own numbers.
    For a course file not loaded yet (see :func:`listed_lessons`): the files it lists."""
    file: Path | None = None
    """The course file, when there is one."""
    file_sha256: str | None = None
    lint_disable: tuple[str, ...] = ()
    """Lint rules the course file switches off for all its lessons."""
    pass_percent: int | None = None
    """The course file's SCORM pass mark, for the lessons of its package that set none."""
    ui: dict[str, str] = field(default_factory=dict)
    """The course file's own interface strings for the course pages, by key."""

    @property
    def lessons(self) -> list[CourseLesson]:
        """Every lesson entry in course order."""
        if self.source is None:
            return [CourseLesson(p) for p in self.folder_lessons]
        return [lesson for chapter in self.chapters for lesson in chapter.lessons]

    def diagnostic(
        self, entry: CourseLesson, code: str, message: str, hint: str | None = None
    ) -> Diagnostic:
        """A problem about one lesson entry, located in the course file when there is one."""
        if self.source is not None:
            return self.source.diagnostic(entry.yaml_path, code, message, hint)
        return Diagnostic(display_path(entry.path), 1, 1, code, message, hint)


def is_course_file(path: Path) -> bool:
    """Whether ``path`` names a course file (by its name: course.yaml or course.yml)."""
    return path.name in COURSE_FILES and path.is_file()


def course_file_for(path: Path) -> Path | None:
    """The course file ``path`` names: itself, or the one in the folder it names."""
    if is_course_file(path):
        return path
    return course_file_in(path) if path.is_dir() else None


def course_file_in(folder: Path) -> Path | None:
    """The course file directly inside ``folder``, if any."""
    for name in COURSE_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def lesson_number_key(number: str) -> tuple[int, ...]:
    """Natural order of lesson numbers: "2.3" < "15.1" < "15.2" < "15.10"."""
    return tuple(int(part) for part in re.findall(r"\d+", number))


def find_lessons(folder: Path) -> tuple[list[Path], list[Diagnostic]]:
    """Every lesson file below ``folder`` (course files excluded), and a problem for each refused.

    Each file goes through the path gate (:func:`lessonc.paths.check_file`) with
    ``folder`` as its root: a symlink that leads out of the folder, a FIFO, a
    device or a file over the size limit is reported where it is, never read.
    """
    found: list[Path] = []
    problems: list[Diagnostic] = []
    seen: set[Path] = set()
    for path in sorted(folder.rglob("*")):
        if path.suffix not in LESSON_SUFFIXES or path.name in COURSE_FILES or path.is_dir():
            continue
        try:
            real = check_file(path, folder, place="the course folder")
        except Refused as refused:
            problems.append(refused.diagnostic(path))
            continue
        if real not in seen:  # a symlink to a lesson of the folder is the same lesson
            seen.add(real)
            found.append(path)
    return found, problems


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


def folder_course(folder: Path) -> Course:
    """A course made of every lesson file below ``folder`` (course files excluded)."""
    lessons, problems = find_lessons(folder)
    if problems:
        raise InvalidCourse(problems)
    if not lessons:
        raise InvalidCourse(
            [Diagnostic(display_path(folder), 1, 1, "no-lessons", "no .yaml lesson files here")]
        )
    return Course(root=folder, folder_lessons=lessons)


def load_course(path: Path) -> Course:
    """Load and check a course file; raises :class:`InvalidCourse` with every problem found."""
    from pydantic import ValidationError

    from lessonc.source import SourceError, load

    try:
        source = load(path)
    except SourceError as error:
        raise InvalidCourse(error.diagnostics) from None
    spec_model = course_spec_model()
    if not isinstance(source.data, dict):
        raise InvalidCourse(
            [source.diagnostic((), "not-a-course", "a course file is a mapping of keys")]
        )
    try:
        spec = spec_model.model_validate(source.data)
    except ValidationError as error:
        from lessonc.validation import type_diagnostics

        # The lesson's wording: "did you mean 'title'?", list items and patterns in words.
        details = error.errors(include_url=False)
        raise InvalidCourse(type_diagnostics(source, details, spec_model)) from None
    return _resolve(path, source, spec)


def resolve_lesson(root: Path, reference: str) -> Path:
    """The real path of a lesson file a course names; raises ValueError when it is not one.

    The one gate every path a lesson source names goes through
    (:func:`lessonc.assets.resolve_inside`), with lesson files for images.
    """
    from lessonc.assets import resolve_inside

    return resolve_inside(root, reference, frozenset(LESSON_SUFFIXES), "course folder")


def _resolve(path: Path, source: Located, spec: Any) -> Course:
    problems: list[Diagnostic] = []
    first_entry: dict[Path, PathKey] = {}
    chapters: list[CourseChapter] = []
    root = path.parent
    for c, chapter in enumerate(spec.chapters):
        entries: list[CourseLesson] = []
        for n, reference in enumerate(chapter.lessons):
            where: PathKey = ("chapters", c, "lessons", n)
            try:
                resolved = resolve_lesson(root, reference)
            except ValueError as error:
                problems.append(
                    source.diagnostic(
                        where, "course-lesson-missing", str(error),
                        "list lesson files by their path relative to the course file",
                    )
                )  # fmt: skip
                continue
            if resolved in first_entry:
                line = source.position(first_entry[resolved]).line
                problems.append(
                    source.diagnostic(
                        where, "course-duplicate-lesson",
                        f"'{reference}' is already listed on line {line}",
                        "a lesson appears once in a course; remove one of the entries",
                    )
                )  # fmt: skip
                continue
            first_entry[resolved] = where
            entries.append(CourseLesson(_shown(resolved), where))
        chapters.append(CourseChapter(chapter.title, chapter.number, tuple(entries)))
    if problems:
        raise InvalidCourse(problems)
    return Course(
        root=root,
        title=spec.title,
        description=spec.description,
        chapters=chapters,
        lint_disable=tuple(spec.lint.disable),
        pass_percent=spec.scorm.pass_percent if spec.scorm else None,
        ui=dict(spec.ui),
        source=source,
        file=path,
        file_sha256=source.sha256,
    )


def lesson_files(
    paths: Sequence[Path],
) -> tuple[list[tuple[Path, tuple[str, ...]]], list[Diagnostic]]:
    """The lesson files ``paths`` name, each with the lint rules its course switches off.

    A course file, or a folder holding one, gives the lessons it lists (its own
    mistakes located in it); any other folder gives its lesson files, and a file
    itself. What ``lessonc validate`` and ``lessonc lint`` check, like a build would.
    """
    found: list[tuple[Path, tuple[str, ...]]] = []
    problems: list[Diagnostic] = []
    for path in paths:
        course_file = course_file_for(path)
        if course_file is None:
            files, missing = discover([path])
            found.extend((f, ()) for f in files)
            problems.extend(missing)
            continue
        try:
            course = load_course(course_file)
        except InvalidCourse as error:
            problems.extend(error.diagnostics)
            continue
        found.extend((entry.path, course.lint_disable) for entry in course.lessons)
    return found, problems


def listed_lessons(path: Path, sha256: str, known: object) -> Course | None:
    """The course file's lessons without loading it, when ``known`` recorded them for ``sha256``.

    ``known`` is what the last build stored (``{"sha256": ..., "lessons": [...]}``);
    a build with nothing to do then never imports the models. Any doubt (another
    hash, a listed file gone) returns None and the caller loads the file properly.
    """
    if not isinstance(known, dict) or known.get("sha256") != sha256:
        return None
    lessons = known.get("lessons")
    if not isinstance(lessons, list) or not all(isinstance(x, str) for x in lessons):
        return None
    root = path.parent
    try:  # through the gate again: a listed file may have become a symlink since
        files = [_shown(check_file(root / name, root)) for name in lessons]
    except Refused:
        return None
    return Course(root=root, folder_lessons=files, file=path, file_sha256=sha256)


def recorded_lessons(course: Course) -> dict[str, object] | None:
    """What :func:`listed_lessons` needs next time, for a loaded course file."""
    if course.source is None or course.file_sha256 is None:
        return None
    root = course.root.resolve()
    return {
        "sha256": course.file_sha256,
        "lessons": [e.path.resolve().relative_to(root).as_posix() for e in course.lessons],
    }


def _shown(resolved: Path) -> Path:
    """A resolved path, relative to the working folder when below it (for messages)."""
    cwd = Path.cwd()
    return resolved.relative_to(cwd) if resolved.is_relative_to(cwd) else resolved


def course_spec_model() -> Any:
    """The course file's Pydantic model: for loading a course file, its JSON Schema and its
    reference section; built on first use, so a cached build never imports it."""
    from lessonc.course.spec import course_models

    return course_models()[0]
