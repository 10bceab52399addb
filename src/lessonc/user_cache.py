"""The user's cache folder: work lessonc can redo, kept between runs to start faster.

It is never in the source tree or the output folder, so a cache can neither enter a
commit nor a build. What it holds is only ever a shortcut: a folder that cannot be
made, written or trusted means no cache, never a failed build.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

CACHE_ENV = "LESSONC_CACHE_DIR"


def user_cache_dir() -> Path:
    """``$LESSONC_CACHE_DIR``, else ``$XDG_CACHE_HOME/lessonc``, else ``~/.cache/lessonc``."""
    if chosen := os.environ.get(CACHE_ENV):
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lessonc"


def private_folder(path: Path) -> Path | None:
    """``path``, made if missing (its owner's alone), or None when it cannot be used.

    Some of what is cached is code that lessonc runs (compiled templates): a folder
    another user could write to would let them run code as whoever builds next.
    """
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = path.stat()
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    if hasattr(os, "getuid") and found.st_uid != os.getuid():
        return None
    if not os.access(path, os.W_OK | os.X_OK):
        return None
    return path
