"""The loader's rules applied to libyaml's event stream, by an explicit stack.

Most sources are composed in C and walked as a tree (:mod:`lessonc.source_tree`),
which applies the same rules through :class:`Builder`; a source the tree cannot show
whole (anchors, aliases, syntax errors, keys that are not text) is read here, event by
event, so deep nesting cannot overflow Python's stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from lessonc.diagnostics import Diagnostic
from lessonc.source import MAX_DEPTH, MAX_ERRORS, MAX_NODES, PathKey, Position, line_col
from lessonc.source_hints import syntax_hint
from lessonc.yaml_core import CORE_TAG, resolve_plain

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it; only its events are used, not its types."""


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


class Stop(Exception):
    """Ends parsing early; the reason is already in the builder's errors."""


class Builder:
    """Turns parser events into data and positions."""

    def __init__(self, shown: str, *, every_position: bool = True) -> None:
        self.shown = shown
        self.every_position = every_position
        """False: the tree walk records the top level's positions only (the event loop,
        which runs for the rare sources the tree cannot show, records every one)."""
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
        # The event loop records every position as it goes, whatever the builder was made for.
        self.every_position = True
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
        except Stop:
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
            self.check_tag(event.tag, start, CORE_TAG + ("map" if is_mapping else "seq"))  # type: ignore[attr-defined]
            container: dict[str, Any] | list[Any] = {} if is_mapping else []
            anchor = event.anchor  # type: ignore[attr-defined]
            path = self.place(container, start, anchor)
            if len(self.stack) >= MAX_DEPTH:
                self.error(start, "yaml-too-deep", f"nesting deeper than {MAX_DEPTH} levels")
                raise Stop
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
        shown = tag.replace(CORE_TAG, "!!")
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
        core_kind = tag[len(CORE_TAG) :] if tag and tag.startswith(CORE_TAG) else None
        try:
            if core_kind in ("str", "int", "float", "bool", "null"):
                return _resolve(text, core_kind, start, self)
            if tag not in (None, "!"):
                self.check_tag(tag, start, "")
                return text
            return resolve_plain(text) if plain else text
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
        if event.anchor is not None or (event.tag not in (None, "!", CORE_TAG + "str")):
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


def _resolve(value: str, kind: str, start: Position, builder: Builder) -> Any:
    if kind == "str":
        return value
    resolved = resolve_plain(value)
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
    line, col = line_col(text[: found.start()])
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
