"""The fast way from YAML text to data: libyaml composes the node tree in C, one walk reads it.

Turning ~1,000 parser events into data one Python call at a time was most of
what loading a lesson cost. Here libyaml's composer builds the node tree, and
:func:`walk` reads it once, building data and positions together with the
loader's own rules (:class:`lessonc.source_events.Builder`: YAML 1.2 core scalars,
tags refused, duplicate keys, the depth, node and error caps), so messages and
positions are those of the event loop, character for character.

The tree is only taken where it carries everything the rules need. It has no
anchors (an anchored key is an error the tree cannot show), an alias is the
very node it names (placed at the anchor, not where the alias is written), and
composing stops at the first syntax error, where the event loop reports what
came before it too. So :func:`compose` declines a text that may hold an anchor
or does not compose, :func:`walk` declines a key that is not a scalar, and the
caller then runs the event loop: for these rare sources it stays the rule.
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, ScalarNode

from lessonc.source import MAX_DEPTH, MAX_ERRORS, MAX_NODES, PathKey, Position
from lessonc.source_events import Builder, Stop
from lessonc.yaml_core import CORE_TAG, SPECIAL_FIRST, resolve_plain

_CAPPED_NESTING = 1100
"""A nesting depth libyaml must refuse on its own for its recursive composer to be safe."""
_COMPOSE_DEPTH_LIMIT = 1000
"""Without that refusal, the most nesting a text may possibly hold to be composed in C."""
_AMPERSAND = re.compile(r"&[\w-]")
"""'&' before a name: an anchor when no word character comes before it (a literal
first character lets the regex engine skip to each '&', where a look-behind would try
every position and cost more than composing)."""
_STR_TAG = CORE_TAG + "str"


class NotComposed(Exception):
    """The text is for the event loop: it may hold an anchor, or it does not compose."""


class _Composer(yaml._yaml.CParser):
    """libyaml's composer with resolver hooks that cost next to nothing.

    The composer asks for a tag for every node without an explicit one; the
    loader decides types itself, from the text, so the answer only records what
    the tree cannot otherwise tell: whether a scalar is plain and untagged (None)
    or written otherwise ('!').
    """

    # C callables, not methods: called twice a node, they would otherwise be a tenth of composing.
    descend_resolver = dict[object, object]().get  # takes (parent, index), ignores them
    ascend_resolver = tuple  # takes nothing

    def resolve(self, kind: type, value: str | None, implicit: Any) -> str | None:
        return None if kind is not ScalarNode or implicit[0] else "!"


@functools.cache
def _libyaml_caps_nesting() -> bool:
    """Whether this libyaml refuses deep nesting itself (libyaml after 0.2.5 does, at 1000)."""
    probes = ("[" * _CAPPED_NESTING, "- " * _CAPPED_NESTING + "x")
    for probe in probes:
        try:
            _Composer(probe).raw_parse()
        except yaml.YAMLError:
            continue
        return False
    return True


def _may_nest_too_deep(text: str) -> bool:
    """Whether the composer's C recursion could go too deep, when libyaml does not stop it.

    A cheap bound, not a measure: each flow collection opens with '[' or '{',
    each block collection needs an indicator ('-', '?', ':'), and a mapping
    can hold its sequence at its own indentation, hence the factor of two.
    """
    flows = text.count("[") + text.count("{")
    blocks = text.count("-") + text.count("?") + text.count(":")
    return flows + 2 * blocks + 1 > _COMPOSE_DEPTH_LIMIT


def _may_hold_anchor(text: str) -> bool:
    """Whether an anchor may start somewhere ('&x' in prose, 'R&D', only costs the fast path)."""
    for found in _AMPERSAND.finditer(text):
        before = text[found.start() - 1 : found.start()]
        if not before or not (before.isalnum() or before == "_"):
            return True
    return False


def compose(text: str) -> yaml.Node | None:
    """The document's node tree (None when it is empty); raises :class:`NotComposed`."""
    if _may_hold_anchor(text) or (not _libyaml_caps_nesting() and _may_nest_too_deep(text)):
        raise NotComposed
    try:
        root: yaml.Node | None = _Composer(text).get_single_node()
    except yaml.YAMLError:  # a syntax error, or more than one document
        raise NotComposed from None
    return root


def walk(builder: Builder, root: yaml.Node) -> None:
    """Builds the data and positions of a composed tree into ``builder``, with its rules.

    Raises :class:`lessonc.source.Stop` where the event loop would stop, and
    :class:`NotComposed` where only the event loop gives its exact answer: at a
    key that is not a scalar (its pairing of keys and values after one is its
    own), and past :data:`MAX_NODES` (it stops at the very node).
    """
    start = _position(root.start_mark)
    builder.nodes += 1
    builder.values[()] = start
    if type(root) is ScalarNode:
        builder.root = _scalar(builder, root, start)
        return
    builder.root = container = _open(builder, root, start)
    positions = _Positions(builder.values, builder.keys) if builder.every_position else None
    _enter(builder, container, root, (), 0, start, positions)
    if positions is None and type(root) is MappingNode:
        _record_top_level(builder, root)


class _Positions(NamedTuple):
    """Where the walk records each node's start and each key's, by path."""

    values: dict[PathKey, Position]
    keys: dict[PathKey, Position]


def _record_top_level(builder: Builder, root: yaml.MappingNode) -> None:
    """The root mapping's keys and values, placed as the full walk places them."""
    for key_node, child in root.value:
        if type(key_node) is ScalarNode:
            path = (key_node.value,)
            builder.keys.setdefault(path, _position(key_node.start_mark))  # the first wins
            builder.values.setdefault(path, _position(child.start_mark))


def _position(mark: yaml.Mark) -> Position:
    # tuple.__new__ is C; Position(…) would run NamedTuple's __new__, in Python, twice a pair.
    return _new_tuple(Position, (mark.line + 1, mark.column + 1))


_new_tuple = tuple.__new__


def _scalar(builder: Builder, node: yaml.Node, start: Position) -> Any:
    """A scalar that is not plain text: a core word or number, or tagged; checks the error cap."""
    tag = node.tag
    if tag is None and not node.style:
        try:
            value = resolve_plain(node.value)
        except ValueError:  # int() refuses more than 4,300 digits (CVE-2020-10735)
            value = builder.number_too_long(node.value, start)
    elif tag is None or tag == "!":
        value = node.value
    else:
        value = builder.scalar_data(tag, node.value, False, start)
    if len(builder.errors) >= MAX_ERRORS:
        raise Stop
    return value


def _open(builder: Builder, node: yaml.Node, start: Position) -> dict[str, Any] | list[Any]:
    is_mapping = type(node) is MappingNode
    if node.tag is not None:  # '!' or explicit: the resolver gives None to every other
        builder.check_tag(node.tag, start, CORE_TAG + ("map" if is_mapping else "seq"))
    return {} if is_mapping else []


def _enter(
    builder: Builder,
    container: dict[str, Any] | list[Any],
    node: yaml.Node,
    path: tuple[str | int, ...],
    depth: int,
    start: Position,
    positions: _Positions | None,
) -> None:
    """Fills a collection placed with ``depth`` collections around it; records each node's
    position under its path in ``positions``, if given (else ``path`` stays the root's)."""
    if depth >= MAX_DEPTH:
        builder.error(start, "yaml-too-deep", f"nesting deeper than {MAX_DEPTH} levels")
        raise Stop
    if len(builder.errors) >= MAX_ERRORS:  # a tag refused on this collection
        raise Stop
    # Counted a collection at a time: the tree has no aliases, so only a source of more
    # nodes than MAX_NODES reaches the cap, and the event loop stops it at the very node.
    builder.nodes += len(node.value)
    if builder.nodes > MAX_NODES:
        raise NotComposed
    if type(container) is dict:
        _fill_mapping(builder, container, node.value, path, depth + 1, positions)
    else:
        _fill_sequence(builder, container, node.value, path, depth + 1, positions)  # type: ignore[arg-type]


def _fill_sequence(
    builder: Builder,
    container: list[Any],
    items: list[yaml.Node],
    path: tuple[str | int, ...],
    depth: int,
    positions: _Positions | None,
) -> None:
    values = None if positions is None else positions.values
    child_path = path
    for index, child in enumerate(items):
        if type(child) is ScalarNode:
            text = child.value
            # Most scalars are plain words or quoted text: kept as they are, without a call
            # and, unless kept, without a position.
            if child.tag == "!" or (
                child.tag is None and not child.style and text and text[0] not in SPECIAL_FIRST
            ):
                container.append(text)
                if values is not None:
                    mark = child.start_mark  # inline: a call a node shows, with every position
                    values.setdefault(
                        (*path, index), _new_tuple(Position, (mark.line + 1, mark.column + 1))
                    )
            else:
                start = _position(child.start_mark)
                container.append(_scalar(builder, child, start))
                if values is not None:
                    values.setdefault((*path, index), start)
        else:
            start = _position(child.start_mark)
            if values is not None:
                child_path = (*path, index)
            inner = _open(builder, child, start)
            container.append(inner)
            if values is not None:
                values.setdefault(child_path, start)
            _enter(builder, inner, child, child_path, depth, start, positions)


def _fill_mapping(
    builder: Builder,
    container: dict[str, Any],
    pairs: list[tuple[yaml.Node, yaml.Node]],
    path: tuple[str | int, ...],
    depth: int,
    positions: _Positions | None,
) -> None:
    values, keys = (None, None) if positions is None else positions
    child_path = path
    key_lines: dict[str, int] = {}
    for key_node, child in pairs:
        if type(key_node) is not ScalarNode:
            raise NotComposed
        key = key_node.value
        keep = key not in key_lines
        if keep:
            key_lines[key] = key_node.start_mark.line + 1
        if key_node.tag not in (None, "!", _STR_TAG) or not keep:
            _key_problems(builder, key_node, _position(key_node.start_mark), keep, key_lines)
        # Positions are made only where they are kept or a problem may need one: most
        # pairs of a lesson are plain text under a plain key, and need none.
        if values is not None:  # positions made inline: a call a node shows
            mark = child.start_mark
            start = _new_tuple(Position, (mark.line + 1, mark.column + 1))
            child_path = (*path, key)
            values.setdefault(child_path, start)
            if keep and keys is not None:
                mark = key_node.start_mark
                keys[child_path] = _new_tuple(Position, (mark.line + 1, mark.column + 1))
        if type(child) is ScalarNode:
            text = child.value
            if child.tag == "!" or (
                child.tag is None and not child.style and text and text[0] not in SPECIAL_FIRST
            ):
                value = text
            else:
                where = start if values is not None else _position(child.start_mark)
                value = _scalar(builder, child, where)
            if keep:
                container[key] = value
        else:
            if values is None:
                start = _position(child.start_mark)
            inner = _open(builder, child, start)
            if keep:
                container[key] = inner
            _enter(builder, inner, child, child_path, depth, start, positions)


def _key_problems(
    builder: Builder, node: yaml.Node, start: Position, keep: bool, key_lines: dict[str, int]
) -> None:
    """A tagged or repeated key's errors, in the event loop's order; checks the error cap."""
    if node.tag not in (None, "!", _STR_TAG):
        builder.error(start, "yaml-key", "keys must be plain text, with no tag or anchor")
    if not keep:
        builder.duplicate_key(node.value, start, key_lines[node.value])
    if len(builder.errors) >= MAX_ERRORS:
        raise Stop
