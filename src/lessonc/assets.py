"""Files a lesson refers to (images in its text), resolved through one gate.

Every output that reads a file the lesson names goes through
:func:`resolve_inside`, so no lesson can make lessonc read outside its own
folder: not with '..', an absolute path, a URL, percent-encoding or a symlink.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from pydantic import BaseModel

from lessonc import markup
from lessonc.diagnostics import Diagnostic
from lessonc.source import Located, PathKey


class OutsideRoot(ValueError):
    """A reference that points outside the lesson folder, or at no file."""


@dataclass(frozen=True)
class LessonFile:
    """A file lesson text names: as written, where it resolved, and the YAML node naming it."""

    reference: str
    path: Path
    yaml_path: PathKey


def resolve_inside(root: Path, reference: str) -> Path:
    """The real path of ``reference`` below ``root``; raises :class:`OutsideRoot` otherwise."""
    if not markup.is_safe_relative_path(reference):
        raise OutsideRoot(f"'{reference}' is not a relative path inside the lesson folder")
    real_root = root.resolve()
    target = (real_root / unquote(reference)).resolve()  # resolve() follows symlinks
    if not target.is_relative_to(real_root):
        raise OutsideRoot(f"'{reference}' leads outside the lesson folder")
    if not target.is_file():
        raise OutsideRoot(f"'{reference}' is not a file in the lesson folder")
    return target


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
