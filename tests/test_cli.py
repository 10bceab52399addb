"""The command line: exit codes, output styles and the one-line summary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, FIXTURES, ROOT, run_cli

FIVE = str(FIXTURES / "errors" / "five-mistakes.yaml")


def test_validate_example_exits_0_with_one_line_summary() -> None:
    result = run_cli(["validate", str(EXAMPLE)])
    assert result.exit_code == 0
    assert result.stderr == ""
    (line,) = result.stdout.splitlines()
    assert "ok: lesson 'foundation-models'" in line and "20 questions" in line


def test_validate_five_mistakes_exits_1_with_five_errors() -> None:
    result = run_cli(["validate", FIVE])
    assert result.exit_code == 1
    located = [line for line in result.stderr.splitlines() if ": error[" in line]
    assert len(located) == 5
    assert located[0].endswith("five-mistakes.yaml:5:9: error[wrong-type]: 'number': "
                               "Input should be a valid string, got the number 1.1")  # fmt: skip
    assert "  hint: did you mean 'definition'?" in result.stderr


def test_json_diagnostics() -> None:
    result = run_cli(["validate", "--diagnostics", "json", FIVE])
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert [(p["line"], p["col"], p["code"]) for p in problems][0] == (5, 9, "wrong-type")
    assert {p["severity"] for p in problems} == {"error"}


def test_github_annotations_when_in_actions() -> None:
    result = run_cli(["validate", FIVE], env={"GITHUB_ACTIONS": "true"})
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 5
    assert ",line=15,col=5," in annotations[1]


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli(["validate", str(tmp_path / "missing.yaml")]).exit_code == 2
    assert run_cli(["build", str(EXAMPLE), "--format", "docx"]).exit_code == 2
    assert run_cli(["frobnicate"]).exit_code == 2


def test_bad_source_date_epoch_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli(["build", str(EXAMPLE), "-o", str(tmp_path), "--format", "quiz"],
                     env={"SOURCE_DATE_EPOCH": "yesterday"})  # fmt: skip
    assert result.exit_code == 2


def test_folder_of_lessons_is_validated(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: [\n", encoding="utf-8")
    result = run_cli(["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "b.yaml:" in result.stderr and "a.yaml: ok" in result.stdout


def test_help_has_examples() -> None:
    result = run_cli(["build", "--help"])
    assert result.exit_code == 0 and "lessonc build content/foundation-models.yaml" in result.stdout


def test_the_teacher_edition_is_in_the_help_and_the_cli_reference() -> None:
    result = run_cli(["build", "--help"])
    assert result.exit_code == 0
    assert "--edition [student|teacher]" in result.stdout
    assert "--edition teacher" in result.stdout  # an example that uses it
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "--edition [student|teacher]" in reference and "handout-teacher.pdf" in reference


def test_python_dash_m_runs_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: !!python/object:os.system x\n")
    completed = subprocess.run(
        [sys.executable, "-m", "lessonc", "validate", str(bad)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert completed.returncode == 1
    assert "Traceback" not in completed.stderr
    assert "bad.yaml:1:4: error[yaml-tag]" in completed.stderr


def test_counts_agree_with_their_nouns(tmp_path: Path) -> None:
    lesson = EXAMPLE.read_text(encoding="utf-8")
    head, rest = lesson.split("\nchapters:\n", 1)
    chapters, tail = rest.split("\nkey_concepts:", 1)
    first_chapter = chapters.split("\n  - title:")[0]
    one = tmp_path / "one.yaml"
    one.write_text(f"{head}\nchapters:\n{first_chapter}\nkey_concepts:{tail}", encoding="utf-8")
    result = run_cli(["validate", str(one)])
    assert result.exit_code == 0, result.stderr
    assert ", 1 chapter, " in result.stdout
    result = run_cli(["validate", FIVE])
    assert result.stderr.splitlines()[-1] == "5 errors in 1 of 1 file"


def test_formats_are_read_case_insensitively_with_spaces(tmp_path: Path) -> None:
    result = run_cli(["build", str(EXAMPLE), "-o", str(tmp_path), "-f", "Quiz, GIFT"])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "foundation-models").iterdir()) == [
        "manifest.json", "quiz.gift", "quiz.json",
    ]  # fmt: skip
    result = run_cli(["build", str(EXAMPLE), "-o", str(tmp_path), "-f", "PDF, docx"])
    assert result.exit_code == 2 and "unknown format 'docx'" in result.stderr


@pytest.mark.parametrize(
    ("name", "content"),
    [("README.md", None), ("empty.yaml", ""), ("list.yaml", "- a\n- b\n"),
     ("words.yaml", "Just a sentence.\n")],
)  # fmt: skip
def test_a_file_that_is_no_lesson_is_named_so(
    tmp_path: Path, name: str, content: str | None
) -> None:
    target = tmp_path / name
    if content is None:
        shutil.copy(ROOT / "README.md", target)
    else:
        target.write_text(content, encoding="utf-8")
    result = run_cli(["validate", str(target)])
    assert result.exit_code == 1
    assert f"{name}:1:1: error[not-a-lesson]: not a lesson file: " in result.stderr
    assert "hint: a lesson file is YAML with one key a line" in result.stderr
    assert "alias" not in result.stderr


def test_the_command_collects_seldom_and_leaves_the_last_collection_to_the_process_end() -> None:
    code = (
        "import atexit, gc, sys\n"
        "from lessonc import cli\n"
        "atexit.register(lambda: print(gc.get_threshold()[0], gc.get_freeze_count() > 0))\n"
        "sys.argv = ['lessonc', '--version']\n"
        "cli.run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    from lessonc.cli import GC_YOUNG_THRESHOLD

    assert done.stdout.splitlines()[-1] == f"{GC_YOUNG_THRESHOLD} True"


def test_a_build_imports_only_the_formats_it_was_asked_for(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from lessonc.cli import main\n"
        f"main(['build', {str(EXAMPLE)!r}, '-o', {str(tmp_path)!r}, '-f', 'html,anki,quiz'],\n"
        "     standalone_mode=False)\n"
        "print('imported:', *sorted(m for m in sys.modules if m.split('.')[0] in {\n"
        "    'weasyprint', 'pikepdf', 'playwright', 'numpy', 'soundfile', 'rich'} or\n"
        "    m.startswith(('lessonc.outputs.scorm', 'lessonc.outputs.qti', 'lessonc.outputs.gift',\n"
        "                  'lessonc.outputs.audio', 'lessonc.quiz_gift'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "imported:"
