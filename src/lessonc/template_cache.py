"""Compiled templates, kept in memory for the process and on disk for the next one.

Compiling the page's templates costs a one-lesson build more than rendering them, and
a build is often a fresh process (CI, pre-commit, an editor's save hook). Jinja2
checks each template's source checksum against what it stored, so an edited template
(a theme, ``lessonc serve``) is compiled anew; a file that cannot be read, is damaged
or was written by another lessonc, Jinja2 or Python is ignored and compiled again.

A theme's templates compile for :class:`~lessonc.sandbox.SandboxedTemplates`, whose
code differs from a plain environment's (guarded loops, checked operators); lessonc's
own templates, alone, compile for a plain one. The two never share a cache: code
compiled without the guards must never run a theme. The disk folder is keyed by a
fingerprint of what decides the compiled code (sandboxed or not, lessonc's version and
the source of its sandbox and environment, Jinja2's version, the Python version), so
code compiled under other limits is never run.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import sys
import tempfile
import types
from pathlib import Path

import jinja2
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from lessonc import __version__
from lessonc.user_cache import private_folder, user_cache_dir

_HEADER = b"lessonc compiled template 1\n"
_MAX_FILE_BYTES = 16 * 1024 * 1024
"""Far above any real template's code (the page's largest is about 100 KB); anything
bigger is not ours, and is not read into memory."""
_COMPILE_SOURCES = ("sandbox.py", "templating.py")
"""lessonc's modules that decide how a template compiles (code generator, options)."""


@functools.cache
def code_fingerprint(sandboxed: bool = True) -> str | None:
    """What the compiled code depends on besides the template's text; None if unknown."""
    digest = hashlib.sha256()
    kind = "sandboxed" if sandboxed else "plain"
    for part in (kind, __version__, jinja2.__version__, sys.implementation.cache_tag or ""):
        digest.update(part.encode() + b"\0")
    try:
        for name in _COMPILE_SOURCES:
            digest.update(Path(__file__).with_name(name).read_bytes())
    except OSError:
        return None  # installed without sources: no way to tell versions apart
    return digest.hexdigest()[:32]


class CompiledTemplates(BytecodeCache):
    """Jinja2's bytecode cache: a dict for this process over a folder for later ones.

    ``sandboxed`` says which kind of environment's code it keeps (see above).
    """

    def __init__(self, *, sandboxed: bool = True) -> None:
        self._sandboxed = sandboxed
        self._code: dict[str, bytes] = {}
        self._folders: dict[Path, Path | None] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        stored = self._code.get(bucket.key)
        if stored is not None:
            bucket.bytecode_from_string(stored)
            if bucket.code is not None:
                return
        code = self._read(bucket)
        if code is not None:
            bucket.code = code
            self._code[bucket.key] = bucket.bytecode_to_string()

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        self._write(bucket)

    def folder(self) -> Path | None:
        """Where compiled templates are kept on disk, or None (no disk cache)."""
        try:
            root = user_cache_dir()
        except RuntimeError:  # no home folder to put it in
            return None
        if root not in self._folders:
            fingerprint = code_fingerprint(self._sandboxed)
            self._folders[root] = (
                None if fingerprint is None else private_folder(root / "templates" / fingerprint)
            )
        return self._folders[root]

    def _path(self, bucket: Bucket) -> Path | None:
        folder = self.folder()
        return None if folder is None else folder / f"{bucket.key}.code"

    def _read(self, bucket: Bucket) -> types.CodeType | None:
        path = self._path(bucket)
        if path is None:
            return None
        try:
            with path.open("rb") as stream:
                data = stream.read(_MAX_FILE_BYTES + 1)
        except OSError:
            return None
        return _decode(data, bucket.checksum)

    def _write(self, bucket: Bucket) -> None:
        path = self._path(bucket)
        if path is None or bucket.code is None:
            return
        payload = marshal.dumps(bucket.code)
        checksum_line = bucket.checksum.encode() + b"\n"
        digest_line = hashlib.sha256(payload).hexdigest().encode() + b"\n"
        try:
            # Written aside and renamed: builds running at once never read half a file.
            handle, temporary = tempfile.mkstemp(prefix=".new-", dir=path.parent)
            try:
                with os.fdopen(handle, "wb") as stream:
                    stream.write(_HEADER + checksum_line + digest_line + payload)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass  # a cache that cannot be written only costs time


def _decode(data: bytes, checksum: str) -> types.CodeType | None:
    """The code in a cache file, if it is whole and compiled from the source at hand."""
    if len(data) > _MAX_FILE_BYTES or not data.startswith(_HEADER):
        return None
    parts = data[len(_HEADER) :].split(b"\n", 2)
    if len(parts) != 3 or parts[0] != checksum.encode():
        return None
    stored_digest, payload = parts[1], parts[2]
    # Checked before unmarshalling: marshal trusts its input, and a truncated or
    # damaged file must be recompiled, never half-loaded.
    if hashlib.sha256(payload).hexdigest().encode() != stored_digest:
        return None
    try:
        code = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, types.CodeType) else None
