"""The exercise types on the page, in real Chromium: answered by keyboard alone, checked
with text feedback, scored by the documented rule, and free of axe violations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from conftest import FIXTURES
from outputs.html_support import axe_violations, chromium, opened, render_files, write_files

EVERY_TYPE = FIXTURES / "exercises" / "every-type.yaml"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_files(render_files(EVERY_TYPE), tmp_path_factory.mktemp("every-type"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _verdict(page: Page, question: str) -> str:
    return " ".join((page.text_content(f"#q-{question} .verdict") or "").split())


def _focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.textContent"))


def _tab_to(page: Page, element_id: str) -> None:
    """Press Tab until ``element_id`` has focus (the keyboard is the only way in)."""
    for _ in range(400):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def _submit(page: Page, question: str) -> None:
    """Tab to the question's check button and press Enter."""
    page.locator(f"#q-{question} button[type=submit]").evaluate("b => b.id = b.id || 'check-now'")
    _tab_to(page, page.locator(f"#q-{question} button[type=submit]").get_attribute("id") or "")
    page.keyboard.press("Enter")
    page.locator(f"#q-{question} button[type=submit]").evaluate("b => b.removeAttribute('id')")


def _pick(page: Page, select_id: str, option_text: str) -> None:
    """Choose an option of a focused select with the arrow keys."""
    _tab_to(page, select_id)
    options = page.eval_on_selector(f"#{select_id}", "s => [...s.options].map(o => o.text)")
    target = options.index(option_text)
    current = int(page.eval_on_selector(f"#{select_id}", "s => s.selectedIndex"))
    key = "ArrowDown" if target > current else "ArrowUp"
    for _ in range(abs(target - current)):
        page.keyboard.press(key)
    assert page.eval_on_selector(f"#{select_id}", "s => s.options[s.selectedIndex].text") == (
        option_text
    )


@pytest.mark.browser
def test_matching_by_keyboard_gives_partial_credit_in_text(
    browser: Browser, page_file: Path
) -> None:
    with opened(browser, page_file) as (page, log):
        base = "q-match-developers--"
        _pick(page, base + "gpt", "OpenAI")
        _pick(page, base + "bert", "Google")
        _pick(page, base + "t5", "Microsoft")
        _pick(page, base + "llama", "Meta")
        _submit(page, "match-developers")
        assert _verdict(page, "match-developers").startswith("Partly right.")
        marks = page.locator("#q-match-developers .choice-mark").all_text_contents()
        assert marks == ["✓ Right", "✓ Right", "✗ Wrong", "✓ Right"]
        # 3 of 4 pairs of a 4-point question: 3 points.
        assert "Score: 3 of 12 points" in (page.text_content(".quiz-score") or "")
        _pick(page, base + "t5", "Google")
        _submit(page, "match-developers")
        assert _verdict(page, "match-developers").startswith("Correct.")
        assert log.console == []


@pytest.mark.browser
def test_ordering_moves_by_keyboard_and_scores_each_place(
    browser: Browser, page_file: Path
) -> None:
    with opened(browser, page_file) as (page, log):
        question = "#q-order-lifecycle"
        _submit(page, "order-lifecycle")
        # The page never shows the right order first.
        assert not _verdict(page, "order-lifecycle").startswith("Correct.")
        right = ["collect", "pretrain", "finetune", "deploy"]
        # Bubble each item up to its place with the Up button, pressed by Enter or Space.
        for place, key in enumerate(right):
            for _ in range(8):
                shown = page.eval_on_selector_all(
                    f"{question} [data-item]", "items => items.map(i => i.dataset.item)"
                )
                if shown.index(key) == place:
                    break
                up = page.locator(f"{question} [data-item='{key}'] [data-move='-1']")
                up.evaluate("b => b.id = 'move-now'")
                _tab_to(page, "move-now")
                page.keyboard.press("Space" if place % 2 else "Enter")
                up.evaluate("b => b.removeAttribute('id')")
                assert page.evaluate("document.activeElement.dataset.move") == "-1"
        # The arrow keys on a move button move its item: down, then back up.
        first = page.locator(f"{question} [data-item] >> nth=0")
        moved = first.get_attribute("data-item")
        first.locator("[data-move='1']").evaluate("b => b.id = 'arrow-now'")
        _tab_to(page, "arrow-now")
        page.keyboard.press("ArrowDown")
        after = page.eval_on_selector_all(
            f"{question} [data-item]", "items => items.map(i => i.dataset.item)"
        )
        assert after[1] == moved
        page.keyboard.press("ArrowUp")
        assert page.evaluate("document.activeElement.closest('[data-item]').dataset.item") == moved
        status = page.text_content(f"{question} [data-order-status]") or ""
        assert status.endswith("/ 4")
        _submit(page, "order-lifecycle")
        assert _verdict(page, "order-lifecycle").startswith("Correct.")
        assert log.console == []


@pytest.mark.browser
@pytest.mark.parametrize(
    ("typed", "verdict"),
    [("1,25", "Correct."), ("1.255", "Correct."), ("12.5", "Correct."), ("1.3", "Not quite."),
     ("abc", "Not quite. That is not a number.")],
)  # fmt: skip
def test_numeric_accepts_a_decimal_comma_and_the_tolerance(
    browser: Browser, page_file: Path, typed: str, verdict: str
) -> None:
    with opened(browser, page_file) as (page, _):
        _tab_to(page, "q-learning-rate--input")
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        assert _verdict(page, "learning-rate") == verdict


@pytest.mark.browser
def test_fill_blanks_scores_each_gap(browser: Browser, page_file: Path) -> None:
    with opened(browser, page_file) as (page, _):
        _tab_to(page, "q-adaptation-gaps--gap-1")
        page.keyboard.type("Finetuning")
        _pick(page, "q-adaptation-gaps--gap-2", "pruning")
        _submit(page, "adaptation-gaps")
        assert _verdict(page, "adaptation-gaps").startswith("Partly right.")
        assert "Score: 1 of 12 points" in (page.text_content(".quiz-score") or "")
        _pick(page, "q-adaptation-gaps--gap-2", "prompting")
        _submit(page, "adaptation-gaps")
        assert _verdict(page, "adaptation-gaps").startswith("Correct.")
        assert "Score: 2 of 12 points" in (page.text_content(".quiz-score") or "")


@pytest.mark.browser
def test_open_question_shows_its_model_answer_and_is_not_scored(
    browser: Browser, page_file: Path
) -> None:
    with opened(browser, page_file) as (page, _):
        _tab_to(page, "q-reflect-reuse--input")
        page.keyboard.type("Pre-training is shared.")
        assert page.locator("#q-reflect-reuse button[type=submit]").count() == 0
        summary = page.locator("#q-reflect-reuse summary")
        summary.evaluate("s => s.id = 'model-now'")
        _tab_to(page, "model-now")
        page.keyboard.press("Enter")
        assert page.locator("#q-reflect-reuse .answer-key").get_attribute("open") is not None
        assert "happens once" in (page.text_content("#q-reflect-reuse .answer-key") or "")
        assert "of 12 points · 0 of 8 questions" in (page.text_content(".quiz-score") or "")


@pytest.mark.browser
@pytest.mark.parametrize("width", [360, 1280])
def test_axe_finds_no_violations_before_and_after_answers(
    browser: Browser, page_file: Path, width: int
) -> None:
    with opened(browser, page_file, width=width, bypass_csp=True) as (page, _):
        assert axe_violations(page) == []
        page.select_option("#q-match-developers--gpt", label="Meta")
        page.fill("#q-learning-rate--input", "7")
        page.fill("#q-adaptation-gaps--gap-1", "pruning")
        for question in ("match-developers", "order-lifecycle", "learning-rate", "adaptation-gaps"):
            page.click(f"#q-{question} button[type=submit]")
        page.click("#q-order-lifecycle [data-move='1'] >> nth=0")
        assert axe_violations(page) == []
