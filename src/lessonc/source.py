"""Lesson source text to plain data, with a 1-based line and column for every node.

PyYAML's own loaders are not used: they keep the last of two duplicate keys,
expand aliases without bound, read YAML 1.1 types (``no`` → False, ``1:30`` →
90) and construct arbitrary tags. The rules here are YAML 1.2 core scalars,
rejected tags, counted alias expansion and duplicate keys as errors (see
:mod:`lessonc.yaml_core` and :mod:`lessonc.source_events`). They are applied on one
of two ways: most sources are composed by libyaml in C and read by one walk of the
tree (:mod:`lessonc.source_tree`); a source the tree cannot show whole (anchors,
aliases, syntax errors, keys that are not text) goes through the parser's event
stream (:mod:`lessonc.source_events`), by an explicit stack (deep nesting cannot
overflow Python's stack).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from lessonc.collector import collector_paused
from lessonc.diagnostics import Diagnostic, display_path
from lessonc.paths import MAX_SOURCE_BYTES, Refused, read_file
from lessonc.source_hints import not_a_lesson

if TYPE_CHECKING:
    from lessonc.source_events import Builder

MAX_NODES = 200_000
"""Nodes after alias expansion; a billion-laughs file reaches this at once and stops."""
MAX_DEPTH = 64
"""Nesting depth; the lesson format needs fewer than ten levels."""
MAX_ERRORS = 50
"""Reading stops after this many errors: the rest are usually echoes of the first."""

PathKey = tuple[str | int, ...]

_PLAIN_WORD = re.compile(r"[-+.\w]+")
"""A number or word as written in the source, for hints that quote it."""


class Position(NamedTuple):
    # A tuple, not a dataclass: one is made per node, and a lesson has thousands.
    line: int
    col: int


@dataclass
class Located:
    """A loaded source: its data and where each node of it stands in the file.

    A source read without errors holds only its top-level positions at first (the
    lesson's id among them): the rest are only wanted for a message, and recording
    them cost a tenth of loading. The first question about a deeper node reads the
    text again, by the same walk, recording every position (see :attr:`values`).
    """

    path: Path
    text: str
    data: Any
    sha256: str
    _values: dict[PathKey, Position] = field(default_factory=dict)
    _keys: dict[PathKey, Position] = field(default_factory=dict)
    _complete: bool = True
    """Whether ``_values`` and ``_keys`` hold every node, not only the top level."""

    @property
    def values(self) -> dict[PathKey, Position]:
        """Where each value starts, by its path from the root."""
        self._complete_positions()
        return self._values

    @property
    def keys(self) -> dict[PathKey, Position]:
        """Where the mapping key that names each value starts."""
        self._complete_positions()
        return self._keys

    def _complete_positions(self) -> None:
        if self._complete:
            return
        builder = _read(self.text, self.display)
        self._values, self._keys, self._complete = builder.values, builder.keys, True

    @functools.cached_property
    def display(self) -> str:
        """The path as shown in diagnostics; cached, as a hostile file can produce many."""
        return display_path(self.path)

    def nearest(self, loc: tuple[str | int, ...]) -> tuple[PathKey, bool]:
        """The longest prefix of ``loc`` that exists in the data, and whether it is all of ``loc``.

        Segments that name no node are skipped: Pydantic puts the tag of a
        union member into an error's ``loc`` ('single_choice', 'basic').
        """
        node: Any = self.data
        path: list[str | int] = []
        complete = True
        for segment in loc:
            in_mapping = isinstance(node, dict) and isinstance(segment, str) and segment in node
            in_list = isinstance(node, list) and isinstance(segment, int)
            if in_mapping or (in_list and 0 <= int(segment) < len(node)):
                node = node[segment]
                path.append(segment)
            elif isinstance(segment, str) and isinstance(node, dict | list):
                complete = False  # a union tag or a missing key: keep walking
            else:
                complete = False
                break
        return tuple(path), complete

    def written(self, path: PathKey) -> str | None:
        """The plain word at ``path`` as the author typed it: "1.10", which YAML reads as 1.1."""
        if path not in self.values:
            return None
        line, col = self.values[path]
        if line > len(self._lines):
            return None
        found = _PLAIN_WORD.match(self._lines[line - 1], col - 1)
        return found.group() if found else None

    @functools.cached_property
    def _lines(self) -> list[str]:
        # Split once per file, only when a hint asks: a file can have hundreds of such errors.
        return self.text.split("\n")

    def position(self, path: PathKey, *, key: bool = False) -> Position:
        """Where the node at ``path`` (or the key naming it) starts, else its nearest parent."""
        known = self._keys if key else self._values
        if path in known:  # the top level (a lesson's id), without the positions below it
            return known[path]
        table = self.keys if key else self.values
        while path not in table and path:
            path = path[:-1]
            table = self.values
        return table.get(path, Position(1, 1))

    def diagnostic(
        self,
        path: PathKey,
        code: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
    ) -> Diagnostic:
        """A diagnostic pointing at the node at ``path``."""
        where = self.position(path, key=key)
        return Diagnostic(self.display, where.line, where.col, code, message, hint)


class SourceError(Exception):
    """The source cannot be read as data; ``diagnostics`` says why and where."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.format_text() for d in diagnostics))
        self.diagnostics = diagnostics


def load(path: Path, root: Path | None = None) -> Located:
    """Read and parse one lesson source; raises :class:`SourceError` with every problem found.

    The file is read through :func:`lessonc.paths.read_file`: a regular file
    inside ``root`` (by default the folder ``path`` is named in, so a symlink
    leading elsewhere is refused), of at most :data:`MAX_SOURCE_BYTES`.
    """
    try:
        raw = read_file(path, root, limit=MAX_SOURCE_BYTES)
    except Refused as refused:
        raise SourceError([refused.diagnostic(path)]) from None
    return loads(raw, path)


def loads(raw: bytes, path: Path) -> Located:
    """Parse source bytes that came from ``path`` (used in messages)."""
    shown = display_path(path)  # once: it resolves the path, a tenth of a millisecond
    text = _decode(raw, shown)
    builder = _read(text, shown, every_position=False)
    if builder.errors:
        raise SourceError(not_a_lesson(path, shown, builder.errors))
    located = Located(
        path=path,
        text=text,
        data=builder.root,
        sha256=hashlib.sha256(raw).hexdigest(),
        _values=builder.values,
        _keys=builder.keys,
        _complete=builder.every_position,
    )
    located.display = shown  # the same path for messages, resolved once
    return located


def _read(text: str, shown: str, *, every_position: bool = True) -> Builder:
    """The builder holding the text's data, positions and errors.

    With ``every_position`` false, a text the tree walk reads gets positions for its
    top level only; the event loop always records them all (``builder.every_position``
    says which it was).
    """
    # Imported here: the tree walk and the event reader apply this module's limits and
    # positions, and this module calls them.
    from lessonc import source_tree
    from lessonc.source_events import Builder, Stop

    builder = Builder(shown, every_position=every_position)
    try:
        # The tree's thousands of nodes, and the data built from them, live until the walk
        # ends: the collector would scan them over and over, a fifth of the load's time.
        with collector_paused():
            root = source_tree.compose(text)
            if root is not None:
                source_tree.walk(builder, root)
            # Freed here, by reference counting, while the collector is still off: its
            # first pass once back on would otherwise walk every node once more (a
            # twelfth of the load of the example, a quarter of a 350 KB source).
            del root
    except Stop:
        pass
    except source_tree.NotComposed:
        builder = Builder(shown)  # the walk may have begun: start again, from the events
        builder.run(text)
        return builder
    builder.finish()
    return builder


def _decode(raw: bytes, shown: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(
            [Diagnostic(shown, 1, 1, "source-encoding", "the file is UTF-16", "save it as UTF-8")]
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte order mark is harmless; editors on Windows add it
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, col = line_col(raw[: error.start].decode("utf-8", "replace"))
        raise SourceError(
            [
                Diagnostic(
                    shown, line, col, "source-encoding",
                    f"invalid UTF-8 (byte 0x{raw[error.start]:02X})", "save the file as UTF-8",
                )
            ]
        ) from None  # fmt: skip
    if "\x00" in text:
        line, col = line_col(text[: text.index("\x00")])
        raise SourceError(
            [Diagnostic(shown, line, col, "source-encoding", "the file contains a NUL byte")]
        )
    # CRLF and lone CR read as LF, so positions are the same on every platform.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def line_col(before: str) -> tuple[int, int]:
    """The 1-based line and column just after ``before``, the text up to a place."""
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1
