"""The allow-lists lesson HTML is cleaned with: link targets and image paths."""

from __future__ import annotations

import pytest

from lessonc import sanitise


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("images/a.png", True), ("a.png", True), ("../a.png", False), ("/etc/passwd", False),
        ("images/../../a.png", False), ("%2e%2e/a.png", False), ("%252e%252e/a.png", False),
        ("https://x.org/a.png", False), ("file:///etc/passwd", False), ("images\\..\\a.png", False),
    ],
)  # fmt: skip
def test_relative_path_rule(path: str, safe: bool) -> None:
    assert sanitise.is_safe_relative_path(path) is safe


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/a", True), ("mailto:a@example.org", True), ("#section", True),
        ("javascript:alert(1)", False), ("JaVaScRiPt:alert(1)", False),
        ("java%73cript:alert(1)", False), ("&#106;avascript:alert(1)", False),
        ("data:text/html,<b>", False), ("file:///etc/passwd", False), ("relative/page", False),
    ],
)  # fmt: skip
def test_link_rule(url: str, safe: bool) -> None:
    assert sanitise.is_safe_link(url) is safe


def test_a_block_keeps_either_direction_and_code_only_left_to_right() -> None:
    cleaned = sanitise.PAGE_CLEANER.clean(
        '<p dir="rtl">a</p><li dir="ltr">b</li><h4 dir="rtl">c</h4>'
        '<code dir="rtl">d</code><pre dir="rtl">e</pre><p dir="auto">f</p>'
    )
    assert cleaned == (
        '<p dir="rtl">a</p><li dir="ltr">b</li><h4 dir="rtl">c</h4>'
        "<code>d</code><pre>e</pre><p>f</p>"
    )
