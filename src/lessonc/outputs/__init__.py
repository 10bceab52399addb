"""Output formats: each is one module with one renderer, registered here by name.

A renderer turns a validated :class:`~lessonc.model.Lesson` into artifacts
(relative paths and bytes). It never writes files itself: the pipeline writes
every artifact atomically, records it in the manifest and keeps builds
reproducible in one place. Adding a format means adding one module here and
one line to :data:`RENDERERS`.
"""

from __future__ import annotations

import importlib
import importlib.machinery
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from lessonc.assets import LessonImages
    from lessonc.diagnostics import Diagnostic
    from lessonc.model import Lesson
    from lessonc.source import Located


@dataclass(frozen=True)
class Artifact:
    """One output file: a path relative to the lesson's output folder, and its bytes."""

    path: str
    data: bytes
    record: Mapping[str, object] | None = field(default=None, compare=False)
    """What the manifest keeps about the file besides its size and hash, for the next build
    to compare with (the Anki deck: its notes' digests and stamp)."""


@dataclass(frozen=True)
class BuildOptions:
    """Settings that change outputs; part of the build cache key."""

    source_date_epoch: int
    """Timestamp stamped into outputs (PDF dates, Anki note times) for reproducibility."""
    paper: str = "a4"
    """PDF page size: 'a4' or 'letter'."""
    shuffle_seed: int | None = None
    """When set, the quiz is written with questions and choices shuffled by this seed."""
    template_dirs: tuple[Path, ...] = ()
    """User template folders, searched before the built-in templates."""
    in_course: bool = False
    """The lesson is built as part of a course (a folder or a course file): its page links
    to the course's home page and to its neighbours through the course's own files."""
    audio_format: str = "ogg"
    """Audio files' format: 'ogg' (Opus) or 'mp3' (for older players)."""
    with_audio: bool = False
    """The audio format is built too: the page and the handout point to its files."""
    edition: str = "student"
    """'teacher' adds the teacher edition of the handout (and of a course's handbook) beside
    the student's; every other output is the same in both."""
    speech_command: tuple[str, ...] = ()
    """A text-to-speech program to speak with instead of eSpeak NG (argv; ``{out}`` is the
    WAV it writes). Only ever from the command line: a lesson cannot name a program."""


@dataclass
class BuildContext:
    """What a renderer may know besides the lesson: where it came from and the options."""

    source: Located
    """The loaded source, with positions for every node (to locate diagnostics)."""
    options: BuildOptions
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Problems found while rendering; errors stop the lesson's build."""
    images: LessonImages | None = None
    """The lesson's images as validation checked them (read, decoded and sanitised once for
    every format); None when the caller did not validate them (see ``assets.images_for``)."""

    @property
    def source_dir(self) -> Path:
        """The lesson's folder: the only place a renderer may read lesson files from."""
        return self.source.path.parent


class RenderError(Exception):
    """Raised by a renderer whose problems are already in ``ctx.diagnostics``."""


class Renderer(Protocol):
    """The interface of one output format.

    A renderer is given the lesson without its teacher notes unless it sets a class
    attribute ``teacher_edition = True`` (only the handout does: see lessonc.editions).
    """

    name: str
    """Format name used with ``--format``."""

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterable[Artifact]:
        """Produce the format's files for one lesson."""
        ...


# Module per format, imported lazily so that `--format html` never imports WeasyPrint.
RENDERERS: dict[str, str] = {
    "html": "lessonc.outputs.html",
    "pdf": "lessonc.outputs.pdf",
    "anki": "lessonc.outputs.anki",
    "quiz": "lessonc.outputs.quiz",
    "gift": "lessonc.outputs.gift",
    "qti": "lessonc.outputs.qti",
    "scorm12": "lessonc.outputs.scorm.scorm12",
    "scorm2004": "lessonc.outputs.scorm.scorm2004",
    "audio": "lessonc.outputs.audio",
}
DEFAULT_FORMATS = ("html", "pdf", "anki", "quiz")
"""What ``lessonc build`` writes when no ``--format`` is given."""


def available_formats() -> list[str]:
    """Names of the formats whose module is present, in registry order."""
    return [name for name, module in RENDERERS.items() if _module_present(module)]


def _module_present(dotted: str) -> bool:
    # importlib.util.find_spec imports a submodule's parent packages, and the SCORM
    # package pulls in the quiz models and QTI: looked up on disk instead, every
    # ``lessonc build`` would otherwise import formats it was not asked for.
    locations = list(__path__)
    name = __name__
    for part in dotted.removeprefix(f"{__name__}.").split("."):
        name = f"{name}.{part}"
        spec = importlib.machinery.PathFinder.find_spec(name, locations)
        if spec is None:
            return False
        locations = list(spec.submodule_search_locations or ())
    return True


def get_renderer(name: str) -> Renderer:
    """The renderer registered under ``name``; each module exposes ``RENDERER``."""
    module = importlib.import_module(RENDERERS[name])
    renderer: Renderer = module.RENDERER
    return renderer
