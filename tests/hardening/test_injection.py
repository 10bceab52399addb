"""Script payloads in every text field never become active: not in Chromium, Anki or the PDF."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pypdf
import pytest

from hardening.injection_support import active_content, poisoned_lesson
from hardening.support import ALL_FORMATS, run_lessonc

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PDF_ACTIONS = ("/JavaScript", "/JS", "/OpenAction", "/Launch", "/AA", "/SubmitForm", "/ImportData")


@pytest.fixture(scope="module")
def poisoned_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("poisoned")
    lesson, fields, restored = poisoned_lesson(folder / "lesson")
    assert fields >= 200 and restored <= fields // 20, (fields, restored)
    done = run_lessonc("build", str(lesson), "-o", str(folder / "out"), "--format", ALL_FORMATS)
    assert done.returncode == 0, done.stderr
    [built] = (folder / "out").iterdir()
    return built


DOM_REPORT = """() => {
  const found = [];
  for (const element of document.querySelectorAll('*')) {
    for (const attribute of element.attributes) {
      const value = attribute.value.replace(/\\s+/g, '').toLowerCase();
      if (attribute.name.startsWith('on')) found.push(`${element.tagName} ${attribute.name}`);
      if (/^(javascript|vbscript|data):/.test(value) && !/^data:image\\//.test(value))
        found.push(`${element.tagName} ${attribute.name}=${attribute.value}`);
    }
    if (['IFRAME', 'OBJECT', 'EMBED', 'FRAME', 'BASE'].includes(element.tagName))
      found.push(element.tagName);
  }
  for (const script of document.scripts)
    if (/XSS|pwned/.test(script.textContent) || (script.src && !/\\/(lesson|scorm)\\.js$/.test(script.src)))
      found.push(`SCRIPT ${script.src || script.textContent.slice(0, 80)}`);
  if (window.pwned) found.push('window.pwned was set');
  return found;
}"""


@pytest.mark.browser
def test_no_payload_runs_in_chromium(poisoned_build: Path) -> None:
    from playwright.sync_api import sync_playwright

    pages = sorted(poisoned_build.rglob("*.html"))
    assert pages
    dialogs: list[str] = []
    findings: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            for html in pages:
                page.goto(html.as_uri())
                page.wait_for_load_state("load")
                # Open everything a reader can open: cards, answers, details, quiz checks.
                for control in page.locator("button, summary, [role=button]").all()[:300]:
                    if control.is_visible():
                        control.click(timeout=2000, no_wait_after=True)
                page.wait_for_timeout(200)
                assert page.url == html.as_uri(), "a payload navigated the page away"
                findings[html.name] = page.evaluate(DOM_REPORT)
        finally:
            browser.close()
    assert dialogs == []
    assert {name: found for name, found in findings.items() if found} == {}


@pytest.mark.anki
def test_no_active_html_in_any_deck_field(poisoned_build: Path) -> None:
    with zipfile.ZipFile(poisoned_build / "deck.apkg") as package:
        collection = poisoned_build.parent / "collection.anki2"
        collection.write_bytes(package.read("collection.anki2"))
    with sqlite3.connect(collection) as database:
        fields = [
            field for (flds,) in database.execute("select flds from notes")
            for field in flds.split("\x1f")
        ]  # fmt: skip
    assert len(fields) > 20
    assert any("XSS" in field for field in fields), "the payloads did not reach the deck"
    assert {field[:80]: active_content(field) for field in fields if active_content(field)} == {}


def test_no_script_action_in_the_pdf(poisoned_build: Path) -> None:
    reader = pypdf.PdfReader(poisoned_build / "handout.pdf")
    assert "XSS" in "".join(page.extract_text() for page in reader.pages)
    found = []
    for number in range(1, len(reader.xref_objStm) + reader.trailer["/Size"]):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free entry in the cross-reference table
            continue
        if isinstance(obj, pypdf.generic.DictionaryObject):
            found += [f"{number}: {key}" for key in PDF_ACTIONS if key in obj]
            uri = obj.get("/URI")
            if uri is not None and "".join(str(uri).split()).lower().startswith("javascript:"):
                found.append(f"{number}: /URI {uri}")
    assert found == []


def test_no_active_html_in_quiz_json(poisoned_build: Path) -> None:
    quiz = json.loads((poisoned_build / "quiz.json").read_text(encoding="utf-8"))
    html: list[str] = []

    def walk(node: object) -> None:
        # Only "html" fields are markup; "text" fields carry the lesson's source text as data.
        if isinstance(node, dict):
            html.extend(v for k, v in node.items() if k == "html" and isinstance(v, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(quiz)
    assert len(html) > 10 and any("XSS" in s for s in html)
    assert {s[:80]: active_content(s) for s in html if active_content(s)} == {}
