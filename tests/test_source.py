"""The loader: YAML 1.2 scalars, positions for every node, and every unsafe construct refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lessonc.source import MAX_SOURCE_BYTES, Position, SourceError, load, loads

HERE = Path("lesson.yaml")


def errors_of(text: str | bytes) -> list[tuple[int, int, str]]:
    raw = text.encode() if isinstance(text, str) else text
    with pytest.raises(SourceError) as caught:
        loads(raw, HERE)
    return [(d.line, d.col, d.code) for d in caught.value.diagnostics]


def test_yaml_1_2_scalars_keep_words_and_times_as_text() -> None:
    data = loads(b"a: no\nb: on\nc: yes\nd: 1:30\ne: 2024-01-02\nf: true\ng: 12\nh: ~\n", HERE).data
    assert data == {
        "a": "no", "b": "on", "c": "yes", "d": "1:30", "e": "2024-01-02",
        "f": True, "g": 12, "h": None,
    }  # fmt: skip


def test_every_value_and_key_has_a_one_based_position() -> None:
    located = loads(b"title: T\nlist:\n  - x: 1\n    y: two\n", HERE)
    assert located.values[("title",)] == Position(1, 8)
    assert located.keys[("list",)] == Position(2, 1)
    assert located.values[("list", 0)] == Position(3, 5)
    assert located.keys[("list", 0, "y")] == Position(4, 5)
    assert located.values[("list", 0, "y")] == Position(4, 8)


def test_positions_below_the_top_level_are_read_when_first_asked_for() -> None:
    from conftest import EXAMPLE

    raw = EXAMPLE.read_bytes()
    located = loads(raw, EXAMPLE)
    # Loading records the top level only: the lesson's id is placed without reading again.
    assert set(located._values) == {()} | {(key,) for key in located.data}
    assert located._keys.keys() == {(key,) for key in located.data}
    where_id = located.position(("id",))
    assert not located._complete
    # A deeper node reads the text again, and finds what a walk recording every node finds.
    deep = ("practice", 0, "choices", 1, "text")
    assert located.position(deep) == located.values[deep]
    assert located._complete
    from lessonc.source import _read

    every = _read(located.text, located.display)
    assert located.values == every.values and len(every.values) > 500
    assert located.keys == every.keys
    assert where_id == every.values[("id",)]
    assert located.position(("title",), key=True) == every.keys[("title",)]


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    assert errors_of("a: 1\nb: 2\na: 3\n") == [(3, 1, "duplicate-key")]


@pytest.mark.parametrize(
    "text",
    ["a: !!python/object:os.system x\n", "a: !custom 1\n", "a: !!binary aGk=\n", "!!set {a}\n"],
)
def test_tags_other_than_the_core_ones_are_refused(text: str) -> None:
    assert [code for *_, code in errors_of(text)] == ["yaml-tag"]


def test_core_tags_are_allowed() -> None:
    assert loads(b"a: !!str 12\nb: !!int '7'\n", HERE).data == {"a": "12", "b": 7}


def test_billion_laughs_fails_fast() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        prev, name = chr(96 + level), chr(97 + level)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    codes = [code for *_, code in errors_of("\n".join(lines) + "\n")]
    assert codes == ["yaml-too-large"]
    assert time.perf_counter() - started < 5  # a guard against hanging, not a benchmark


def test_small_aliases_are_expanded() -> None:
    assert loads(b"a: &x [1, 2]\nb: *x\n", HERE).data == {"a": [1, 2], "b": [1, 2]}


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    assert errors_of("[" * 5000 + "]" * 5000)[0][2] == "yaml-too-deep"


def test_invalid_utf8_is_located() -> None:
    assert errors_of(b"a: ok\nb: caf\xe9\n") == [(2, 7, "source-encoding")]


def test_utf16_and_nul_are_refused_and_bom_is_accepted() -> None:
    assert errors_of(b"\xff\xfea\x00")[0][2] == "source-encoding"
    assert errors_of(b"a: 1\nb: \x00\n") == [(2, 4, "source-encoding")]
    assert loads(b"\xef\xbb\xbfa: 1\n", HERE).data == {"a": 1}


def test_crlf_positions_match_lf() -> None:
    assert loads(b"a: 1\r\nb: 2\r\n", HERE).values[("b",)] == Position(2, 4)


def test_tab_indentation_gets_a_hint() -> None:
    with pytest.raises(SourceError) as caught:
        loads(b"a:\n\tb: 1\n", HERE)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, diagnostic.code) == (2, "yaml-syntax")
    assert diagnostic.hint is not None and "tabs" in diagnostic.hint


def test_syntax_error_position() -> None:
    assert errors_of("a: b: c\n") == [(1, 5, "yaml-syntax")]


def test_more_than_one_document_is_refused() -> None:
    assert errors_of("a: 1\n---\nb: 2\n") == [(2, 1, "yaml-documents")]


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 1)
    with pytest.raises(SourceError) as caught:
        load(big)
    assert caught.value.diagnostics[0].code == "source-too-large"


def hint_of(text: str) -> tuple[int, str]:
    with pytest.raises(SourceError) as caught:
        loads(text.encode(), HERE)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "yaml-syntax" and diagnostic.hint is not None
    return diagnostic.line, diagnostic.hint


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("title: Part 1: Basics\n", 1, "this value contains ': '"),
        ("a:\n  b: 1\n   c: 2\n", 3, "indented deeper than the key above it"),
        ("a:\n  b: 1\n c: 2\n", 3, "starts in column 2, but the keys of its mapping"),
        ("a: 1\n- b\n", 2, "a list is the value of a key"),
        ('a: "x" y\n', 1, "more on this line after its value"),
        ("chapters:\n  - title: x\n   text: y\n", 3, "between the list's '-' (column 3) and"
                                                    " the keys of its items (column 5)"),
        ("a:\n  - x\n  b: 1\n", 3, "in the column of the list's '- ' items"),
        ("a: 1\nb\nc: 2\n", 3, "line 2 is neither 'key: value' nor part of the value above"),
        ("a: [1, 2\nb: 3\n", 2, "the list opened on line 1, column 4 is not closed"),
        ('a: "abc\nb: 2\n', 3, "the quoted text that starts on line 1, column 4 never ends"),
        ("a: *bold* text\n", 1, "'*' at the start of a value is YAML syntax"),
        ("a: @user\n", 1, "cannot start with '@'"),
        ("a: - b\n", 1, "a list cannot start on the line of its key"),
    ],
)  # fmt: skip
def test_syntax_errors_get_a_hint_in_plain_words(text: str, line: int, words: str) -> None:
    assert hint_of(text)[0] == line
    assert words in hint_of(text)[1]


@pytest.mark.parametrize("name", ["README.md", "notes.txt"])
def test_a_file_that_is_not_yaml_is_not_a_lesson(name: str) -> None:
    with pytest.raises(SourceError) as caught:
        loads(b"# Title\n\n**lessonc** is a *compiler*.\n", Path(name))
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.line, diagnostic.col, diagnostic.code) == (1, 1, "not-a-lesson")
    assert diagnostic.message == (
        f"not a lesson file: {name} is not YAML (it stops reading as YAML on line 3)"
    )
    assert diagnostic.hint is not None and "'id: photosynthesis'" in diagnostic.hint
    # A broken .yaml file is a lesson with a mistake: its own error stays.
    assert errors_of("# Title\n\n**lessonc** is a *compiler*.\n")[0][2] == "yaml-syntax"


def test_the_event_loop_records_every_position_whatever_its_builder_was_made_for() -> None:
    from lessonc.source_events import Builder

    builder = Builder("x.yaml", every_position=False)
    builder.run("a:\n  b:\n    - c\n")
    assert builder.every_position
    assert builder.values[("a", "b", 0)].line == 3
