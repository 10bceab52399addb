"""The output folder: what in it is lessonc's to replace, one writer at a time, atomic swaps.

An output folder is shared with whatever else lives there (a site's own pages,
the lesson sources when ``-o`` points at the repository), so lessonc owns only
what its manifests say it wrote:

- a lesson folder ``OUTPUT/<id>/`` is replaced only when it does not exist, or
  holds lessonc's ``manifest.json`` for that id (a JSON object with a
  ``lessonc`` version, an ``outputs`` list and ``lesson`` equal to the folder's
  name) and nothing besides the files that manifest lists;
- no lesson folder may be, or hold, a folder of lesson sources, and ``OUTPUT``
  itself may not be one;
- a course-level file is written only over a file the previous course manifest
  lists (or one with the very same bytes).

Two lessonc processes writing into one output folder take turns: each holds an
exclusive ``flock`` on the folder itself (no lock file to leave behind; the
kernel releases it when a process dies, even by SIGKILL) while it swaps a
lesson in, recovers an interrupted swap, or writes the course files.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
import signal
import tempfile
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from lessonc.cache import MANIFEST, read_manifest
from lessonc.diagnostics import display_path

_FOREIGN_SHOWN = 3
"""Files named in a refusal; the rest are counted."""


class OutputNotOurs(Exception):
    """Writing would replace or delete something lessonc did not make; nothing was written."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class UnsafeOutputRoot(Exception):
    """``-o`` is a folder of lesson sources: a usage error, found before anything is written."""


@contextlib.contextmanager
def locked(out_root: Path) -> Iterator[None]:
    """Hold the output folder's lock (creating the folder): other lessonc builds wait."""
    out_root.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out_root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError as error:
            # Some network file systems lock only files opened for writing:
            # there a build writes unlocked, as before locks existed.
            if error.errno not in (errno.EBADF, errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL):
                raise
        yield
    finally:
        os.close(descriptor)  # closing the last descriptor releases the lock


def source_folders(files: Iterable[Path], roots: Iterable[Path] = ()) -> frozenset[Path]:
    """The resolved folders the lesson files (and course roots) live in."""
    return frozenset([*(f.resolve().parent for f in files), *(r.resolve() for r in roots)])


def check_root(out_root: Path, sources: Collection[Path]) -> None:
    """Refuse an output folder that is itself a folder of lesson sources."""
    resolved = out_root.resolve()
    if resolved in sources:
        raise UnsafeOutputRoot(
            f"the output folder {display_path(out_root)} is a folder of lesson sources; "
            "outputs need a folder of their own, such as -o build"
        )


def check_lesson_folder(target: Path, lesson_id: str, sources: Collection[Path]) -> None:
    """Raise :class:`OutputNotOurs` unless ``target`` is lessonc's to replace for ``lesson_id``."""
    if not os.path.lexists(target):
        # A new folder, the common case: nothing is there, so no folder of sources (each
        # one exists) is it or lies in it. Resolving it first cost a lesson 0.05 ms.
        return
    resolved = target.resolve()
    for folder in sorted(sources):
        if folder == resolved or folder.is_relative_to(resolved):
            inner = display_path(folder)
            what = "is a folder" if folder == resolved else f"holds the folder {inner}"
            raise OutputNotOurs(
                f"this lesson's output folder {display_path(target)} {what} of lesson sources: "
                "building would replace them",
                "choose an output folder outside the sources with -o, such as -o build",
            )
    shown = display_path(target)
    hint = f"choose another output folder with -o, or move {shown} away"
    if target.is_symlink() or not target.is_dir():
        raise OutputNotOurs(f"{shown} exists and is not a folder lessonc made", hint)
    manifest = read_manifest(target / MANIFEST)
    if manifest is None or manifest.get("lesson") != lesson_id:
        raise OutputNotOurs(
            f"{shown} exists and lessonc did not make it (it has no lessonc manifest.json "
            f"for lesson '{lesson_id}'); it is left as it is",
            hint,
        )
    foreign = foreign_files(target, manifest)
    if foreign:
        raise OutputNotOurs(
            f"{shown} holds files lessonc did not write ({_names(foreign)}); "
            "rebuilding would delete them",
            f"move them out of {shown}, or choose another output folder with -o",
        )


def foreign_files(folder: Path, manifest: Mapping[str, Any]) -> list[str]:
    """Files (and links) below ``folder`` that neither are its manifest nor are listed in it."""
    outputs = manifest.get("outputs", [])
    listed = {MANIFEST} | {str(o.get("path")) for o in outputs if isinstance(o, dict)}
    found: list[str] = []
    for parent, folders, files in os.walk(folder):
        here = PurePosixPath(Path(parent).relative_to(folder).as_posix())
        links = [name for name in folders if (Path(parent) / name).is_symlink()]
        for name in sorted([*files, *links]):
            relative = str(here / name) if here.parts else name
            if relative not in listed:
                found.append(relative)
    return sorted(found)


def check_course_files(out_root: Path, artifacts: Mapping[str, bytes], owned: set[str]) -> None:
    """Refuse course-level files that would overwrite a file (or go through a folder) not ours.

    ``owned`` are the paths the previous course manifest lists. A file with the
    very bytes lessonc would write is taken over: that is how a course whose
    manifest was deleted builds again.
    """
    blocked = sorted(r for r, data in artifacts.items() if _blocked(out_root, r, data, owned))
    if blocked:
        raise OutputNotOurs(
            f"the course files would overwrite files lessonc did not write in "
            f"{display_path(out_root)}: {_names(blocked)}",
            "move them away, or give the course an output folder of its own with -o",
        )


def _blocked(out_root: Path, relative: str, data: bytes, owned: set[str]) -> bool:
    parents = [out_root / p for p in PurePosixPath(relative).parents if p.parts]
    if any(os.path.lexists(p) and (p.is_symlink() or not p.is_dir()) for p in parents):
        return True  # a file where a folder goes, or a link that leads elsewhere
    path = out_root / relative
    if not os.path.lexists(path):
        return False
    if path.is_symlink() or not path.is_file():
        return True
    return relative not in owned and path.read_bytes() != data


def _names(paths: list[str]) -> str:
    shown = ", ".join(paths[:_FOREIGN_SHOWN])
    more = len(paths) - _FOREIGN_SHOWN
    return f"{shown} and {more} more" if more > 0 else shown


# --- swapping a lesson folder in ----------------------------------------------------------

_SWAP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def staging_folder(target: Path) -> Path:
    """A new, empty, hidden folder beside ``target`` to build its replacement in.

    Made as any folder the user makes is: the umask applies, so the swapped-in build is as
    readable as the rest (a web server may serve it), where ``mkdtemp`` would make it
    private and reading the umask back costs more than the folder's files.
    """
    for _ in range(100):
        candidate = target.parent / f".{target.name}.new-{secrets.token_hex(4)}"
        try:
            candidate.mkdir(0o777)
        except FileExistsError:
            continue  # another writer's (or a crashed build's) name: draw again
        return candidate
    raise FileExistsError(errno.EEXIST, "no free name for a staging folder", str(target.parent))


def swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging``; the old folder stays whole until the new one is in.

    POSIX cannot exchange two folders in one step, so the old one is moved
    aside first. Ctrl-C and SIGTERM are held back for the two renames; if the
    second fails anyway the old folder goes back; after SIGKILL between them
    the next build finds it (see :func:`recover_interrupted_swaps`). The
    caller holds the output folder's lock, so no other build swaps meanwhile.
    """
    if not target.exists():
        os.replace(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    with _signals_held():
        os.replace(target, retired / target.name)
        try:
            os.replace(staging, target)
        except BaseException:
            if not target.exists():
                os.rename(retired / target.name, target)
            raise
    shutil.rmtree(retired, ignore_errors=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    # Signal masks apply to the calling thread; only the main thread receives
    # Python's SIGINT, so elsewhere there is nothing to hold back.
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SWAP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def recover_interrupted_swaps(out_root: Path) -> None:
    """Put back old builds left aside by a build killed between the two renames of a swap."""
    if not out_root.is_dir():
        return
    with locked(out_root):  # a build swapping right now has its old folder aside too
        for retired in sorted(out_root.glob(".*.old-*")):
            with contextlib.suppress(OSError):
                kept_names = [kept.name for kept in retired.iterdir()]
                for name in kept_names:
                    target = out_root / name
                    if not target.exists() and (retired / name / MANIFEST).is_file():
                        with contextlib.suppress(OSError):
                            os.replace(retired / name, target)
                if all((out_root / name).exists() for name in kept_names):
                    shutil.rmtree(retired, ignore_errors=True)
