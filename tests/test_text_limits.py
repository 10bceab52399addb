"""Hostile text: cloze numbers Anki refuses, characters XML forbids, fields without an end."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from conftest import EXAMPLE
from lessonc.model.base import TEXT_MAX_LENGTH
from lessonc.outputs import BuildContext, BuildOptions, get_renderer
from lessonc.pipeline import load_lesson
from lessonc.schemas import all_schemas
from lessonc.source import loads
from lessonc.validation import validate


def _example() -> dict[str, Any]:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)


def _problems(data: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(code, line, message) of every problem, for the YAML ``data`` dumps to."""
    located = loads(_dump(data).encode(), Path("l.yaml"))
    _, problems = validate(located)
    return [(d.code, d.line, d.message) for d in problems]


def _line_of(data: dict[str, Any], needle: str) -> int:
    return next(n for n, line in enumerate(_dump(data).splitlines(), 1) if needle in line)


def _cloze_card(data: dict[str, Any]) -> dict[str, Any]:
    card: dict[str, Any] = next(c for c in data["flashcards"] if "cloze" in c)
    return card


# --- cloze numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cloze", "wrong"),
    [
        ("Only {{c0::nothing}} here.", ["c0"]),
        ("Too {{c99999999999::far}}.", ["c99999999999"]),
        ("Just {{c501::over}} the limit.", ["c501"]),
        ("A {{c1::good}} gap and a {{c0::bad}} one.", ["c0"]),
        ("{{c" + "9" * 5_000 + "::a number int() refuses}}", ["c999999999999…"]),
    ],
)
def test_cloze_numbers_outside_1_to_500_are_located_errors(cloze: str, wrong: list[str]) -> None:
    data = _example()
    _cloze_card(data)["cloze"] = cloze
    problems = _problems(data)
    assert [code for code, _, _ in problems] == ["cloze-number"] * len(wrong)
    for (_, line, message), number in zip(problems, wrong, strict=True):
        assert f"gap number {number} is out of range" in message
        assert line == _line_of(data, cloze[:20])


def test_cloze_numbers_1_to_500_are_fine() -> None:
    data = _example()
    _cloze_card(data)["cloze"] = "{{c1::one}}, {{c500::five hundred}} and {{c007::seven}}."
    assert _problems(data) == []


# --- characters XML forbids ------------------------------------------------------------


@pytest.mark.parametrize("character", ["\ufffe", "\uffff", "\x0b", "\x1f", "\x00"])
def test_a_character_xml_forbids_is_refused_where_it_is_written(character: str) -> None:
    data = _example()
    data["practice"][0]["prompt"] = f"Which one{character}?"
    problems = _problems(data)
    # Control characters are refused by the models too: still one diagnostic.
    assert [(code, line) for code, line, _ in problems] == [
        ("invalid-value", _line_of(data, "prompt:"))
    ]
    assert f"U+{ord(character):04X}" in problems[0][2]


def test_a_forbidden_character_outside_the_text_fields_is_refused_too() -> None:
    data = _example()
    data["license"] = "CC-BY-4.0\uffff"
    data["videos"][0]["url"] += "\ufffe"
    problems = _problems(data)
    assert ("invalid-value", _line_of(data, "license:")) in [(c, n) for c, n, _ in problems]
    assert any("U+FFFE" in message for _, _, message in problems)


# Every character class XML 1.0 allows that an author could write: tab, CR, the
# BOM and zero-width characters, line and paragraph separators, private use,
# U+FFFD, noncharacters XML 1.0 does not forbid, the last code point, RTL marks,
# combining marks, emoji, and XML's own specials.
ODD = (
    "tab\there \u00a0nbsp \u200bzw \ufeffbom \u2028ls \u2029ps \ue000pua \ufffdrep "
    "\ufdd0nonchar \U0001fffenonchar \U0010ffffmax \u200frtl\u200e e\u0301 \U0001f600 "
    "]]> <b>&amp; &#0; ' \" \\u0000"
)


def test_the_qti_of_a_lesson_with_every_allowed_odd_character_parses(tmp_path: Path) -> None:
    data = _example()
    for question in data["practice"]:
        question["prompt"] = f"{question['prompt']} {ODD}"
        question["explanation"] = ODD
        for choice in question.get("choices", []):
            choice["text"] = f"{choice['text']} {ODD}"
    path = tmp_path / "odd.yaml"
    path.write_text(_dump(data), encoding="utf-8")
    loaded = load_lesson(path)  # valid: it raises otherwise
    ctx = BuildContext(loaded.source, BuildOptions(source_date_epoch=1_700_000_000))
    (package,) = get_renderer("qti").render(loaded.lesson, ctx)
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        names = [n for n in archive.namelist() if n.endswith(".xml")]
        assert len(names) >= 2
        texts = "".join(
            "".join(etree.fromstring(archive.read(name), parser).itertext()) for name in names
        )
    missing = [c for c in ODD.split() if c not in texts and c not in ("]]>", "<b>&amp;", "&#0;")]
    assert missing == []


# --- length caps ------------------------------------------------------------------------


def test_a_text_over_the_cap_is_a_located_error() -> None:
    data = _example()
    data["summary"]["quick"] = "word " * (TEXT_MAX_LENGTH // 5) + "x"
    assert [(code, line) for code, line, _ in _problems(data)] == [
        ("invalid-value", _line_of(data, "quick:"))
    ]
    data["summary"]["quick"] = "w" * TEXT_MAX_LENGTH
    assert _problems(data) == []


def _max_lengths(node: object) -> list[int]:
    if isinstance(node, dict):
        own = [node["maxLength"]] if node.get("type") == "string" and "maxLength" in node else []
        return own + [n for value in node.values() for n in _max_lengths(value)]
    if isinstance(node, list):
        return [n for value in node for n in _max_lengths(value)]
    return []


def _strings_without_cap(node: object, path: str = "") -> list[str]:
    if isinstance(node, dict):
        pattern = str(node.get("pattern", "+"))
        fixed = "const" in node or "enum" in node or not ("+" in pattern or "*" in pattern)
        uncapped = [path] if node.get("type") == "string" and "maxLength" not in node else []
        uncapped = [] if fixed else uncapped
        return uncapped + [
            p for key, value in node.items() for p in _strings_without_cap(value, f"{path}/{key}")
        ]
    if isinstance(node, list):
        return [
            p for i, value in enumerate(node) for p in _strings_without_cap(value, f"{path}/{i}")
        ]
    return []


def test_the_lesson_schema_caps_every_string() -> None:
    schema = all_schemas()["lesson.schema.json"]
    assert _strings_without_cap(schema) == []
    assert max(_max_lengths(schema)) == TEXT_MAX_LENGTH
