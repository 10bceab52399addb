"""The incremental build cache: which lessons' outputs are still current.

A lesson's outputs are current for a format when the key recorded in its
``manifest.json`` equals the key of this build and every output file listed
there still has its recorded size and SHA-256. The key hashes everything an
output depends on: the source bytes, every template file (built-in and the
user's folders), the lessonc version and the options (format, paper, shuffle
seed, source date, edition). Nothing here imports the lesson models or a renderer, so a
build with nothing to do stays fast.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from lessonc import __version__
from lessonc.paths import Refused, read_file

MANIFEST = "manifest.json"
_CHUNK = 1 << 20


STARTER_FOLDER = "new/"
"""The built-in templates' folder holding `lessonc new`'s starter lesson."""


def templates_digest(template_dirs: Sequence[Path]) -> str:
    """One hash over every file of the built-in templates and the user's template folders."""
    digest = hashlib.sha256()
    for index, folder in enumerate([_builtin_templates(), *template_dirs]):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            if index == 0 and relative.startswith(STARTER_FOLDER):
                continue  # `lessonc new`'s starter is never rendered: editing it changes no output
            digest.update(f"{index}\0{relative}\0".encode())
            try:  # through the path gate, as the template loader reads them
                data = read_file(path, folder)
            except Refused as refused:  # never read; the loader reports it when it is used
                data = refused.code.encode()
            digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def _builtin_templates() -> Path:
    # The same lookup as lessonc.templating.builtin_templates, without importing
    # Jinja2 and the Markdown stack (a tenth of a second) on a build that renders nothing.
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class KeyInputs:
    """What every output of one build depends on besides the source and the format."""

    templates: str
    paper: str
    shuffle_seed: int | None
    in_course: bool = False
    audio: str = ""
    """The audio settings (format, speech command, whether the page shows players), when
    they matter to this build; empty otherwise, so other builds keep their keys."""
    edition: str = "student"
    """'teacher' when the build adds teacher editions; a student build's keys leave it out."""

    def key(self, source_sha256: str, format_name: str, source_date_epoch: int) -> str:
        """The cache key of one format's outputs for one source."""
        return _hash(
            {
                "lessonc": __version__,
                "source": source_sha256,
                "templates": self.templates,
                "format": format_name,
                "paper": self.paper,
                "shuffle_seed": self.shuffle_seed,
                "source_date_epoch": source_date_epoch,
                "in_course": self.in_course,
                **({"audio": self.audio} if self.audio else {}),
                **({"edition": self.edition} if self.edition != "student" else {}),
            }
        )

    def keys(
        self, source_sha256: str, formats: Iterable[str], source_date_epoch: int
    ) -> dict[str, str]:
        """Each format's key."""
        return {name: self.key(source_sha256, name, source_date_epoch) for name in formats}


def combined_key(parts: object) -> str:
    """A key over any JSON-able description (used for the course-level outputs)."""
    return _hash(parts)


def _hash(parts: object) -> str:
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path: Path) -> dict[str, Any] | None:
    """A lessonc manifest (lesson or course), or None when absent, unreadable or not lessonc's."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or "lessonc" not in data
        or not isinstance(data.get("outputs"), list)
    ):
        return None
    return data


def lesson_folders(out_root: Path) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Each folder in ``out_root`` that lessonc made for a lesson: id → (folder, manifest).

    Only a folder whose manifest names the folder's own lesson counts, so a
    folder the user made (or one a crash left half-written) is never mistaken
    for lessonc's.
    """
    found: dict[str, tuple[Path, dict[str, Any]]] = {}
    try:
        children = sorted(out_root.iterdir())
    except OSError:
        return found
    for child in children:
        if child.name.startswith("."):
            continue
        manifest = read_manifest(child / MANIFEST)
        if manifest is not None and manifest.get("lesson") == child.name:
            found[child.name] = (child, manifest)
    return found


def source_index(
    folders: Mapping[str, tuple[Path, dict[str, Any]]],
) -> dict[tuple[str, str], str]:
    """(source file name, source SHA-256) → lesson id, from the manifests found."""
    index: dict[tuple[str, str], str] = {}
    for lesson_id, (_, manifest) in folders.items():
        source = manifest.get("source")
        if isinstance(source, dict):
            index[(str(source.get("file")), str(source.get("sha256")))] = lesson_id
    return index


def outputs_intact(
    folder: Path,
    entries: Iterable[Mapping[str, Any]],
    sha256_of: Callable[[Path], str] | None = None,
) -> bool:
    """Whether every listed output file still has its recorded size and SHA-256 (taken by
    ``sha256_of`` when given: :class:`lessonc.output_stats.OutputStats` skips re-reading
    files whose stat is unchanged)."""
    sha256_of = sha256_of or file_sha256
    for entry in entries:
        try:
            relative = PurePosixPath(str(entry["path"]))
            if relative.is_absolute() or ".." in relative.parts:
                return False
            path = folder / relative
            if path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
                return False
        except (OSError, KeyError, TypeError):
            return False
    return True


def is_current(
    folder: Path,
    manifest: Mapping[str, Any],
    keys: Mapping[str, str],
    sha256_of: Callable[[Path], str] | None = None,
) -> bool:
    """Whether the outputs of every format in ``keys`` are in ``folder`` and built with its key."""
    recorded = manifest.get("cache")
    if not isinstance(recorded, dict):
        return False
    if any(recorded.get(name) != key for name, key in keys.items()):
        return False
    outputs = manifest.get("outputs", [])
    wanted = [o for o in outputs if isinstance(o, dict) and o.get("format") in keys]
    # Every format writes at least one file: a format with a key and no file
    # listed means the manifest was edited or its outputs were removed.
    if {o.get("format") for o in wanted} != set(keys):
        return False
    return outputs_intact(folder, wanted, sha256_of)
