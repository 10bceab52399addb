"""Type errors become diagnostics at the YAML node that caused them, with hints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import EXAMPLE, FIXTURES
from lessonc.source import load, loads
from lessonc.validation import validate


def diagnose(text: str) -> list[tuple[int, int, str, str, str | None]]:
    lesson, problems = validate(loads(text.encode(), Path("l.yaml")))
    assert lesson is None
    return [(d.line, d.col, d.code, d.message, d.hint) for d in problems]


def test_example_lesson_is_valid() -> None:
    lesson, problems = validate(load(EXAMPLE))
    assert problems == []
    assert lesson is not None and lesson.id == "foundation-models"


def test_five_mistakes_on_five_lines_give_five_located_errors() -> None:
    _, problems = validate(load(FIXTURES / "errors" / "five-mistakes.yaml"))
    assert [(d.line, d.col, d.code) for d in problems] == [
        (5, 9, "wrong-type"),
        (15, 5, "unknown-key"),
        (21, 13, "wrong-type"),
        (27, 9, "duplicate-id"),
        (35, 5, "unknown-key"),
    ]
    hints = {d.line: d.hint for d in problems}
    assert hints[5] == 'quote it to keep it as text: "1.1"'
    assert hints[15] == "did you mean 'definition'?"
    assert "true or false" in (hints[21] or "")


def valid_source(example_text: str, old: str, new: str) -> str:
    assert old in example_text
    return example_text.replace(old, new, 1)


def test_unknown_key_points_at_the_key(example_text: str) -> None:
    text = valid_source(example_text, "estimated_minutes:", "estimated_minutse:")
    line = text.splitlines().index(next(x for x in text.splitlines() if "minutse" in x)) + 1
    problems = diagnose(text)
    assert (line, 1, "unknown-key") in [(p[0], p[1], p[2]) for p in problems]
    assert any(p[4] == "did you mean 'estimated_minutes'?" for p in problems)


def test_missing_key_points_at_the_mapping() -> None:
    problems = diagnose("id: x\n")
    assert ("missing-key", "missing required key 'title' in lesson") in [
        (p[2], p[3]) for p in problems
    ]


def test_unknown_question_type_lists_the_types(example_text: str) -> None:
    text = valid_source(example_text, "type: true_false", "type: essay")
    (problem,) = [p for p in diagnose(text) if p[2] == "invalid-value"]
    assert "essay" in problem[3] and problem[4] is not None and "true_false" in problem[4]


def test_nan_is_refused() -> None:
    text = (FIXTURES / "errors" / "five-mistakes.yaml").read_text()
    problems = diagnose(text.replace("estimated_minutes: 10", "estimated_minutes: .nan"))
    assert (6, 20, "wrong-type") in [(p[0], p[1], p[2]) for p in problems]


def test_blank_text_is_refused(example_text: str) -> None:
    text = valid_source(example_text, 'title: "What are Foundation Models?"', 'title: "  "')
    assert any("must not be empty" in p[3] for p in diagnose(text))


def test_not_a_mapping() -> None:
    assert [p[2] for p in diagnose("- a\n- b\n")] == ["not-a-lesson"]
    ((_, _, _, message, hint),) = diagnose("Just a sentence.\n")
    assert message == (
        "not a lesson file: a lesson is a mapping of keys, but this file holds the text "
        "'Just a sentence.'"
    )
    assert hint is not None and "'id: photosynthesis'" in hint and "lessonc new" in hint


@pytest.mark.parametrize("url", ["http://[", "https://x.org:99999/", "http://:80/"])
def test_urls_that_do_not_parse_are_refused(example_text: str, url: str) -> None:
    text = example_text.replace("https://www.youtube.com/results", f"{url}#", 1)
    assert any("not a valid URL" in p[3] or p[2] == "invalid-value" for p in diagnose(text))


def test_a_number_that_must_be_text_is_quoted_as_written(example_text: str) -> None:
    text = valid_source(example_text, 'number: "15.1"', "number: 1.10")
    (problem,) = [p for p in diagnose(text) if p[2] == "wrong-type"]
    assert problem[4] == 'quote it to keep it as text: "1.10"'
    text = valid_source(example_text, "tags:\n", "tags: [ai, 2.50]\nold_tags:\n")
    (problem,) = [p for p in diagnose(text) if p[2] == "wrong-type"]
    assert problem[3].startswith("'tags', item 2: ")
    assert problem[4] == 'quote it to keep it as text: "2.50"'


def test_a_pattern_error_names_the_list_item_and_says_what_is_allowed(
    example_text: str,
) -> None:
    # Tags take letters of any script (Cyrillic here), never spaces or underscores.
    text = valid_source(example_text, "tags:\n", "tags: [фото_синтез, фотосинтез]\nold_tags:\n")
    problems = [p for p in diagnose(text) if p[2] == "invalid-value"]
    assert [p[3] for p in problems] == ["'tags', item 1: 'фото_синтез' is not a valid id"]
    hint = problems[0][4] or ""
    assert "lower-case letters and digits of any script, with single '-'" in hint
    assert "^[a-z" not in hint and "pattern" not in problems[0][3]


def test_a_pattern_error_deep_in_the_lesson_speaks_words(example_text: str) -> None:
    text = valid_source(example_text, "  - id: fm-definition", "  - id: FM_Definition")
    text = valid_source(text, "language: en", "language: English")
    problems = {p[3]: p[4] for p in diagnose(text) if p[2] == "invalid-value"}
    assert problems.keys() == {
        "'id': 'FM_Definition' is not a valid id",
        "'language': 'English' is not a language tag",
    }
    assert "e.g. 'en', 'pt-BR'" in (problems["'language': 'English' is not a language tag"] or "")


def test_a_missing_key_names_the_list_item_by_its_place(example_text: str) -> None:
    text = valid_source(example_text, '  - title: "Examples of', '  - heading: "Examples of')
    assert "missing required key 'title' in 'chapters', item 3" in [p[3] for p in diagnose(text)]


BAD_IMAGES = """    text: |
      Fine: ![ok](images/diagram.png)
      A missing one ![m](images/missing.png), and
        a remote one ![r](https://example.org/remote.png).
    explanation: >
      One that escapes
      goes ![e](../secret.png) here; ![f](file:///etc/passwd)
      and ![d](data:text/html,hi) too.
    analogy: "Quoted \\u00e9 \\"escapes\\" then ![q](images/absent.png), and again ![m](images/missing.png)"
"""
"""Every scalar style with bad images; 'images/missing.png' twice (two places, two errors)."""


def _lesson_with_bad_images(folder: Path) -> Path:
    import shutil

    shutil.copytree(FIXTURES / "pdf" / "images", folder / "images")
    (folder.parent / "secret.png").write_bytes(b"SECRET")
    text = (FIXTURES / "pdf" / "minimal.yaml").read_text(encoding="utf-8")
    start = text.index('    text: "Here is the diagram')
    end = text.index("key_concepts:")
    path = folder / "lesson.yaml"
    path.write_text(text[:start] + BAD_IMAGES + text[end:], encoding="utf-8")
    return path


def _places(path: Path, references: list[str]) -> list[tuple[int, int]]:
    """Where each reference is written (line, column), each occurrence in file order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return sorted(
        (number, match.start() + 1)
        for number, line in enumerate(lines, 1)
        for reference in references
        for match in re.finditer(re.escape(f"]({reference})"), line)
    )


def test_every_bad_image_is_one_error_at_its_own_place(tmp_path: Path) -> None:
    """validate and lint --strict (what the pre-commit hooks run) fail with one error per bad
    reference, at the reference inside the text, in block, folded and quoted scalars alike."""
    from conftest import run_cli

    path = _lesson_with_bad_images(tmp_path / "lesson")
    bad = ["images/missing.png", "https://example.org/remote.png", "../secret.png",
           "file:///etc/passwd", "data:text/html,hi", "images/absent.png"]  # fmt: skip
    expected = [(line, col + 2) for line, col in _places(path, bad)]
    assert len(expected) == 7
    for command in (["validate"], ["lint", "--strict"]):
        result = run_cli([*command, str(path)])
        assert result.exit_code == 1, result.stderr
        found = [
            (int(m.group(1)), int(m.group(2)))
            for m in re.finditer(r":(\d+):(\d+): error\[file-outside\]", result.stderr)
        ]
        assert found == expected, result.stderr
        assert "Traceback" not in result.stderr
    remote = [line for line in run_cli(["validate", str(path)]).stderr.splitlines()]
    hint = remote[remote.index(next(r for r in remote if "remote.png" in r)) + 1]
    assert "never fetches" in hint


def test_bad_images_are_reported_beside_type_errors(tmp_path: Path) -> None:
    path = _lesson_with_bad_images(tmp_path / "lesson")
    text = path.read_text(encoding="utf-8").replace("estimated_minutes: 5", "estimated_minutes: x")
    path.write_text(text, encoding="utf-8")
    lesson, problems = validate(load(path))
    assert lesson is None
    codes = [d.code for d in problems]
    assert (codes.count("file-outside") == 7 and "wrong-type" in codes) or "invalid-value" in codes
