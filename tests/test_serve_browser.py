"""`lessonc serve` in a real Chromium: the page reloads under its own policy, and pages of
other origins (another local port, a DNS-rebinding name) cannot read the preview."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Error, Page, sync_playwright

from outputs.html_support import CHROMIUM, CHROMIUM_ARGS, require, watch
from serve_support import Served, save, status
from static_site import serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REBINDING_NAME = "rebind.test"
"""A name the browser resolves to 127.0.0.1, as an attacker's DNS would after rebinding."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(CHROMIUM.exists(), "needs Debian's chromium at /usr/bin/chromium")
    rules = f"--host-resolver-rules=MAP {REBINDING_NAME} 127.0.0.1"
    # Chromium's own Private Network Access check would stop a rebound page on its own;
    # Firefox and Safari have none, so it is off here, to see what lessonc itself refuses.
    no_pna = (
        "--disable-features=BlockInsecurePrivateNetworkRequests,LocalNetworkAccessChecks,"
        "PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults"
    )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, rules, no_pna]
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = Served(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def _title(page: Page) -> str:
    try:
        return page.title()
    except Error:  # asked while the page reloads
        return ""


def _overlay(page: Page) -> str:
    overlay = page.locator("#lessonc-overlay")
    try:
        return (overlay.text_content(timeout=200) or "") if overlay.count() else ""
    except Error:
        return ""


def test_the_page_reloads_and_shows_errors_under_its_own_policy(served: Served, page: Page) -> None:
    log = watch(page)
    page.goto(served.base + "served/")
    assert _title(page).startswith("Served · ")
    text = served.lesson.read_text(encoding="utf-8")

    edited = text.replace('title: "Served"', 'title: "Edited while serving"')
    save(served.lesson, edited, lambda: _title(page).startswith("Edited while serving"), "reload")

    broken = edited.replace("estimated_minutes: 20", "estimated_minutes: twenty")
    line = broken.splitlines().index("estimated_minutes: twenty") + 1
    save(served.lesson, broken, lambda: f"served.yaml:{line}:20: error[" in _overlay(page),
         "the errors over the page")  # fmt: skip
    assert _title(page).startswith("Edited while serving")  # the last good build stays

    fixed = edited.replace('title: "Edited while serving"', 'title: "Fixed"')
    save(served.lesson, fixed, lambda: _title(page).startswith("Fixed"), "reload after a fix")
    assert _overlay(page) == ""
    blocked = [m for m in log.console if "Content Security Policy" in m or "Refused" in m]
    assert blocked == []


def test_many_open_pages_all_reload(served: Served, browser: Browser) -> None:
    """One shared event stream: a stream per page would take the browser's six
    connections to the server and leave the seventh page loading forever."""
    context = browser.new_context()
    try:
        pages = [context.new_page() for _ in range(8)]
        for page in pages:
            page.goto(served.base + "served/", timeout=10_000)
        text = served.lesson.read_text(encoding="utf-8").replace('"Served"', '"All of them"')
        save(served.lesson, text, lambda: all(_title(p).startswith("All of them") for p in pages),
             "every page to reload")  # fmt: skip
    finally:
        context.close()


ATTACK = """async (target) => {
  const attempt = (run) => new Promise((resolve) => {
    setTimeout(() => resolve("timeout"), 5000);
    run(resolve);
  });
  return {
    events: await attempt((resolve) => {
      const source = new EventSource(target + "__lessonc__/events");
      source.onmessage = (event) => { source.close(); resolve("read " + event.data); };
      source.onerror = () => { source.close(); resolve("refused"); };
    }),
    status: await attempt((resolve) => {
      fetch(target + "__lessonc__/status").then((r) => r.text())
        .then((text) => resolve("read " + text), () => resolve("refused"));
    }),
    page: await attempt((resolve) => {
      fetch(target + "served/", {mode: "no-cors"}).then((r) => r.text())
        .then((text) => resolve(text ? "read " + text : "refused"), () => resolve("refused"));
    }),
    jsonp: await attempt((resolve) => {
      window.__lessoncStatus = (data) => resolve("read " + JSON.stringify(data));
      const script = document.createElement("script");
      script.src = target + "__lessonc__/status.js";
      script.onerror = () => resolve("refused");
      script.onload = () => setTimeout(() => resolve("loaded, nothing read"), 300);
      document.head.appendChild(script);
    }),
  };
}"""


@pytest.fixture
def other_origin(tmp_path: Path) -> Iterator[str]:
    """Another web site on this machine: a plain server on another port of 127.0.0.1."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><title>elsewhere</title>", "utf-8")
    with serving(site) as base:
        yield f"{base}/"


def test_a_page_of_another_origin_reads_nothing(
    served: Served, page: Page, other_origin: str
) -> None:
    page.goto(other_origin)
    results: dict[str, Any] = page.evaluate(ATTACK, served.base)
    assert results == {"events": "refused", "status": "refused", "page": "refused",
                       "jsonp": "refused"}  # fmt: skip
    stderr = served.stop()
    # Refused by lessonc itself, not only by the browser's CORS rules.
    assert "403 Forbidden for '/__lessonc__/events'" in stderr
    assert "403 Forbidden for '/__lessonc__/status'" in stderr


def test_a_dns_rebinding_page_reads_nothing(served: Served, page: Page) -> None:
    rebound = f"http://{REBINDING_NAME}:{served.port}/"
    response = page.goto(rebound + "served/")
    assert response is not None and response.status == 421
    assert "Served" not in page.content()
    # The attacker's page came from the attacker's server, under the same name and port,
    # before the name was rebound; its script, same-origin now, reads only the refusal.
    page.route(rebound, lambda route: route.fulfill(body="<title>attacker</title>",
                                                    content_type="text/html"))  # fmt: skip
    page.goto(rebound)
    page.unroute(rebound)
    assert page.title() == "attacker"
    results: dict[str, Any] = page.evaluate(ATTACK, rebound)
    assert results == {"events": "refused", "status": "read 421 Misdirected Request\n",
                       "page": "read 421 Misdirected Request\n", "jsonp": "refused"}  # fmt: skip
    assert status(served)["lessons"] == ["served"]  # the real origin is still answered
