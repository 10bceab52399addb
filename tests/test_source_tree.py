"""The composed-tree walk gives what the event loop gives: data, positions and errors alike."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE, FIXTURES
from lessonc import source_tree
from lessonc.source import MAX_DEPTH
from lessonc.source_events import Builder, Stop

SHOWN = "lesson.yaml"


def by_tree(text: str) -> Builder | None:
    """The builder after the walk, or None where the text is left to the event loop."""
    builder = Builder(SHOWN)
    try:
        root = source_tree.compose(text)
        if root is not None:
            source_tree.walk(builder, root)
    except Stop:
        pass
    except source_tree.NotComposed:
        return None
    builder.finish()
    return builder


def by_events(text: str) -> Builder:
    builder = Builder(SHOWN)
    builder.run(text)
    return builder


def outcome(builder: Builder) -> tuple[str, Any, Any, Any]:
    # repr: NaN equals nothing, and types matter (1 and 1.0 and True must not pass for each other)
    return repr(builder.root), builder.values, builder.keys, builder.errors


def assert_same(text: str) -> None:
    tree = by_tree(text)
    assert tree is not None, "the walk declined it"
    assert outcome(tree) == outcome(by_events(text))


CASES = {
    "core scalars": "a: no\nb: on\nc: 1:30\nd: 012\ne: 0o17\nf: 0x1F\ng: -.inf\nh: 1e3\ni: ~\nj: ''\n",
    "quoted and block": "a: '12'\nb: \"true\"\nc: |\n  1\nd: >\n  null\ne: ! 12\nf: ! '12'\n",
    "core tags": "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!bool yes\ne: !!null ''\n",
    "refused tags": "a: !!python/object:os.system x\nb: !custom 1\nc: !!binary aGk=\nd: !!set {x}\n",
    "tagged keys": "!!str a: 1\n!!int 2: b\n'c': 3\n",
    "duplicate keys": "a: 1\nb: [1, {c: 2, c: 3}]\na: {d: 4}\n",
    "huge number": "a: " + "9" * 5000 + "\nb: 2\n",
    "flow and block": "a: [1, [2, {b: c}]]\nd:\n- e\n- - f\n  - g: h\n    i: j\n",
    "empty values": "a:\nb: []\nc: {}\nd: [~, null]\n",
    "scalar root": "just text\n",
    "list root": "- 1\n- two\n",
    "explicit keys": "? a\n: 1\n? b\n",
    "one explicit document": "---\na: 1\n...\n",
    "empty document": "---\n",
    "only a comment": "# nothing\n",
    "too deep": "".join(" " * i + "k:\n" for i in range(MAX_DEPTH + 5)) + " " * 80 + "v\n",
    "deep and fine": "".join(" " * i + "k:\n" for i in range(MAX_DEPTH - 1)) + " " * 80 + "v\n",
    "too many errors": "".join(f"a: {n}\n" for n in range(80)),
    "ampersand in prose": "a: Q&A and R&D & more\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_walk_matches_the_event_loop(name: str) -> None:
    assert_same(CASES[name])


@pytest.mark.parametrize(
    "path",
    [EXAMPLE, *sorted(FIXTURES.glob("**/*.yaml"))],
    ids=lambda p: p.name,
)
def test_every_fixture_reads_the_same_both_ways(path: Any) -> None:
    text = path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n")
    tree = by_tree(text)
    if tree is not None:  # the rest are the event loop's alone (syntax errors, anchors …)
        assert outcome(tree) == outcome(by_events(text))


@pytest.mark.parametrize(
    "text",
    [
        "a: &x [1, 2]\nb: *x\n",  # anchors and aliases
        "a: *nowhere\n",
        "a: b: c\n",  # a syntax error, after which the events still report what came before
        "a: 1\n---\nb: 2\n",
        "? [a, b]\n: c\n",  # a key that is not text
        "[" * 5000 + "]" * 5000,
    ],
)
def test_what_the_tree_cannot_show_is_left_to_the_event_loop(text: str) -> None:
    assert by_tree(text) is None


def test_the_example_takes_the_fast_way() -> None:
    assert by_tree(EXAMPLE.read_text(encoding="utf-8")) is not None


_PLAIN_DATA = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6).filter(lambda k: "&" not in k), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_PLAIN_DATA, st.sampled_from([None, True, False]), st.sampled_from([None, "'", '"']))
def test_dumped_data_reads_the_same_both_ways(
    data: Any, flow: bool | None, style: str | None
) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, default_style=style, allow_unicode=True)
    tree = by_tree(text)
    if tree is not None:
        assert outcome(tree) == outcome(by_events(text))
