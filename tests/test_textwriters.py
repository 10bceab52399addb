"""The writers' direction rule: a block of text whose words all run against the page's
direction is marked with its own; a mixed block, code and formulas keep the page's."""

from __future__ import annotations

import pytest

from lessonc import markup
from lessonc.textwriters import titled_callouts, turned_direction


@pytest.mark.parametrize(
    ("words", "page", "turned"),
    [
        ("The sigmoid squashes every number.", "rtl", "ltr"),
        ("Привет, мир.", "rtl", "ltr"),
        ("你好世界。", "rtl", "ltr"),
        ("تابع سیگموید هر عددی را فشرده می‌کند.", "ltr", "rtl"),
        ("שלום עולם.", "ltr", "rtl"),
        # Both directions: the page's language writes it, whichever letter comes first.
        ("GPT یک مدل زبانی است.", "rtl", None),
        ("The word سلام means peace.", "ltr", None),
        # Already the page's direction, or no letters at all.
        ("The sigmoid squashes.", "ltr", None),
        ("سلام", "rtl", None),
        ("0.25 = 1/4", "rtl", None),
        ("١٢٣", "ltr", None),  # Arabic-Indic digits are numbers, not letters
        ("", "rtl", None),
    ],
)  # fmt: skip
def test_a_block_turns_only_when_every_letter_runs_against_the_page(
    words: str, page: str, turned: str | None
) -> None:
    assert turned_direction(words, page) == turned  # type: ignore[arg-type]


def _in(direction: str, text: str, writer: markup.Writer = "html") -> str:
    with titled_callouts({}, direction):  # type: ignore[arg-type]
        return markup.to_html(text, writer)


def test_in_a_right_to_left_lesson_an_english_paragraph_reads_left_to_right() -> None:
    assert _in("rtl", "The sigmoid squashes every number.") == (
        '<p dir="ltr">The sigmoid squashes every number.</p>'
    )
    assert _in("rtl", "The *sigmoid* squashes `x`.") == (
        '<p dir="ltr">The <em>sigmoid</em> squashes <code dir="ltr">x</code>.</p>'
    )
    assert _in("rtl", "تابع *سیگموید* است.") == "<p>تابع <em>سیگموید</em> است.</p>"
    # Outside a lesson, or in a left-to-right one, nothing changes.
    assert markup.to_html("The sigmoid.") == "<p>The sigmoid.</p>"
    assert _in("ltr", "The *sigmoid*.") == "<p>The <em>sigmoid</em>.</p>"


def test_code_and_formulas_do_not_decide_a_paragraphs_direction() -> None:
    # Only a formula, or a Persian sentence around code: the page's direction stays.
    assert _in("rtl", "$x < 1$").startswith("<p><math")
    assert _in("rtl", "تابع `sigmoid` را رسم کنید.").startswith("<p>تابع")
    assert _in("rtl", "`math.exp(-x)` overflows for $x < -709$.").startswith('<p dir="ltr">')


def test_list_items_callouts_and_subheadings_turn_each_on_its_own_words() -> None:
    tight = _in("rtl", "- first item\n- مورد دوم\n")
    assert '<li dir="ltr">first item</li>' in tight
    assert "<li>مورد دوم</li>" in tight
    loose = _in("rtl", "- first item\n\n- مورد دوم\n")
    assert '<li>\n<p dir="ltr">first item</p>' in loose
    callout = _in("rtl", "::: note\nThe sigmoid squashes.\n:::\n")
    assert '<p dir="ltr">The sigmoid squashes.</p>' in callout
    heading = _in("rtl", "### Activation functions\n\nمتن")
    assert 'class="subheading" dir="ltr">Activation functions<' in heading
    # A Persian quote in an English lesson turns the other way, in every writer but plain.
    for writer in ("html", "pdf", "tex"):
        assert _in("ltr", "*سلام* دنیا", writer) == '<p dir="rtl"><em>سلام</em> دنیا</p>'


def test_the_direction_keys_the_cache() -> None:
    text = "The *cached* sentence."
    assert _in("rtl", text).startswith('<p dir="ltr">')
    assert _in("ltr", text).startswith("<p>")
    assert _in("rtl", text).startswith('<p dir="ltr">')


def _inline_in(direction: str, text: str, writer: markup.Writer = "html") -> str:
    with titled_callouts({}, direction):  # type: ignore[arg-type]
        return markup.to_inline_html(text, writer)


def test_inline_text_wholly_in_the_other_direction_is_isolated_in_its_line() -> None:
    # A choice's label or a card's front: no block to mark, so a <bdi> takes the direction.
    assert _inline_in("rtl", "GPT-4 is a model.") == '<bdi dir="ltr">GPT-4 is a model.</bdi>'
    assert _inline_in("rtl", "GPT-4 is *a* model.") == (
        '<bdi dir="ltr">GPT-4 is <em>a</em> model.</bdi>'
    )
    assert _inline_in("ltr", "سلام دنیا.") == '<bdi dir="rtl">سلام دنیا.</bdi>'
    # Mixed, the page's own direction, code alone or the plain writer: as it was.
    assert _inline_in("rtl", "مدل GPT") == "مدل GPT"
    assert _inline_in("ltr", "GPT-4 is a model.") == "GPT-4 is a model."
    assert _inline_in("rtl", "`x = 1`") == '<code dir="ltr">x = 1</code>'
    assert _inline_in("rtl", "GPT *model*", "plain") == "GPT <em>model</em>"


def test_the_quiz_writes_plain_text_with_its_direction_too() -> None:
    from lessonc.quiz_base import rich

    with titled_callouts({}, "rtl"):
        assert rich("The sigmoid squashes.").html == '<p dir="ltr">The sigmoid squashes.</p>'
        assert rich("GPT-4.", inline=True).html == '<bdi dir="ltr">GPT-4.</bdi>'
        assert rich("سلام", inline=True).html == "سلام"
