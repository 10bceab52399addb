"""Text built to make the Markdown parser (or any output) slow: every build answers quickly.

Each input fills one text field of a small lesson with about 100,000 characters
(the cap on one field) of a pattern known to make Markdown parsers
superlinear, or with 200,000 (over the cap, so a located error). Each is built
in every fast format in its own ``lessonc build`` process with a time limit,
a few at a time, like the YAML corpus in test_bad_yaml.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from hardening.support import ALL_FORMATS, SMALL, cli_env, lessonc_command
from lessonc.model.base import TEXT_MAX_LENGTH

TIME_LIMIT_SECONDS = 60
FIELD = 'quick: "A short summary."'
N = TEXT_MAX_LENGTH
FIELD_LINE = next(
    n for n, line in enumerate(SMALL.read_text(encoding="utf-8").splitlines(), 1) if FIELD in line
)

# name → the text put into summary.quick
HOSTILE: dict[str, str] = {
    "unclosed-images": "![" * (N // 2),
    "unclosed-brackets": "[" * N,
    "brackets-closed-once": "[" * (N - 1) + "]",
    "empty-links": "[](" * (N // 3),
    "angle-destinations": "[a](<b" * (N // 6),
    "nested-labels": "[a" * (N // 4) + "](u)" * (N // 8),
    "unclosed-images-per-line": "![\n" * (N // 3),
    "emphasis": "*a" * (N // 2),
    "mixed-emphasis": "*_" * (N // 2),
    "strong": "**a" * (N // 3),
    "strikethrough": "~~a" * (N // 3),
    "backticks": "`a" * (N // 2),
    "angle-brackets": "<a" * (N // 2),
    "entities": "&#" * (N // 2),
    "backslashes": "\\" * N,
    "block-quotes": "> " * (N // 2),
    "nested-lists": "- " * (N // 2),
    "code-fences": "```\n" * (N // 4),
    "table-rows": "a|b\n-|-\n" + "c|d\n" * (N // 4 - 2),
    "wide-table": "a|" * 5000 + "\n" + "-|" * 5000 + "\n" + "b|" * 5000,
    "reference-definitions": "[a]: " * (N // 5),
    # over the cap: refused before any parsing
    "unclosed-images-200k": "![" * N,
    "unclosed-brackets-200k": "[" * (2 * N),
}


def _lesson(folder: Path, name: str) -> Path:
    text = SMALL.read_text(encoding="utf-8")
    assert FIELD in text
    lesson = folder / f"{name}.yaml"
    # A literal block keeps every character and line break as it is.
    block = "".join(f"\n    {line}" for line in HOSTILE[name].split("\n"))
    lesson.write_text(text.replace(FIELD, "quick: |-" + block), encoding="utf-8")
    return lesson


def _build(lesson: Path) -> tuple[str, int | None, float, str, str]:
    command = lessonc_command(
        "build", str(lesson), "-o", str(lesson.parent / f"out-{lesson.stem}"),
        "-f", ALL_FORMATS.replace("pdf,", ""), "--diagnostics", "json",
    )  # fmt: skip
    started = time.monotonic()
    try:
        done = subprocess.run(
            command, env=cli_env(), capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS
        )
    except subprocess.TimeoutExpired:
        return lesson.stem, None, TIME_LIMIT_SECONDS, "", f"no answer in {TIME_LIMIT_SECONDS} s"
    return lesson.stem, done.returncode, time.monotonic() - started, done.stdout, done.stderr


@pytest.fixture(scope="module")
def outcomes(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[int | None, float, str, str]]:
    folder = tmp_path_factory.mktemp("hostile-text")
    lessons = [_lesson(folder, name) for name in HOSTILE]
    shutil.copytree(SMALL.parent / "images", folder / "images")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return {name: rest for name, *rest in pool.map(_build, lessons)}  # type: ignore[misc]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_builds_quickly_or_gives_a_located_error(
    name: str, outcomes: dict[str, tuple[int | None, float, str, str]]
) -> None:
    code, seconds, stdout, stderr = outcomes[name]
    assert code is not None and seconds < TIME_LIMIT_SECONDS, stderr  # a hang
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    errors = [d for d in json.loads(stdout or "[]") if d["severity"] == "error"]
    if len(HOSTILE[name]) > TEXT_MAX_LENGTH:
        assert code == 1
        assert [(e["code"], e["line"]) for e in errors] == [("invalid-value", FIELD_LINE)]
        assert errors[0]["file"].endswith(f"{name}.yaml")
    else:
        assert (code, errors) == (0, []), (stderr, errors)
