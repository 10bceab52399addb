"""`lessonc lint`: each rule fires on its mistake and stays quiet otherwise; switches; --strict."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, FIXTURES, run_cli
from lessonc.diagnostics import Severity
from lessonc.lint import lint_lesson, lint_paths
from lessonc.lint_rules import RULES
from lessonc.pipeline import load_lesson

LINT = FIXTURES / "lint"
CLEAN = LINT / "clean.yaml"
WARNINGS = LINT / "warnings.yaml"
CODES = [rule.code for rule in RULES]


def _expected() -> dict[str, int]:
    """Rule code → the line of warnings.yaml marked '# expect CODE'."""
    marks: dict[str, int] = {}
    for number, line in enumerate(WARNINGS.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.search(r"# expect (L\d+)", line)
        if match:
            marks[match[1]] = number
    return marks


def _codes(path: Path, **kwargs: object) -> list[str]:
    return [d.code for d in lint_lesson(load_lesson(path), **kwargs)]  # type: ignore[arg-type]


def _variant(tmp_path: Path, old: str, new: str, source: Path = CLEAN) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    target = tmp_path / "variant.yaml"
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    _copy_images(source.parent, tmp_path)
    return target


def _copy_images(source_folder: Path, target_folder: Path) -> None:
    """The images a fixture names (warnings.yaml's L109 image), next to its copy."""
    if (source_folder / "images").is_dir():
        shutil.copytree(source_folder / "images", target_folder / "images", dirs_exist_ok=True)


def test_every_rule_has_a_fixture_mistake() -> None:
    assert sorted(_expected()) == CODES


@pytest.mark.parametrize("code", CODES)
def test_rule_fires_at_its_mistake(code: str) -> None:
    found = [d for d in lint_lesson(load_lesson(WARNINGS)) if d.code == code]
    assert [d.line for d in found] == [_expected()[code]]
    assert all(d.severity is Severity.WARNING for d in found)
    assert found[0].file.endswith("warnings.yaml")


@pytest.mark.parametrize("code", CODES)
def test_rule_is_quiet_on_the_clean_lesson(code: str) -> None:
    assert code not in _codes(CLEAN)


def test_the_example_lesson_is_lint_clean() -> None:
    assert _codes(EXAMPLE) == []


@pytest.mark.parametrize(
    ("code", "old", "new"),
    [
        # An alias or a plural counts as a use of the term.
        ("L101", '"Tide"\n', '"High water"\n    aliases: ["tide"]\n'),
        # A back that merely shares words with the front is an answer.
        ("L102", "Mainly the Moon's gravity.", "The tides are caused by the Moon's gravity."),
        # An explanation that names the answer and adds why is fine.
        ("L103", "It is far lighter", "The Moon: it is far lighter"),
        # Short options differ a lot in relative length without giving anything away.
        ("L105", 'text: "Two"', 'text: "Two a day, usually"'),
        # Equal summaries are not out of order.
        ("L106", "The Moon's gravity raises the tides.", "The Moon's gravity raises the tides."),
        # A formula with commands and one-letter names is maths, and $5 is money.
        (
            "L108",
            "caused by the Moon's gravity.",
            r"caused by $g \\cdot \\frac{m}{r^2}$, for $5 a day.",
        ),
    ],
)
def test_near_misses_do_not_fire(tmp_path: Path, code: str, old: str, new: str) -> None:
    assert code not in _codes(_variant(tmp_path, old, new))


@pytest.mark.parametrize(
    ("code", "old", "new"),
    [
        ("L101", 'term: "Tide"', 'term: "Ebb"'),
        ("L102", "Mainly the Moon's gravity.", "What causes the tides"),
        (
            "L103",
            "It is far lighter than the Sun but so much closer that its pull varies more across the Earth.",
            "The Moon.",
        ),
        ("L104", '\n        feedback: "Two bulges make two high tides, not four."', ""),
        ("L108", "caused by the Moon's gravity.", "worth $ more than the $ price."),
        (
            "L106",
            'quick: "The Moon\'s gravity raises the tides."',
            'quick: "The Moon\'s gravity pulls the ocean into two bulges that the Earth turns through each day, twice."',
        ),
    ],
)
def test_small_edits_make_rules_fire(tmp_path: Path, code: str, old: str, new: str) -> None:
    assert code in _codes(_variant(tmp_path, old, new))


def test_rule_switched_off_in_the_source(tmp_path: Path) -> None:
    target = _variant(
        tmp_path,
        "# The clean lesson",
        "# lessonc: disable=L101, l104\n# The clean lesson",
        WARNINGS,
    )
    codes = _codes(target)
    assert "L101" not in codes
    assert "L104" not in codes
    assert "L102" in codes


def test_rule_switched_off_by_the_lint_key(tmp_path: Path) -> None:
    target = _variant(tmp_path, "lessonc: 1\n", "lessonc: 1\nlint:\n  disable: [L101]\n", WARNINGS)
    codes = _codes(target)
    assert "L101" not in codes
    assert "L102" in codes


def test_switch_below_the_leading_comments_does_not_count(tmp_path: Path) -> None:
    target = _variant(tmp_path, "lessonc: 1\n", "lessonc: 1\n# lessonc: disable=L101\n", WARNINGS)
    assert "L101" in _codes(target)


def test_unknown_code_in_the_source_is_warned_about(tmp_path: Path) -> None:
    target = _variant(tmp_path, "# A small", "# lessonc: disable=L999\n# A small")
    found = lint_lesson(load_lesson(target))
    assert [(d.code, d.line) for d in found] == [("unknown-lint-rule", 1)]


def test_rule_switched_off_for_a_run() -> None:
    assert "L105" not in [d.code for d in lint_paths([WARNINGS], ["L105"]).diagnostics]
    result = run_cli(["lint", "--disable", "L105", "--disable", "L101", str(WARNINGS)])
    assert "L105" not in result.stderr
    assert "L101" not in result.stderr
    assert "L102" in result.stderr


def test_cli_exit_codes_and_strict() -> None:
    relaxed = run_cli(["lint", str(WARNINGS)])
    assert relaxed.exit_code == 0
    assert f"warnings.yaml:{_expected()['L102']}:" in relaxed.stderr
    assert "warning[L102]" in relaxed.stderr
    strict = run_cli(["lint", "--strict", str(WARNINGS)])
    assert strict.exit_code == 1
    assert "error[L102]" in strict.stderr
    assert run_cli(["lint", "--strict", str(CLEAN)]).exit_code == 0


def test_cli_reports_invalid_lessons_as_errors(tmp_path: Path) -> None:
    broken = _variant(tmp_path, "estimated_minutes: 10", "estimated_minutes: ten")
    result = run_cli(["lint", str(broken)])
    assert result.exit_code == 1
    assert "error[wrong-type]" in result.stderr


def test_cli_usage_errors() -> None:
    assert run_cli(["lint"]).exit_code == 2
    assert run_cli(["lint", "--disable", "L999", str(CLEAN)]).exit_code == 2
    listed = run_cli(["lint", "--list-rules"])
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == CODES


def test_json_output_carries_severity() -> None:
    result = run_cli(["lint", "--diagnostics", "json", str(WARNINGS)])
    assert '"severity": "warning"' in result.stdout


def test_rule_switched_off_in_the_course_file(tmp_path: Path) -> None:
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "warnings.yaml").write_text(WARNINGS.read_text(encoding="utf-8"), encoding="utf-8")
    _copy_images(LINT, lessons)
    course = tmp_path / "course.yaml"
    course.write_text(
        "title: A course\nchapters:\n  - title: One\n    lessons: [lessons/warnings.yaml]\n",
        encoding="utf-8",
    )
    on = [d.code for d in lint_paths([course]).diagnostics]
    assert "L101" in on
    course.write_text(
        course.read_text(encoding="utf-8") + "lint:\n  disable: [L101]\n", encoding="utf-8"
    )
    for target in (course, tmp_path):  # the course file, or the folder that holds it
        off = [d.code for d in lint_paths([target]).diagnostics]
        assert "L101" not in off
        assert "L102" in off
