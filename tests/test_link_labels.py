"""The remembered link-label scan gives markdown-it's answers, in linear time."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_inline import StateInline

from conftest import EXAMPLE
from lessonc import link_labels


def _parser(linear: bool) -> MarkdownIt:
    md = MarkdownIt("js-default", {"html": False})
    md.disable(["heading", "lheading"])
    if linear:
        link_labels.install(md)
    return md


ORIGINAL = _parser(linear=False)
LINEAR = _parser(linear=True)

# Pieces that make links, images, references, code spans, autolinks and escapes meet.
PIECES = [
    "[", "]", "(", ")", "!", "a", " ", "`", "\\", "*", "_", "<", ">", "\n", "\n\n", '"',
    "](u)", "[a]", "[a]: /u\n", "<http://a.b>", "![i](p.png)", "[x][a]", "[]", "](", "`]`",
]  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_same_html_as_markdown_it_for_bracket_heavy_text(text: str) -> None:
    assert LINEAR.render(text) == ORIGINAL.render(text)


def _texts(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [t for value in node.values() for t in _texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in _texts(value)]
    return []


def test_the_same_html_for_every_text_of_the_example() -> None:
    texts = _texts(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    assert len(texts) > 200
    for text in texts:
        assert LINEAR.render(text) == ORIGINAL.render(text)


def test_the_other_helpers_are_markdown_its_own() -> None:
    assert LINEAR.helpers.parseLinkDestination is ORIGINAL.helpers.parseLinkDestination
    assert LINEAR.helpers.parseLinkLabel is link_labels.parse_link_label
    assert ORIGINAL.helpers.parseLinkLabel is not link_labels.parse_link_label  # one instance


def _steps(parser: MarkdownIt, text: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many tokens markdown-it's label walks step over while ``parser`` renders ``text``:
    a count, not a time, so a busy machine cannot make the test fail or pass."""
    steps = 0
    skip = ParserInline.skipToken

    def counted(self: ParserInline, state: StateInline) -> None:
        nonlocal steps
        steps += 1
        skip(self, state)

    with monkeypatch.context() as patch:
        patch.setattr(ParserInline, "skipToken", counted)
        parser.render(text)
    return steps


def test_unclosed_brackets_take_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # markdown-it walks ahead from every unclosed '[' up to its nesting limit: a hundred
    # steps or more per bracket. Remembered walks take a couple, however long the text.
    for unit in ("[", "![", "[a"):
        assert _steps(ORIGINAL, unit * 2_000, monkeypatch) > 50 * 2_000, unit
        for count in (5_000, 20_000):
            assert _steps(LINEAR, unit * count, monkeypatch) <= 3 * count, (unit, count)
