"""Files a lesson refers to (images in its text), resolved through one gate.

Every output that reads a file the lesson names goes through
:func:`resolve_inside`, so no lesson can make lessonc read outside its own
folder: not with '..', an absolute path, a URL, percent-encoding (once or
twice), a backslash, a NUL byte or a symlink. The gate also refuses what would
build on one machine and fail on another (a name that differs in case from the
file on disk) and what is no image at all (hidden files such as ``.git/config``,
other suffixes, devices, huge files), so a pull request cannot smuggle the
repository's private files into a published page.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from pydantic import BaseModel

from lessonc import markup
from lessonc.diagnostics import Diagnostic
from lessonc.paths import Refused, check_file
from lessonc.source import Located, PathKey

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif"})
"""What a lesson may name as an image; anything else is refused before it is opened."""
MAX_FILE_BYTES = 32 * 1024 * 1024
"""Larger files are refused: an image in a lesson is a few hundred KiB."""


class OutsideRoot(ValueError):
    """A reference that points outside the lesson folder, or at no file."""


@dataclass(frozen=True)
class LessonFile:
    """A file lesson text names: as written, where it resolved, and the YAML node naming it."""

    reference: str
    path: Path
    yaml_path: PathKey


def resolve_inside(
    root: Path,
    reference: str,
    suffixes: frozenset[str] = IMAGE_SUFFIXES,
    place: str = "lesson folder",
) -> Path:
    """The real path of ``reference`` below ``root``; raises :class:`OutsideRoot` otherwise.

    ``suffixes`` are the file types allowed (images, by default; a course's
    lesson files otherwise) and ``place`` names ``root`` in messages.

    ``reference`` is a URL path as Markdown leaves it (percent-encoded); it is
    decoded once, as a browser would. Each segment must name an entry of its
    folder exactly (case included) and is resolved at once, so a symlink that
    leaves ``root`` is refused before anything past it is even listed.
    """
    real_root = root.resolve()
    current = real_root
    for part in _relative_parts(reference, suffixes, place):
        _check_name_on_disk(current, part, reference, place)
        try:
            current = (current / part).resolve()
        except (OSError, RuntimeError):  # a symlink loop: RuntimeError before Python 3.13
            raise OutsideRoot(f"'{reference}' goes round a loop of symlinks") from None
        if not current.is_relative_to(real_root):
            raise OutsideRoot(f"'{reference}' leads outside the {place}")
    return _checked_file(current, reference, place)


def _relative_parts(reference: str, suffixes: frozenset[str], place: str) -> list[str]:
    """The folder and file names ``reference`` spells, decoded; refuses every ambiguous form."""
    if not markup.is_safe_relative_path(reference):
        raise OutsideRoot(f"'{reference}' is not a relative path inside the {place}")
    try:
        decoded = unquote(reference, errors="strict")
    except UnicodeDecodeError:
        raise OutsideRoot(f"'{reference}' is percent-encoded but not UTF-8") from None
    if unquote(decoded) != decoded:
        # A browser decodes once; a second layer (%252e%252e) only hides what is meant.
        raise OutsideRoot(f"'{reference}' is percent-encoded twice")
    if "\\" in decoded:
        raise OutsideRoot(f"'{reference}' uses '\\'; separate folders with '/'")
    if any(unicodedata.category(c) == "Cc" for c in decoded):
        raise OutsideRoot(f"'{reference}' contains a control character")
    parts = [p for p in decoded.split("/") if p != "."]
    if not parts or any(p in ("", "..") for p in parts):
        raise OutsideRoot(f"'{reference}' is not a relative path inside the {place}")
    if any(p.startswith(".") for p in parts):
        raise OutsideRoot(f"'{reference}' names a hidden file or folder")
    suffix = os.path.splitext(parts[-1])[1].lower()
    if suffix not in suffixes:
        allowed = ", ".join(sorted(suffixes))
        kind = "an image file" if suffixes == IMAGE_SUFFIXES else "a file of a known kind"
        raise OutsideRoot(f"'{reference}' is not {kind} ({allowed})")
    return parts


def _check_name_on_disk(folder: Path, name: str, reference: str, place: str) -> None:
    """``name`` is an entry of ``folder`` spelt exactly so: a case-insensitive disk must not
    let a lesson build on one machine that fails on the next."""
    try:
        names = os.listdir(folder)
    except OSError:
        raise OutsideRoot(f"'{reference}' is not a file in the {place}") from None
    if name in names:
        return
    same_but_case = [n for n in names if n.casefold() == name.casefold()]
    if same_but_case:
        raise OutsideRoot(
            f"'{reference}': '{name}' differs in case from '{same_but_case[0]}' on disk"
        )
    raise OutsideRoot(f"'{reference}' is not a file in the {place}")


def _checked_file(path: Path, reference: str, place: str) -> Path:
    # ``path`` is resolved already: the gate checks what it is (a regular file, not too large).
    try:
        return check_file(path, path.parent, limit=MAX_FILE_BYTES)
    except Refused as refused:
        if refused.code == "source-too-large":
            raise OutsideRoot(f"'{reference}': {refused.message}") from None
        raise OutsideRoot(f"'{reference}' is not a file in the {place}") from None


def text_fields(node: object, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    """Every string in a model tree with its path, in source order."""
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from text_fields(getattr(node, name), (*path, name))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from text_fields(item, (*path, index))
    elif isinstance(node, str):
        yield path, node


def referenced_files(
    lesson: BaseModel, source: Located
) -> tuple[list[LessonFile], list[Diagnostic]]:
    """The images the lesson's text names, resolved; a located error for each one refused."""
    files: list[LessonFile] = []
    problems: list[Diagnostic] = []
    seen: set[str] = set()
    if "![" not in source.text and "\\" not in source.text:
        # No image syntax anywhere in the file (a YAML escape could spell one,
        # hence the backslash test): skip walking every field of the lesson.
        return files, problems
    for yaml_path, text in text_fields(lesson):
        if "![" not in text:
            continue
        for reference in markup.image_paths(text):
            try:
                resolved = resolve_inside(source.path.parent, reference)
            except OutsideRoot as error:
                problems.append(
                    source.diagnostic(
                        yaml_path, "file-outside", str(error),
                        "images must be files in the lesson's folder, named by a relative path",
                    )
                )  # fmt: skip
                continue
            if reference not in seen:
                seen.add(reference)
                files.append(LessonFile(reference, resolved, yaml_path))
    return files, problems
