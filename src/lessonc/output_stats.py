"""What each output and source file's stat said when its SHA-256 was last taken, so a
rebuild with nothing to do need not read and hash every file again (git's index does the
same for its work tree).

A build checks that a skipped lesson's outputs still hold what its manifest records. With
this record, a file whose size, modification and change times, inode and device are all
as they were when it was hashed is taken to hold the same bytes; any write changes its
change time (which no program can set back). A file is recorded only once it is a few
seconds old, so a write within the clock's resolution of the hashing cannot hide
behind an unchanged time (git's "racy clean" rule).

The record lives in the user's cache folder, one file per output folder, never in the
output folder: outputs and manifests stay byte-identical from build to build. Like every
cache of lessonc's it is only a shortcut: unreadable, stale or missing means hashing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from lessonc.user_cache import private_folder, user_cache_dir

_FOLDER = "output-stats"
_VERSION = 1
SETTLED_NS = 3_000_000_000
"""How old a file must be (by its modification time) before its stat is trusted."""

Signature = tuple[int, int, int, int, int]


def _signature(found: os.stat_result) -> Signature:
    return (found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev)


class OutputStats:
    """The recorded stats of one output folder's files, read once and saved once a build."""

    def __init__(self, out_root: Path, hash_file: Callable[[Path], str]) -> None:
        self._hash_file = hash_file
        self._root = str(out_root.resolve())
        self._known: dict[str, tuple[Signature, str]] = {}
        self._used: set[str] = set()
        self._changed = False
        self._file: Path | None = None
        folder = private_folder(user_cache_dir() / _FOLDER)
        if folder is None:
            return
        self._file = folder / (hashlib.sha256(os.fsencode(self._root)).hexdigest()[:32] + ".json")
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            data = json.loads(self._file.read_bytes())
            if data["version"] == _VERSION and data["root"] == self._root:
                self._known = {
                    str(path): (tuple(int(n) for n in entry[:5]), str(entry[5]))  # type: ignore[misc]
                    for path, entry in data["files"].items()
                    if isinstance(entry, list) and len(entry) == 6
                }

    def sha256(self, path: Path) -> str:
        """The file's SHA-256: from the record when its stat is unchanged, else by hashing
        it (and recording it when it has settled). Raises OSError as reading it would."""
        key = os.path.abspath(path)  # not resolve(): its symlink walk cost more than the hash
        self._used.add(key)
        before = _signature(path.stat())
        known = self._known.get(key)
        if known is not None and known[0] == before:
            return known[1]
        digest = self._hash_file(path)
        after = _signature(path.stat())
        settled = time.time_ns() - after[1] > SETTLED_NS
        if after == before and settled:
            self._known[key] = (after, digest)
            self._changed = True
        return digest

    def save(self) -> None:
        """Write the record if it changed (aside, then renamed: a reader never sees half).

        Only the files looked at this build are kept, so the record of a folder whose
        lessons come and go does not grow for ever."""
        if self._file is None or not (self._changed or self._used < self._known.keys()):
            return
        files = {key: self._known[key] for key in sorted(self._used) if key in self._known}
        data = {
            "version": _VERSION,
            "root": self._root,
            "files": {path: [*sig, digest] for path, (sig, digest) in files.items()},
        }
        aside = self._file.with_name(f"{self._file.name}.{os.getpid()}.tmp")
        try:
            aside.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            os.replace(aside, self._file)
        except OSError:
            with contextlib.suppress(OSError):
                aside.unlink()
        self._changed = False
