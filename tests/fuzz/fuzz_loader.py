"""Atheris (libFuzzer) harness for the loader: any bytes → load → validate, never a crash.

Any exception other than the loader's own ``SourceError`` is a bug. Run by hand
for as long as you like, with the committed nasty inputs as a seed corpus:

    mkdir -p /tmp/corpus && cp tests/fixtures/bad/*.yaml content/*.yaml /tmp/corpus/
    python tests/fuzz/fuzz_loader.py /tmp/corpus -max_len=65536 -max_total_time=3600

``tests/fuzz/test_atheris.py`` runs it for a bounded time in CI.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["lessonc"]):
    from lessonc.source import SourceError, loads
    from lessonc.validation import validate

SHOWN_PATH = Path("fuzzed.yaml")


def test_one_input(data: bytes) -> None:
    """Load and validate one input; a located error is fine, an exception is not."""
    try:
        located = loads(data, SHOWN_PATH)
    except SourceError as error:
        assert error.diagnostics, "SourceError without a diagnostic"
        return
    lesson, problems = validate(located)
    assert lesson is not None or problems, "an invalid lesson without a diagnostic"
    for problem in problems:
        assert problem.line >= 1 and problem.col >= 1, problem


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
