"""Nasty YAML never crashes or hangs lessonc: each gives its located diagnostic (cmark style).

Every input runs in its own ``lessonc validate`` process with a time limit, so
a hang or a crash in one is reported as that input's failure. The committed
corpus is ``tests/fixtures/bad/``; the huge inputs are generated in tmp_path.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import FIXTURES
from hardening.support import cli_env, lessonc_command

BAD = FIXTURES / "bad"
TIME_LIMIT_SECONDS = 30

# file name → the first error's (code, line, col); None: the file is a valid lesson.
# A col of None: any column (libyaml >= 0.2.5 scans far ahead and stops deep flow
# nesting itself, at a column that depends on the libyaml PyYAML was built with).
EXPECTED: dict[str, tuple[str, int, int | None] | None] = {
    "alias-bomb.yaml": ("yaml-too-large", 1, 1),
    "bom.yaml": None,
    "complex-key.yaml": ("yaml-key", 5, 3),
    "control-char.yaml": ("source-encoding", 3, 17),
    "crlf.yaml": ("unknown-key", 5, 1),
    "custom-tag.yaml": ("yaml-tag", 8, 9),
    "deep-mappings.yaml": ("yaml-too-deep", 2, 263),
    "deep-nesting.yaml": ("yaml-too-deep", 2, None),
    "duplicate-keys.yaml": ("duplicate-key", 11, 1),
    "empty.yaml": ("not-a-lesson", 1, 1),
    "huge-int.yaml": ("yaml-number", 10, 20),
    "invalid-utf8.yaml": ("source-encoding", 3, 17),
    "lone-surrogate-escape.yaml": ("yaml-syntax", 3, 19),
    "merge-key.yaml": ("unknown-key", 5, 1),
    "nan.yaml": ("wrong-type", 10, 20),
    "nul-byte.yaml": ("source-encoding", 2, 15),
    "only-comment.yaml": ("not-a-lesson", 1, 1),
    "python-name.yaml": ("yaml-tag", 3, 8),
    "python-object.yaml": ("yaml-tag", 1, 5),
    "sexagesimal.yaml": ("invalid-value", 8, 9),
    "tabs.yaml": ("yaml-syntax", 6, 1),
    "top-level-list.yaml": ("not-a-lesson", 1, 1),
    "two-documents.yaml": ("yaml-documents", 64, 1),
    "unclosed-quote.yaml": ("yaml-syntax", 4, 10),
    "unknown-alias.yaml": ("yaml-alias", 4, 9),
    "utf16.yaml": ("source-encoding", 1, 1),
    "yaml11-boolean.yaml": ("wrong-type", 58, 13),
    # generated at test time (see _generated)
    "fifty-megabytes.yaml": ("source-too-large", 1, 1),
    "long-line-title.yaml": ("invalid-value", 3, 8),
    "long-line-comment.yaml": None,
    "many-keys.yaml": ("unknown-key", 4, 1),
}


def _generated(folder: Path) -> list[Path]:
    """The inputs too big to commit: 50 MB, a 2 MB line, 10,000 unknown keys."""
    valid = (BAD / "bom.yaml").read_bytes()[3:]
    made = {
        "fifty-megabytes.yaml": valid + b"# " + b"x" * (50 * 1024 * 1024) + b"\n",
        "long-line-title.yaml": valid.replace(b'"A Small Handout"', b'"' + b"t" * 2_000_000 + b'"'),
        "long-line-comment.yaml": valid + b"# " + b"c" * 2_000_000 + b"\n",
        "many-keys.yaml": valid.replace(
            b"course:", b"".join(b"k%d: 1\n" % n for n in range(10_000)) + b"course:", 1
        ),
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)
    # validate checks the image the lessons name, as build does.
    shutil.copytree(BAD / "images", folder / "images")
    return [folder / name for name in made]


def _validate(path: Path) -> tuple[str, int | None, str, str]:
    command = lessonc_command("validate", "--diagnostics", "json", str(path))
    try:
        done = subprocess.run(
            command, env=cli_env(), capture_output=True, text=True, timeout=TIME_LIMIT_SECONDS
        )
    except subprocess.TimeoutExpired:
        return path.name, None, "", f"no answer within {TIME_LIMIT_SECONDS} s"
    return path.name, done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int | None, str, str]]:
    """Every input validated, each in its own process, a few at a time."""
    inputs = sorted(BAD.glob("*.yaml")) + _generated(tmp_path_factory.mktemp("generated"))
    with ThreadPoolExecutor(max_workers=4) as pool:
        return {name: (code, out, err) for name, code, out, err in pool.map(_validate, inputs)}


def test_the_table_covers_the_whole_corpus() -> None:
    committed = {p.name for p in BAD.glob("*.yaml")}
    assert committed <= set(EXPECTED)
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_nasty_input_gives_its_located_diagnostic(
    name: str, outcomes: dict[str, tuple[int | None, str, str]]
) -> None:
    code, stdout, stderr = outcomes[name]
    assert code is not None, stderr  # a hang
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    errors = [d for d in json.loads(stdout) if d["severity"] == "error"]
    expected = EXPECTED[name]
    if expected is None:
        assert (code, errors) == (0, [])
    else:
        assert code == 1
        any_column = expected[2] is None
        found = (errors[0]["code"], errors[0]["line"], None if any_column else errors[0]["col"])
        assert found == expected, errors[:3]
        assert errors[0]["file"].endswith(name)


def test_hundreds_of_thousands_of_errors_answer_quickly(tmp_path: Path) -> None:
    valid = (BAD / "bom.yaml").read_bytes()[3:]
    keys = b"".join(b"k%d: 1\n" % n for n in range(190_000))
    path = tmp_path / "keys.yaml"
    path.write_bytes(valid.replace(b"course:", keys + b"course:", 1))
    shutil.copytree(BAD / "images", tmp_path / "images")  # only the keys are wrong
    command = lessonc_command("validate", "--diagnostics", "json", str(path))
    done = subprocess.run(command, env=cli_env(), capture_output=True, timeout=10, check=False)
    assert done.returncode == 1
    reported = json.loads(done.stdout)
    assert len(reported) <= 201
    assert reported[-1]["code"] == "too-many-errors"
