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
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from pydantic import BaseModel

from lessonc.diagnostics import Diagnostic
from lessonc.outputs import BuildContext, RenderError
from lessonc.paths import Refused, check_file
from lessonc.scalars import ScalarLocator
from lessonc.source import Located, PathKey

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif"})
"""What a lesson may name as an image; anything else is refused before it is opened."""
MAX_FILE_BYTES = 32 * 1024 * 1024
"""Larger files are refused: an image in a lesson is a few hundred KiB."""


class OutsideRoot(ValueError):
    """A reference that points outside the lesson folder, or at no file."""


@dataclass(frozen=True)
class LessonFile:
    """An image lesson text names: as written, where it resolved, the YAML node naming it
    first, and the bytes every output publishes (decoded once; an SVG sanitised)."""

    reference: str
    path: Path
    yaml_path: PathKey
    data: bytes

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower()


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
    # On use: validating a lesson without images needs no sanitiser (nor the writers it reads).
    from lessonc.sanitise import is_safe_relative_path

    if not is_safe_relative_path(reference):
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
            # A partial lesson (validation's, after a type error) lacks the fields that failed.
            yield from text_fields(getattr(node, name, None), (*path, name))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from text_fields(item, (*path, index))
    elif isinstance(node, str):
        yield path, node


IMAGE_HINT = "images must be files in the lesson's folder, named by a relative path"
URL_HINT = (
    "lessonc never fetches or embeds URLs: save the image in the lesson's folder and "
    "name it by a relative path, e.g. images/diagram.png"
)


@dataclass(frozen=True)
class LessonImages:
    """Every image a lesson's text names, checked once: what each output bundles."""

    files: tuple[LessonFile, ...] = ()
    """One per reference as written (percent-encoded, as Markdown leaves it), in text order."""


def check_images(lesson: BaseModel, source: Located) -> tuple[LessonImages, list[Diagnostic]]:
    """The images the lesson's text names, resolved, read and decoded once each (SVGs
    sanitised), and a located error at each reference that cannot be used."""
    files: dict[str, LessonFile] = {}
    problems: list[Diagnostic] = []
    if "![" not in source.text and "\\" not in source.text:
        # No image syntax anywhere in the file (a YAML escape could spell one,
        # hence the backslash test): skip walking every field of the lesson.
        return LessonImages(), problems
    from lessonc import markup  # on use: most lessons have no image, and need no Markdown here

    outcomes: dict[str, LessonFile | tuple[str, str, str | None]] = {}
    locate = ScalarLocator(source)
    for yaml_path, text in text_fields(lesson):
        if "![" not in text:
            continue
        cursor = 0
        for reference in markup.image_paths(text):
            offset, cursor = _offset_of(text, reference, cursor)
            if reference not in outcomes:
                outcomes[reference] = _checked(source.path.parent, reference, yaml_path)
            outcome = outcomes[reference]
            if isinstance(outcome, LessonFile):
                files.setdefault(reference, outcome)
                continue
            code, message, hint = outcome
            line, col = locate.position(yaml_path, text, offset)
            problems.append(Diagnostic(source.display, line, col, code, message, hint))
    return LessonImages(tuple(files.values())), problems


def _checked(
    root: Path, reference: str, yaml_path: PathKey
) -> LessonFile | tuple[str, str, str | None]:
    """The checked file, or the (code, message, hint) of the error its every use gets."""
    try:
        path = resolve_inside(root, reference)
    except OutsideRoot as error:
        return "file-outside", str(error), URL_HINT if _is_url(reference) else IMAGE_HINT
    # Imported here: Pillow, lxml and tinycss2 cost a lesson without images nothing.
    from lessonc.images import INVALID_HINT, InvalidImage, checked_image

    try:
        data = checked_image(path.read_bytes(), path.suffix.lower())
    except OSError as error:
        return "image-invalid", f"'{reference}' cannot be read: {error.strerror}", None
    except InvalidImage as error:
        return "image-invalid", f"'{reference}' {error}", error.hint or INVALID_HINT
    return LessonFile(reference, path, yaml_path, data)


def _is_url(reference: str) -> bool:
    spelt = unquote(reference).strip()
    # Two letters at least: 'C:/…' is a Windows path, not a URL.
    return spelt.startswith("//") or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]+:", spelt) is not None


def _offset_of(text: str, reference: str, cursor: int) -> tuple[int, int]:
    """Where in ``text`` the next image (its ``![`` after ``cursor``) writes ``reference``, and
    the cursor past that ``![``. Markdown percent-encodes what it hands over, so the decoded
    spelling is tried too; failing both, the ``![`` itself."""
    anchor = text.find("![", cursor)
    if anchor < 0:
        return cursor, cursor
    spellings = [s for s in dict.fromkeys((reference, unquote(reference))) if s]
    # As a destination first (the alt text may spell the same path), then anywhere after the
    # '![' (a reference definition, or a destination with spaces around it).
    for prefix in ("](", "](<", ""):
        for spelling in spellings:
            found = text.find(prefix + spelling, anchor)
            if found >= 0:
                return found + len(prefix), anchor + 2
    return anchor, anchor + 2


def images_for(lesson: BaseModel, ctx: BuildContext) -> LessonImages:
    """The images a renderer bundles: those validation checked, else checked now (a caller
    that built the context itself); their problems then stop the render."""
    if ctx.images is None:
        ctx.images, problems = check_images(lesson, ctx.source)
        ctx.diagnostics.extend(problems)
        if any(problem.is_error for problem in problems):
            raise RenderError(f"{len(problems)} image reference(s) cannot be used")
    return ctx.images
