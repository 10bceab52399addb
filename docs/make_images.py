"""Regenerate the pictures in docs/images/ from the example lesson.

    python docs/make_images.py

Needs the test extra (playwright, anki), Chromium at /usr/bin/chromium and
pdftoppm (poppler-utils). Builds content/foundation-models.yaml into a
temporary folder with a fixed SOURCE_DATE_EPOCH, then takes:

- html-phone.png: the lesson page on a 360 px wide phone;
- html-desktop.png: the lesson page on a 1280 px wide desktop;
- pdf-page.png: the first page of the PDF handout;
- anki-card.png: the back of a flashcard as Anki renders it (the card's
  answer HTML from Anki's own backend, with the note type's CSS).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# anki.collection first: anki's modules import each other in a cycle that starts there.
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "content" / "foundation-models.yaml"
IMAGES = Path(__file__).resolve().parent / "images"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EPOCH = "1700000000"
MAX_BYTES = 200_000


def build(out: Path) -> Path:
    """Build the example lesson with every format; the lesson's output folder."""
    subprocess.run(
        [sys.executable, "-m", "lessonc", "build", str(EXAMPLE), "-o", str(out),
         "--format", "html,pdf,anki"],
        check=True, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )  # fmt: skip
    return out / "foundation-models"


def anki_card_page(deck: Path, scratch: Path) -> str:
    """An HTML page showing a basic flashcard's back as Anki renders it."""
    col = Collection(str(scratch / "collection.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(deck), options=ImportAnkiPackageOptions())
        )
        card_ids = col.find_cards('"note:lessonc basic*"') or col.find_cards("")
        card = col.get_card(card_ids[0])
        note_type = card.note().note_type()
        assert note_type is not None
        css, answer = note_type["css"], card.answer()
    finally:
        col.close()
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<style>{css}</style></head>"
        f'<body class="card"><div id="qa">{answer}</div></body></html>'
    )


def screenshots(lesson: Path, card_page: Path) -> None:
    """The page on a phone and a desktop, and the Anki card, as PNGs."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, width, height in (("html-phone", 360, 740), ("html-desktop", 1280, 800)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto((lesson / "index.html").as_uri())
                page.screenshot(path=str(IMAGES / f"{name}.png"))
                page.close()
            page = browser.new_page(viewport={"width": 480, "height": 220})
            page.goto(card_page.as_uri())
            page.screenshot(path=str(IMAGES / "anki-card.png"))
            page.close()
        finally:
            browser.close()


def pdf_page(lesson: Path) -> None:
    """The handout's first page at a resolution that keeps the PNG small."""
    prefix = IMAGES / "pdf-page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", "-singlefile",
         str(lesson / "handout.pdf"), str(prefix)],
        check=True,
    )  # fmt: skip


def main() -> None:
    """Build, take every picture and check each stays small."""
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        lesson = build(scratch / "build")
        card_page = scratch / "card.html"
        card_page.write_text(anki_card_page(lesson / "deck.apkg", scratch), encoding="utf-8")
        screenshots(lesson, card_page)
        pdf_page(lesson)
    for image in sorted(IMAGES.glob("*.png")):
        size = image.stat().st_size
        print(f"{image.name}: {size:,} bytes")
        if size > MAX_BYTES:
            raise SystemExit(f"{image.name} is over {MAX_BYTES:,} bytes: reduce it")


if __name__ == "__main__":
    main()
