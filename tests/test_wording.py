"""Counts agree with their nouns."""

from __future__ import annotations

from lessonc.wording import count


def test_count_helper() -> None:
    assert [count(n, "error") for n in (0, 1, 2, 1200)] == [
        "0 errors", "1 error", "2 errors", "1,200 errors",
    ]  # fmt: skip
    assert count(1, "glossary term") == "1 glossary term"
    assert count(3, "entry", "entries") == "3 entries"
