"""The one gate every file lessonc reads on an author's behalf goes through.

Lesson sources (named on the command line, found in a course folder, listed
by a course file, rebuilt by ``lessonc serve``), course files and the files of
a ``--templates`` folder may all arrive in a pull request, and any of them
may be a symlink. The gate reads a file only when, after resolving every
symlink, it is a regular file inside the folder it is allowed to come from,
and no larger than a limit checked before reading (and again while reading, at
most ``limit + 1`` bytes). Devices, FIFOs and sockets are refused before they
are opened, so ``/dev/zero`` cannot fill memory and a FIFO cannot block.

The file is opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked again on the
open descriptor (``fstat``, and where it lies), so a symlink swapped in
between the check and the read is refused too. A refused file is never read,
so no text of it can reach a diagnostic.

This module imports only the standard library and :mod:`lessonc.diagnostics`:
a build with nothing to do uses it too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from lessonc.diagnostics import Diagnostic

MAX_SOURCE_BYTES = 4 * 1024 * 1024
"""Larger sources are refused before they are read; a real lesson is a few tens of KiB."""
SOURCE_SIZE_HINT = "split the lesson, or move long media into files it references"
OUTSIDE_HINT = (
    "lessonc reads only files inside the folder they are named in; "
    "copy the file there instead of linking to it"
)
NOT_REGULAR_HINT = "name a regular file; lessonc never reads devices, pipes or sockets"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_PATH = getattr(os, "O_PATH", 0)
_PROC_FD = os.path.isdir("/proc/self/fd")
_CHUNK = 1 << 20


class Refused(Exception):
    """A file the gate will not read: ``code`` and ``message`` make its diagnostic."""

    def __init__(self, code: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint

    def diagnostic(self, path: Path) -> Diagnostic:
        """The refusal as a diagnostic about ``path`` as it was named.

        Not :func:`~lessonc.diagnostics.display_path`, which resolves symlinks:
        the name of the link is shown, never where it leads.
        """
        named = Path(os.path.abspath(path))  # lexical: follows no symlink
        cwd = Path.cwd()
        shown = str(named.relative_to(cwd)) if named.is_relative_to(cwd) else str(path)
        return Diagnostic(shown, 1, 1, self.code, self.message, self.hint)


def read_file(
    path: Path,
    root: Path | None = None,
    *,
    limit: int = MAX_SOURCE_BYTES,
    place: str = "its folder",
    size_hint: str = SOURCE_SIZE_HINT,
) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes inside ``root``.

    ``root`` defaults to the folder ``path`` is in (resolved): a user who names
    ``content/x.yaml`` trusts that folder, not wherever a symlink called
    ``x.yaml`` points. ``place`` names ``root`` in messages and ``size_hint``
    says what to do with a file over the limit. Raises :class:`Refused` for
    anything else, unreadable files included.
    """
    descriptor, size, _ = _open(path, root, limit, place, size_hint)
    try:
        chunks: list[bytes] = []
        remaining = limit + 1  # one byte more than allowed tells a file that grew
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise Refused("source-unreadable", f"cannot read the file: {error.strerror}") from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > limit:
        raise _too_large(max(size, len(data)), limit, size_hint)
    return data


def check_file(
    path: Path,
    root: Path | None = None,
    *,
    limit: int = MAX_SOURCE_BYTES,
    place: str = "its folder",
    size_hint: str = SOURCE_SIZE_HINT,
) -> Path:
    """The real path of ``path`` when :func:`read_file` would read it; raises :class:`Refused`.

    For callers that find files first and read them later (a folder of lessons).
    """
    descriptor, _, real = _open(path, root, limit, place, size_hint)
    os.close(descriptor)
    return real


def _real(path: str | Path) -> str:
    """Where ``path`` leads with every symlink followed.

    Asked of the kernel where it can answer (an ``O_PATH`` descriptor, which
    opens nothing for reading: no device, FIFO or file is touched, and its
    path in /proc): this runs for every lesson of a build with nothing to do,
    and ``os.path.realpath`` walks the path in Python, ten times slower. A
    path that leads nowhere (a dangling link, a loop) gets realpath's answer,
    and opening it then says what is wrong.
    """
    if _O_PATH and _PROC_FD:
        try:
            descriptor = os.open(path, _O_PATH | _CLOEXEC)
        except OSError:
            return os.path.realpath(path)
        try:
            return os.readlink(f"/proc/self/fd/{descriptor}")
        finally:
            os.close(descriptor)
    return os.path.realpath(path)


def _located(path: Path, root: Path | None, place: str) -> tuple[str, str]:
    """The real root and the real path of ``path``, which must be inside it."""
    named = os.path.join(os.getcwd(), path)
    # The root by realpath: an O_PATH open of a folder would show to an audit hook as
    # an open of the folder itself, which tests/hardening/test_sandbox.py counts.
    real_root = os.path.realpath(root if root is not None else os.path.dirname(named))
    real = _real(named)
    prefix = real_root if real_root.endswith(os.sep) else real_root + os.sep
    if real != real_root and not real.startswith(prefix):
        # Neither the target's path nor its text is shown: both may be private.
        raise Refused(
            "file-outside",
            f"the file is a symlink that leads outside {place}; lessonc does not follow it",
            OUTSIDE_HINT,
        )
    return real_root, real


def _open(
    path: Path, root: Path | None, limit: int, place: str, size_hint: str
) -> tuple[int, int, Path]:
    """An open descriptor of the regular file ``path`` inside ``root``, its size and real path."""
    real_root, real = _located(path, root, place)
    if real == real_root:
        raise Refused("source-unreadable", "cannot read it: it is a folder", NOT_REGULAR_HINT)
    try:
        descriptor = _open_resolved(real_root, real)
    except OSError as error:
        raise Refused("source-unreadable", f"cannot read the file: {error.strerror}") from None
    try:
        status = os.fstat(descriptor)
        _check_kind(status.st_mode)
        if status.st_size > limit:
            raise _too_large(status.st_size, limit, size_hint)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, status.st_size, Path(real)


def _open_resolved(real_root: str, real: str) -> int:
    """Open the resolved path ``real``, refusing whatever changed since it was resolved.

    Its kind is looked at before opening (opening a device or a FIFO can itself
    block or act); ``O_NOFOLLOW`` refuses a last component swapped for a symlink
    since, the inode check one swapped for another file, and the descriptor's
    own path (Linux's /proc/self/fd) a folder on the way swapped for a symlink.
    The absolute path is opened, not a chain of folder descriptors, so audit
    hooks (tests/hardening/test_sandbox.py) see every file lessonc opens.
    """
    before = os.stat(real, follow_symlinks=False)
    _check_kind(before.st_mode)
    descriptor = os.open(real, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
    try:
        after = os.fstat(descriptor)
        if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
            raise Refused("source-unreadable", "cannot read it: it changed while it was opened")
        try:
            opened = os.readlink(f"/proc/self/fd/{descriptor}")
        except OSError:  # no /proc (macOS, a sandbox): the checks above stand alone
            opened = real
        if not opened.startswith(real_root.rstrip(os.sep) + os.sep):
            raise Refused(
                "file-outside", "the file changed to lead outside its folder", OUTSIDE_HINT
            )
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symlink in a loop of symlinks, or one that changed while it was read"),
)


def _check_kind(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    raise Refused("source-unreadable", f"cannot read it: it is {kind}", NOT_REGULAR_HINT)


def _too_large(size: int, limit: int, hint: str) -> Refused:
    return Refused("source-too-large", f"the file is {size:,} bytes; the limit is {limit:,}", hint)
