"""Lesson source text to plain data, with a 1-based line and column for every node.

PyYAML's own loaders are not used: they keep the last of two duplicate keys,
expand aliases without bound, read YAML 1.1 types (``no`` → False, ``1:30`` →
90) and construct arbitrary tags. The rules here are YAML 1.2 core scalars,
rejected tags, counted alias expansion and duplicate keys as errors. They are
applied on one of two ways: most sources are composed by libyaml in C and read
by one walk of the tree (:mod:`lessonc.source_tree`); a source the tree cannot
show whole (anchors, aliases, syntax errors, keys that are not text) goes
through the parser's event stream here, by an explicit stack (deep nesting
cannot overflow Python's stack).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from lessonc.diagnostics import Diagnostic, display_path
from lessonc.paths import MAX_SOURCE_BYTES, Refused, read_file
from lessonc.source_hints import not_a_lesson, syntax_hint

MAX_NODES = 200_000
"""Nodes after alias expansion; a billion-laughs file reaches this at once and stops."""
MAX_DEPTH = 64
"""Nesting depth; the lesson format needs fewer than ten levels."""
MAX_ERRORS = 50
"""Reading stops after this many errors: the rest are usually echoes of the first."""

PathKey = tuple[str | int, ...]

_CORE_TAG = "tag:yaml.org,2002:"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it; only its events are used, not its types."""
# \Z, not $: the core schema's patterns match the whole scalar, and $ would also match
# before a final line break ("\n" would read as null).
_NULL = re.compile(r"^(?:~|null|Null|NULL|)\Z")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)\Z")
_INT10 = re.compile(r"^[-+]?[0-9]+\Z")
_INT8 = re.compile(r"^0o[0-7]+\Z")
_INT16 = re.compile(r"^0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)\Z")
_PLAIN_WORD = re.compile(r"[-+.\w]+")
"""A number or word as written in the source, for hints that quote it."""


class Position(NamedTuple):
    # A tuple, not a dataclass: one is made per node, and a lesson has thousands.
    line: int
    col: int


@dataclass
class Located:
    """A loaded source: its data and where each node of it stands in the file."""

    path: Path
    text: str
    data: Any
    sha256: str
    values: dict[PathKey, Position] = field(default_factory=dict)
    """Where each value starts, by its path from the root."""
    keys: dict[PathKey, Position] = field(default_factory=dict)
    """Where the mapping key that names each value starts."""

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
    builder = _read(text, shown)
    if builder.errors:
        raise SourceError(not_a_lesson(path, shown, builder.errors))
    return Located(
        path=path,
        text=text,
        data=builder.root,
        sha256=hashlib.sha256(raw).hexdigest(),
        values=builder.values,
        keys=builder.keys,
    )


def _read(text: str, shown: str) -> _Builder:
    """The builder holding the text's data, positions and errors."""
    # Imported here: the walk needs this module's rules, and this module the walk.
    from lessonc import source_tree

    builder = _Builder(shown)
    try:
        with _cyclic_gc_paused():
            root = source_tree.compose(text)
            if root is not None:
                source_tree.walk(builder, root)
    except _Stop:
        pass
    except source_tree.NotComposed:
        builder = _Builder(shown)  # the walk may have begun: start again, from the events
        builder.run(text)
        return builder
    builder.finish()
    return builder


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Keeps the cyclic garbage collector off while a tree is composed and walked.

    The tree's thousands of nodes, and the data built from them, live until the
    walk ends, so the collector would scan them over and over, a fifth of the
    time of loading a lesson; nothing there makes a reference cycle it must
    find. Left as it was found: a caller that keeps it off keeps it off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


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
        line, col = _line_col(raw[: error.start].decode("utf-8", "replace"))
        raise SourceError(
            [
                Diagnostic(
                    shown, line, col, "source-encoding",
                    f"invalid UTF-8 (byte 0x{raw[error.start]:02X})", "save the file as UTF-8",
                )
            ]
        ) from None  # fmt: skip
    if "\x00" in text:
        line, col = _line_col(text[: text.index("\x00")])
        raise SourceError(
            [Diagnostic(shown, line, col, "source-encoding", "the file contains a NUL byte")]
        )
    # CRLF and lone CR read as LF, so positions are the same on every platform.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line_col(before: str) -> tuple[int, int]:
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: PathKey
    anchor: str | None
    nodes_at_start: int
    pending_key: str | None = None
    pending_key_position: Position | None = None
    skip_value: bool = False
    key_lines: dict[str, int] = field(default_factory=dict)


class _Stop(Exception):
    """Ends parsing early; the reason is already in the builder's errors."""


class _Builder:
    """Turns parser events into data and positions."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.root: Any = None
        self.values: dict[PathKey, Position] = {}
        self.keys: dict[PathKey, Position] = {}
        self.errors: list[Diagnostic] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.nodes = 0
        self.stack: list[_Frame] = []
        self.documents = 0

    def error(self, position: Position, code: str, message: str, hint: str | None = None) -> None:
        self.errors.append(Diagnostic(self.shown, position.line, position.col, code, message, hint))

    def run(self, text: str) -> None:
        loader = None
        try:
            loader = _LOADER(text)  # the pure-Python reader checks characters already here
            # The parser's own methods in a plain loop: this runs once per node.
            more, next_event, handle = loader.check_event, loader.get_event, self.handle
            while more():
                handle(next_event())
                if len(self.errors) >= MAX_ERRORS or self.nodes > MAX_NODES:
                    break
        except yaml.MarkedYAMLError as error:
            self.errors.append(_syntax_diagnostic(self.shown, error, text))
        except yaml.reader.ReaderError:
            # Not a MarkedYAMLError: a character YAML forbids (U+001F, U+FFFE …) has no mark.
            self.errors.append(_unprintable_diagnostic(self.shown, text))
        except _Stop:
            pass
        finally:
            if loader is not None:
                loader.dispose()
        self.finish()

    def finish(self) -> None:
        """Adds the errors only the whole document shows."""
        if self.nodes > MAX_NODES:
            self.errors.append(
                Diagnostic(
                    self.shown, 1, 1, "yaml-too-large",
                    f"the document expands to more than {MAX_NODES:,} nodes",
                    "aliases that repeat aliases multiply; write the content out",
                )
            )  # fmt: skip

    def handle(self, event: yaml.Event) -> None:
        mark = event.start_mark
        start = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        kind = type(event)  # exact types, most frequent first: this runs once per node
        if kind is yaml.ScalarEvent:
            self.scalar(event, start)  # type: ignore[arg-type]
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            is_mapping = kind is yaml.MappingStartEvent
            self.check_tag(event.tag, start, _CORE_TAG + ("map" if is_mapping else "seq"))  # type: ignore[attr-defined]
            container: dict[str, Any] | list[Any] = {} if is_mapping else []
            anchor = event.anchor  # type: ignore[attr-defined]
            path = self.place(container, start, anchor)
            if len(self.stack) >= MAX_DEPTH:
                self.error(start, "yaml-too-deep", f"nesting deeper than {MAX_DEPTH} levels")
                raise _Stop
            self.stack.append(_Frame(container, path, anchor, self.nodes))
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frame = self.stack.pop()
            if frame.anchor is not None:
                self.anchors[frame.anchor] = (
                    frame.container,
                    self.nodes - frame.nodes_at_start + 1,
                )
        elif kind is yaml.AliasEvent:
            alias = event.anchor  # type: ignore[attr-defined]
            if alias not in self.anchors:
                self.error(start, "yaml-alias", f"unknown alias '*{alias}'")
                return
            value, count = self.anchors[alias]
            self.nodes += count - 1  # place() adds one
            self.place(value, start, None)
        elif kind is yaml.DocumentStartEvent:
            self.documents += 1
            if self.documents > 1:
                self.error(
                    start, "yaml-documents", "a lesson file holds one YAML document", "remove '---'"
                )

    def check_tag(self, tag: str | None, start: Position, natural: str) -> bool:
        if tag is None or tag == "!" or tag == natural:
            return True
        shown = tag.replace(_CORE_TAG, "!!")
        self.error(
            start, "yaml-tag", f"tag '{shown}' is not allowed",
            "lesson sources are plain data: remove the tag",
        )  # fmt: skip
        return False

    def scalar(self, event: yaml.ScalarEvent, start: Position) -> None:
        frame = self.stack[-1] if self.stack else None
        if frame is not None and isinstance(frame.container, dict) and frame.pending_key is None:
            self.mapping_key(frame, event, start)
            return
        plain = bool(event.implicit[0]) and not event.style
        value = self.scalar_data(event.tag, event.value, plain, start)
        self.place(value, start, event.anchor)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1)

    def scalar_data(self, tag: str | None, text: str, plain: bool, start: Position) -> Any:
        """The value of a scalar: by its core tag, as text when quoted, else by the core schema."""
        core_kind = tag[len(_CORE_TAG) :] if tag and tag.startswith(_CORE_TAG) else None
        try:
            if core_kind in ("str", "int", "float", "bool", "null"):
                return _resolve(text, core_kind, start, self)
            if tag not in (None, "!"):
                self.check_tag(tag, start, "")
                return text
            return _resolve_plain(text) if plain else text
        except ValueError:  # int() refuses more than 4,300 digits (CVE-2020-10735)
            return self.number_too_long(text, start)

    def number_too_long(self, text: str, start: Position) -> str:
        self.error(
            start, "yaml-number", f"a number of {len(text):,} digits is too long",
            "numbers in a lesson are short; quote it if it is meant as text",
        )  # fmt: skip
        return text

    def duplicate_key(self, key: str, start: Position, first_line: int) -> None:
        self.error(
            start, "duplicate-key", f"duplicate key '{key}'",
            f"'{key}' is already set on line {first_line}; keep one",
        )  # fmt: skip

    def mapping_key(self, frame: _Frame, event: yaml.ScalarEvent, start: Position) -> None:
        key = event.value
        if event.anchor is not None or (event.tag not in (None, "!", _CORE_TAG + "str")):
            self.error(start, "yaml-key", "keys must be plain text, with no tag or anchor")
        assert isinstance(frame.container, dict)
        if key in frame.key_lines:
            self.duplicate_key(key, start, frame.key_lines[key])
            frame.skip_value = True
        else:
            frame.key_lines[key] = start.line
        frame.pending_key = key
        frame.pending_key_position = start

    def place(self, value: Any, start: Position, anchor: str | None) -> PathKey:
        """Attach a value to its parent; returns its path."""
        self.nodes += 1
        if not self.stack:
            self.root = value
            self.values[()] = start
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            path = (*frame.path, len(frame.container))
            frame.container.append(value)
        else:
            if frame.pending_key is None:
                # A mapping or sequence used as a key: YAML allows it, a lesson never needs it.
                self.error(start, "yaml-key", "keys must be plain text")
                frame.pending_key, frame.skip_value = "", True
            key = frame.pending_key
            path = (*frame.path, key)
            if not frame.skip_value:
                frame.container[key] = value
                if frame.pending_key_position is not None:
                    self.keys[path] = frame.pending_key_position
            frame.pending_key, frame.pending_key_position, frame.skip_value = None, None, False
        self.values.setdefault(path, start)
        return path


_SPECIAL_FIRST = frozenset("~nNtTfF0123456789+-.")
"""The characters a YAML 1.2 core null, bool, int or float can start with."""
_CORE_WORDS: dict[str, bool | None] = {
    **dict.fromkeys(("null", "Null", "NULL"), None),
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}


def _resolve_plain(value: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema: 'no', 'on' and '1:30' stay text."""
    # Most plain scalars are words and sentences: decided by their first character
    # before trying eight patterns (a tenth of loading a lesson; a test holds this
    # to the patterns alone).
    if not value:
        return None
    if value[0] not in _SPECIAL_FIRST:
        return value
    if value[0] in "nNtTfF":
        return _CORE_WORDS.get(value, value)
    return _resolve_by_patterns(value)


def _resolve_by_patterns(value: str) -> Any:
    if _NULL.match(value):
        return None
    if _BOOL.match(value):
        return value.lower() == "true"
    if _INT10.match(value):
        return int(value)
    if _INT8.match(value):
        return int(value[2:], 8)
    if _INT16.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.match(value):
        return float("nan")
    return value


def _resolve(value: str, kind: str, start: Position, builder: _Builder) -> Any:
    if kind == "str":
        return value
    resolved = _resolve_plain(value)
    expected = {"int": int, "float": float, "bool": bool, "null": type(None)}[kind]
    if kind == "float" and type(resolved) is int:
        return float(resolved)
    if type(resolved) is not expected:
        builder.error(start, "yaml-tag", f"'{value}' is not a valid !!{kind}")
    return resolved


_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters the YAML spec does not allow in a stream (its c-printable set, negated)."""


def _unprintable_diagnostic(shown: str, text: str) -> Diagnostic:
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return Diagnostic(
            shown, 1, 1, "source-encoding", "the file contains a character YAML forbids"
        )
    line, col = _line_col(text[: found.start()])
    return Diagnostic(
        shown, line, col, "source-encoding",
        f"the file contains the control character U+{ord(found.group()):04X}",
        "delete it; an editor that shows invisible characters helps find it",
    )  # fmt: skip


def _syntax_diagnostic(shown: str, error: yaml.MarkedYAMLError, text: str) -> Diagnostic:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    lines = text.split("\n")
    problem = error.problem or "invalid YAML"
    if error.context:
        problem = f"{problem} ({error.context})"
    hint = syntax_hint(error, lines)
    if "nesting depth" in problem:
        # libyaml >= 0.2.5 stops deep nesting itself; report it like our own limit.
        return Diagnostic(shown, line, col, "yaml-too-deep", problem, hint)
    return Diagnostic(shown, line, col, "yaml-syntax", problem, hint)
