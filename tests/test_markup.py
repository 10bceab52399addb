"""Lesson text renders to safe HTML: nothing in it can become script."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessonc import markup, sanitise
from lessonc.textwriters import Direction, titled_callouts

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java&#x09;script:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    '[x](https://ok.example "title" onclick=alert(1))',
]


class ActiveParts(HTMLParser):
    """Collects every tag and attribute an HTML parser (like a browser's) sees."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_never_become_active(payload: str) -> None:
    for html in (markup.to_html(payload), markup.to_inline_html(payload)):
        parts = ActiveParts()
        parts.feed(html)
        assert set(parts.tags) <= sanitise.ALLOWED_TAGS
        assert not {"script", "iframe", "svg"} & set(parts.tags)
        for name, value in parts.attributes:
            assert not name.startswith("on"), html
            if name in ("href", "src"):
                assert value.startswith(
                    ("https://", "http://", "#")
                ) or sanitise.is_safe_relative_path(value), html


def test_markdown_subset_renders() -> None:
    html = markup.to_html(
        "Some *em*, **strong**, `code` and [a link](https://example.org).\n\n- one\n- two"
    )
    assert (
        "<em>em</em>" in html
        and "<strong>strong</strong>" in html
        and '<code dir="ltr">code</code>' in html
    )
    assert '<a href="https://example.org" rel="noopener noreferrer">a link</a>' in html
    assert "<ul>" in html and "<li>one</li>" in html


def test_raw_html_is_shown_as_text() -> None:
    assert markup.to_inline_html("<b>bold</b>") == "&lt;b&gt;bold&lt;/b&gt;"


def test_headings_stay_text() -> None:
    assert "<h1" not in markup.to_html("# Not a heading")


def test_plain_text() -> None:
    assert (
        markup.to_plain("Use **GPT** & <b>BERT</b>\n\n- one\n- two")
        == "Use GPT & <b>BERT</b>\none\ntwo"
    )


# --- the plain-text shortcut --------------------------------------------------------------

PLAIN_SAMPLES = st.from_regex(markup._PLAIN_TEXT, fullmatch=True).filter(markup.is_plain)


@settings(max_examples=1000, deadline=None)
@given(PLAIN_SAMPLES)
def test_plain_text_shortcut_gives_what_the_full_pipeline_gives(text: str) -> None:
    assert markup.to_html(text) == markup._full_html(text)
    assert markup.to_inline_html(text) == markup._full_inline_html(text)
    assert markup.to_plain(text) == markup._full_plain(text)


PLAIN_PARAGRAPHS = st.lists(PLAIN_SAMPLES, min_size=2, max_size=4).map("\n\n".join)
SCRIPTS = ["Plain English words", "Привет, мир", "مرحبا بالعالم", "שלום עולם", "你好世界"]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.one_of(PLAIN_SAMPLES, st.sampled_from(SCRIPTS)), min_size=2, max_size=4),
    st.sampled_from(["ltr", "rtl"]),
    st.sampled_from(["html", "pdf"]),
)
def test_plain_paragraphs_shortcut_gives_what_the_full_pipeline_gives(
    paragraphs: list[str], direction: Direction, writer: markup.Writer
) -> None:
    text = "\n\n".join(paragraphs)
    # In a page of either direction: each paragraph turns on its own words, as in Markdown.
    with titled_callouts({}, direction):
        assert markup.plain_paragraphs(text) == paragraphs
        full = markup._full_html(text, writer, markup.callout_titles(), direction)
        assert markup.to_html(text, writer) == full
        assert markup.to_html_taking_solutions(text, writer) == (full, ())
        assert markup.to_plain(text) == markup._full_plain(text, markup.callout_titles())
        assert not markup.holds_blocks(text)


@pytest.mark.parametrize(
    "text",
    [
        "One.\n\n\nTwo.", "One.\n\n Two.", "One.\n\n- two", "One.\n\nTwo *three*.",
        "One.\n\n", "\n\nOne.", "One.\n \nTwo.", "One.\n\n::: note\nTwo.\n:::",
    ],
)  # fmt: skip
def test_paragraphs_not_all_plain_take_the_full_pipeline(text: str) -> None:
    assert markup.plain_paragraphs(text) is None
    assert markup.to_html(text) == markup._full_html(text)


@pytest.mark.parametrize(
    "text",
    [
        "Great question! They are", "x = y", "a + b", "Fine-tuning + {{c1::data}} = skill",
        "Привет, мир", "مرحبا بالعالم", "שלום עולם", "你好世界", "Ελληνικά 2", "cloze \ue0000\ue001 here",
    ],
)  # fmt: skip
def test_plain_text_in_any_script_takes_the_shortcut(text: str) -> None:
    assert markup.is_plain(text)
    assert markup.to_html(text) == markup._full_html(text)
    assert markup.to_inline_html(text) == markup._full_inline_html(text)
    assert markup.to_plain(text) == markup._full_plain(text)


def test_the_ascii_pattern_takes_the_same_ascii_text_as_the_unicode_one() -> None:
    ascii_characters = [chr(code) for code in range(128)]
    for first in ascii_characters:
        for then in ascii_characters:
            text = first + then
            unicode_rule = markup._PLAIN_TEXT.fullmatch(text) is not None and "_" not in text
            assert (markup._PLAIN_ASCII.fullmatch(text) is not None) == unicode_rule, repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "1. a list", "2) a list", "- a list", "+ a list", "> a quote", "# a heading",
        "a *stressed* word", "a _stressed_ word", "some `code`", "a [link](x)", "an ![image](x)",
        "a & b", "a < b", "a > b", 'a "quote"', "a \\ b", "a ~~gone~~", "a | b", "x = $y$",
        "two  spaces", "trailing ", " leading", "two\nlines", "tab\there", "", "   ",
        "no\u00a0break", "Fish & Chips",
    ],
)  # fmt: skip
def test_text_with_markdown_or_escapes_takes_the_full_pipeline(text: str) -> None:
    assert not markup.is_plain(text)
    assert markup.to_html(text) == markup._full_html(text)


def test_solutions_are_taken_out_for_the_answer_key_wherever_they_stand() -> None:
    from lessonc.textwriters import SOLUTION_PLACE

    text = (
        "Try it:\n\n- first\n\n  ::: solution Worked <answer>\n  $x = 1$\n  :::\n\n"
        "::: solution\n::: note\ninside\n:::\n:::\n\nafter"
    )
    html, solutions = markup.to_html_taking_solutions(text, "pdf")
    assert html.count(SOLUTION_PLACE) == 2 and "after" in html and "inside" not in html
    assert [title for title, _ in solutions] == ["Worked &lt;answer&gt;", "Solution"]
    assert "<svg" in solutions[0][1]  # the pdf writer's formula
    assert 'class="callout callout-note"' in solutions[1][1]  # a callout inside stays
    # Every other caller still gets the solution where it stands.
    assert "callout-solution-ref" not in markup.to_html(text, "pdf")
    assert markup.to_html_taking_solutions("no callout here", "pdf") == (
        markup.to_html("no callout here", "pdf"),
        (),
    )
    # Lesson text cannot forge a place-holder: raw HTML is text, and classes are not Markdown.
    forged, none = markup.to_html_taking_solutions(SOLUTION_PLACE, "pdf")
    assert SOLUTION_PLACE not in forged and none == ()
