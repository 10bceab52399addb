"""Starting points for authors: a starter lesson (`lessonc new`) and a theme to edit."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path

from lessonc.model import SLUG_PATTERN
from lessonc.templating import builtin_templates, read_builtin
from lessonc.wording import count

STARTER_TEMPLATE = "new/lesson.yaml"

# Where the starter's first line sends editors: schema/ in the current folder, where
# `lessonc schema` writes by default and where a repository of lessons commits it, so the
# relative path works on every clone. A web address would need a site nobody runs, and a
# path into the installed package changes with each environment and upgrade.
SCHEMA_DIR = Path("schema")
LESSON_SCHEMA = "lesson.schema.json"


class ScaffoldError(Exception):
    """The starter cannot be written (bad id, file exists); the message says why."""


def title_from_id(lesson_id: str) -> str:
    """A readable first title: 'my-first-lesson' → 'My first lesson'."""
    words = lesson_id.replace("-", " ")
    return words[:1].upper() + words[1:]


def schema_reference(lesson_file: Path, schema_file: Path) -> str:
    """How ``lesson_file``'s first line names ``schema_file``: a path relative to its folder."""
    try:
        relative = os.path.relpath(schema_file.resolve(), lesson_file.parent.resolve())
    except ValueError:  # on another drive (Windows) no relative path exists
        return schema_file.resolve().as_uri()
    return Path(relative).as_posix()


_HEADINGS = {
    "dialogue": "dialogue",
    "summary at three depths": "summary",
    "videos": "videos",
    "chapters": "chapters",
    "key concepts": "key_concepts",
    "real-life examples": "examples",
    "memory aids": "memory_aids",
    "flashcards": "flashcards",
    "glossary": "glossary",
    "practice questions": "practice_questions",
    "references": "references",
}
"""The starter's section headings, each with the catalogue key that names it in a language."""
_HEADING = re.compile(
    "^# --- (?P<name>" + "|".join(sorted(map(re.escape, _HEADINGS), key=len, reverse=True)) + ")",
    re.M,
)


def localise_starter(text: str, language: str) -> str:
    """The starter for a lesson in ``language``: its tag, direction and interface words, and
    each section heading also in the language (the YAML keys stay English, as lessonc reads
    them)."""
    from lessonc import i18n

    words = i18n.for_language(language)
    direction = i18n.text_direction(language)

    def heading(match: re.Match[str]) -> str:
        name = match.group("name")
        return f"# --- {words.text(_HEADINGS[name])} · {name}"

    text = _HEADING.sub(heading, text)
    text = re.sub(r"^language: en( +)", lambda m: f"language: {language}{m.group(1)}", text,
                  count=1, flags=re.M)  # fmt: skip
    text = re.sub(r"^direction: ltr", f"direction: {direction}", text, count=1, flags=re.M)
    shown = words.text("show_answer").replace('"', "'")
    return text.replace('  show_answer: "Show answer"', f'  show_answer: "{shown}"', 1)


def starter_text(
    lesson_id: str,
    file_name: str,
    schema: str = f"{SCHEMA_DIR}/{LESSON_SCHEMA}",
    language: str = "en",
) -> str:
    """The starter lesson's YAML for ``lesson_id``, its first line pointing at ``schema``."""
    if not re.fullmatch(SLUG_PATTERN, lesson_id) or len(lesson_id) > 64:
        raise ScaffoldError(
            f"'{lesson_id}' is not a valid lesson id: use lower-case letters, digits "
            "and single hyphens, e.g. 'photosynthesis-basics'"
        )
    text = read_builtin(STARTER_TEMPLATE)
    if language != "en":
        text = localise_starter(text, language)
    return (
        text.replace("__LESSON_ID__", lesson_id)
        .replace("__TITLE__", title_from_id(lesson_id))
        .replace("__FILE__", file_name)
        .replace("__SCHEMA__", schema)
    )


def write_starter(
    lesson_id: str, out_dir: Path, schema_dir: Path = SCHEMA_DIR, language: str = "en"
) -> Path:
    """Write ``out_dir/<lesson_id>.yaml``; never overwrites an existing file."""
    target = out_dir / f"{lesson_id}.yaml"
    text = starter_text(
        lesson_id, str(target), schema_reference(target, schema_dir / LESSON_SCHEMA), language
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: a file created between a check and the write is not clobbered either.
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        raise ScaffoldError(f"{target} already exists; not overwriting it") from None
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return target


def write_schema_if_missing(schema_dir: Path = SCHEMA_DIR) -> Path | None:
    """Write the lesson schema the starter points at, unless it exists; the path if written.

    An existing file is left alone even when an older lessonc wrote it: it may be
    committed, and `lessonc schema` is how an author chooses to refresh it.
    """
    from lessonc.schemas import lesson_schema, schema_text

    target = schema_dir / LESSON_SCHEMA
    try:
        schema_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as error:
        if target.exists():
            return None
        raise ScaffoldError(
            f"the lesson is written, but {target} could not be ({error.strerror}); "
            "run `lessonc schema -o DIR` where you can write and fix the lesson's first line"
        ) from None
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(schema_text(lesson_schema()))
    return target


# Not part of a theme: the starter lesson, and the Anki card templates, which
# define lessonc's note types (a user variant would make Anki fork the type).
_NOT_THEME = frozenset({"new", "anki"})


def export_templates(destination: Path, *, force: bool = False) -> list[Path]:
    """Copy the built-in templates into ``destination`` to start a theme.

    Nothing is copied when any target file exists already, so a half-made
    theme is never mixed with fresh copies; ``force`` replaces existing files.
    Never, even with ``force``, does it write through a symlink at or below
    ``destination`` (dangling or not): a theme folder from a pull request
    could hold ``html/lesson.html.j2`` linking to a file of the user's.
    """
    source = builtin_templates()
    files = sorted(
        p
        for p in source.rglob("*")
        if p.is_file() and p.relative_to(source).parts[0] not in _NOT_THEME
    )
    relatives = [p.relative_to(source).parts for p in files]
    existing: list[Path] = []
    for parts in relatives:
        found = _existing_target(destination, parts)
        if found is not None:
            existing.append(found)
    if existing and not force:
        shown = ", ".join(str(t) for t in existing[:3]) + (" …" if len(existing) > 3 else "")
        raise ScaffoldError(
            f"{count(len(existing), 'file')} exist already ({shown}); not overwriting them"
            " (--force replaces them)"
        )
    try:
        destination.mkdir(parents=True, exist_ok=True)
        root = os.open(destination, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as error:
        raise ScaffoldError(f"cannot write to {destination}: {error.strerror}") from None
    try:
        for file, parts in zip(files, relatives, strict=True):
            _write_below(root, parts, file.read_bytes(), destination)
    finally:
        os.close(root)
    return [destination.joinpath(*parts) for parts in relatives]


def _existing_target(destination: Path, parts: tuple[str, ...]) -> Path | None:
    """``destination/parts…`` when it exists; refuses a symlink or a non-file on the way to it."""
    steps = [destination.joinpath(*parts[:depth]) for depth in range(len(parts) + 1)]
    for depth, path in enumerate(steps):
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            return None  # nothing below it exists either
        except OSError as error:
            raise ScaffoldError(f"cannot write to {path}: {error.strerror}") from None
        if stat.S_ISLNK(mode):
            raise ScaffoldError(
                f"{path} is a symlink; not writing through it"
                " (remove it, or export into another folder)"
            )
        is_last = depth == len(parts)
        if is_last and not stat.S_ISREG(mode):
            raise ScaffoldError(f"{path} exists and is not a regular file; not replacing it")
        if not is_last and not stat.S_ISDIR(mode):
            raise ScaffoldError(f"{path} exists and is not a folder")
    return steps[-1]


def _write_below(root: int, parts: tuple[str, ...], data: bytes, destination: Path) -> None:
    """Write ``data`` to ``parts`` below the open folder ``root``, following no symlink.

    The survey above refused symlinks; opening each folder with O_NOFOLLOW and
    replacing the file by a rename keeps one planted since then from being
    followed either (a rename replaces a link, it never writes through it).
    """
    folder = os.dup(root)
    try:
        for part in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, dir_fd=folder)
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = inner
        temporary = f".{parts[-1]}.{os.getpid()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        descriptor = os.open(temporary, flags, 0o644, dir_fd=folder)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, parts[-1], src_dir_fd=folder, dst_dir_fd=folder)
    except OSError as error:
        shown = destination.joinpath(*parts)
        raise ScaffoldError(f"cannot write {shown}: {error.strerror}") from None
    finally:
        os.close(folder)
