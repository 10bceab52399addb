"""The audio players in real Chromium: they play, the transcript follows, a turn seeks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from outputs.audio_support import build
from outputs.html_support import CHROMIUM, CHROMIUM_ARGS, axe_violations, require, watch
from outputs.test_audio import _small_lesson
from static_site import serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small lesson built with audio and html, served over HTTP on 127.0.0.1."""
    root = tmp_path_factory.mktemp("audio-page")
    source = root / "lesson.yaml"
    source.write_text(_small_lesson(turns=3), encoding="utf-8")
    done = build(source, root / "out", root / "cache", formats="audio,html")
    assert done.returncode == 0, done.stderr
    with serving(root / "out" / "small") as base:
        yield f"{base}/index.html"


@pytest.fixture(scope="module")
def page_factory() -> Iterator[object]:
    require(Path(CHROMIUM).exists(), "needs Debian's chromium at /usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
        )
        try:
            yield browser
        finally:
            browser.close()


def _open(browser: object, url: str, *, bypass_csp: bool = False) -> Page:
    context = browser.new_context(bypass_csp=bypass_csp)  # type: ignore[attr-defined]
    page: Page = context.new_page()
    return page


def _cue_start(page: Page, cue_id: str) -> float:
    return float(
        page.evaluate(
            """id => {
                const track = document.getElementById('dialogue-audio').textTracks[0];
                const cue = track.cues && track.cues.getCueById(id);
                return cue ? cue.startTime : -1;
            }""",
            cue_id,
        )
    )


def test_player_plays_and_the_transcript_follows(page_factory: object, site: str) -> None:
    page = _open(page_factory, site)
    log = watch(page)
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(site)
    audio = page.locator("#dialogue-audio")
    assert audio.get_attribute("preload") == "none"
    page.evaluate("document.getElementById('dialogue-audio').muted = true")
    # The captions load without the audio (preload="none"); their ids are the turns'.
    page.wait_for_function(
        "() => { const t = document.getElementById('dialogue-audio').textTracks[0];"
        " return t.cues && t.cues.length === 3; }"
    )
    button = page.locator("#turn-1-2 .turn-play")
    assert button.is_visible()
    button.click()
    start = _cue_start(page, "turn-1-2")
    assert start > 0
    page.wait_for_function(
        "s => { const a = document.getElementById('dialogue-audio');"
        " return a.duration > 0 && !a.paused && a.currentTime > s + 0.3; }",
        arg=start,
    )
    assert page.locator("#turn-1-2").get_attribute("aria-current") == "true"
    assert page.locator(".turn.speaking").count() == 1
    # Later in the file, the highlight moves with timeupdate.
    third = _cue_start(page, "turn-1-3")
    page.evaluate(
        "t => { document.getElementById('dialogue-audio').currentTime = t + 0.1; }", third
    )
    page.wait_for_function(
        "() => document.getElementById('turn-1-3').getAttribute('aria-current') === 'true'"
    )
    assert page.locator("#turn-1-2").get_attribute("aria-current") is None
    # Every file the page asked for was there (the console's one 404 is Chromium's own
    # request for /favicon.ico, which the page never names), and none from elsewhere.
    assert failed == []
    assert all(url.startswith(site.rsplit("/", 1)[0] + "/") for url in log.requests)
    assert any(url.endswith("/audio/dialogue.ogg") for url in log.requests)
    assert [m for m in log.console if "404" not in m] == []


def test_clicking_a_turn_seeks_and_the_keyboard_reaches_the_buttons(
    page_factory: object, site: str
) -> None:
    page = _open(page_factory, site)
    page.goto(site)
    page.evaluate("document.getElementById('dialogue-audio').muted = true")
    page.wait_for_function(
        "() => { const t = document.getElementById('dialogue-audio').textTracks[0];"
        " return t.cues && t.cues.length === 3; }"
    )
    page.locator("#turn-1-3 .turn-text").click()
    start = _cue_start(page, "turn-1-3")
    page.wait_for_function(
        "s => document.getElementById('dialogue-audio').currentTime >= s", arg=start
    )
    page.locator("#dialogue-audio").evaluate("a => a.pause()")
    page.locator("#turn-1-1 .turn-play").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('turn-1-1').getAttribute('aria-current') === 'true'"
    )


def test_players_have_no_accessibility_violations(page_factory: object, site: str) -> None:
    page = _open(page_factory, site, bypass_csp=True)
    page.goto(site)
    assert page.locator("audio").count() == 2  # the dialogue and the one chapter
    assert axe_violations(page) == []
