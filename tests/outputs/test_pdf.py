"""The PDF handout read back: content, print quality, accessibility, sandbox, reproducibility."""

from __future__ import annotations

import http.server
import io
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from lessonc import markup
from lessonc.model import ClozeCard, Lesson
from lessonc.outputs import BuildContext, BuildOptions, RenderError
from lessonc.outputs.pdf import RENDERER, prepare
from lessonc.outputs.pdf.handout import choice_label, handout_html, printed_card
from lessonc.outputs.pdf.process import RenderTimeout, render_isolated
from lessonc.outputs.pdf.worker import RenderRequest
from lessonc.pipeline import InvalidLesson, load_lesson

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "content" / "foundation-models.yaml"
MINIMAL = ROOT / "tests" / "fixtures" / "pdf" / "minimal.yaml"
ARTIFACTS = ROOT / "test-artifacts" / "pdf"
EPOCH = 1_700_000_000

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


@dataclass(frozen=True)
class Handout:
    lesson: Lesson
    pdf: bytes
    path: Path
    pages: list[str]
    """Each page's text as pdftotext reads it, in reading order."""

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def squash(text: str) -> str:
    """Text without whitespace and hyphens: pdftotext joins 'pre-' + 'trained' at a line break."""
    return re.sub(r"[\s\-]+", "", text)


def render(path: Path, *, paper: str = "a4") -> tuple[Lesson, bytes]:
    loaded = load_lesson(path)
    ctx = BuildContext(
        source=loaded.source, options=BuildOptions(source_date_epoch=EPOCH, paper=paper)
    )
    artifacts = list(RENDERER.render(loaded.lesson, ctx))
    assert [a.path for a in artifacts] == ["handout.pdf"]
    assert not ctx.diagnostics
    return loaded.lesson, artifacts[0].data


def page_texts(pdf_path: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Handout:
    """The example lesson's handout, rendered once for the module; first pages saved as PNG."""
    lesson, pdf = render(EXAMPLE)
    path = tmp_path_factory.mktemp("pdf") / "handout.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("page-*.png"):
            old.unlink()
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "3",
                "-png",
                str(path),
                str(ARTIFACTS / "page"),
            ],
            check=True,
        )
    return Handout(lesson, pdf, path, page_texts(path))


# --- content ---------------------------------------------------------------------


def test_every_glossary_term_dialogue_turn_and_question_is_in_the_text(handout: Handout) -> None:
    text = squash(handout.text)
    lesson = handout.lesson
    assert lesson.dialogue is not None
    expected = [entry.term for entry in lesson.glossary]
    expected += [markup.to_plain(t.text) for s in lesson.dialogue.scenes for t in s.turns]
    expected += [markup.to_plain(q.prompt) for q in lesson.practice]
    missing = [item for item in expected if squash(item) not in text]
    assert not missing


def test_dialogue_turns_extract_in_reading_order(handout: Handout) -> None:
    text = squash(handout.text)
    assert handout.lesson.dialogue is not None
    turns = [t for s in handout.lesson.dialogue.scenes for t in s.turns]
    positions = [text.index(squash(markup.to_plain(t.text))) for t in turns]
    assert positions == sorted(positions)


def test_title_block_names_course_chapter_and_lesson_number(handout: Handout) -> None:
    first = handout.pages[0]
    lesson = handout.lesson
    assert lesson.course in first
    assert f"Chapter {lesson.chapter.number}" in first
    assert f"Lesson {lesson.number}" in first
    assert lesson.title in first


def test_answer_key_fills_the_last_pages(handout: Handout) -> None:
    starts = [i for i, page in enumerate(handout.pages) if "Answer key" in page and i > 0]
    assert starts, "no answer key page"
    first_key_page = starts[0]
    key_text = squash("".join(handout.pages[first_key_page:]))
    before = squash("".join(handout.pages[:first_key_page]))
    for question in handout.lesson.practice:
        explanation = squash(markup.to_plain(question.explanation))
        assert explanation in key_text
        assert squash(markup.to_plain(question.prompt)) in before
    # The key starts on a fresh page: nothing but the running header comes before it.
    body = handout.pages[first_key_page].split("Answer key")
    assert "?" not in body[0]


def test_flashcards_print_cloze_gaps_in_front_and_answers_behind() -> None:
    card = ClozeCard(cloze="A {{c1::square}} and a {{c2::circle::shape}}.")
    printed = printed_card(card)
    assert printed.front == "A […] and a [shape]."
    assert printed.back == "A **square** and a **circle**."


def test_choice_labels_continue_past_z() -> None:
    assert [choice_label(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]


# --- print quality -----------------------------------------------------------------


def test_pages_are_numbered_with_a_running_header(handout: Handout) -> None:
    total = len(handout.pages)
    assert total > 3
    for number, page in enumerate(handout.pages, start=1):
        assert f"{number} / {total}" in page
    header = f"{handout.lesson.course} · Lesson {handout.lesson.number}"
    assert all(header in page for page in handout.pages[1:])


def test_table_of_contents_gives_the_real_page_numbers(handout: Handout) -> None:
    toc = handout.pages[0]
    for title in ("Glossary", "Practice questions", "Answer key"):
        match = re.search(rf"^{title}\s*\.+\s*(\d+)$", toc, re.MULTILINE)
        assert match, f"{title} missing from the contents"
        page = int(match.group(1))
        lines = [line.strip() for line in handout.pages[page - 1].splitlines()]
        assert title in lines, f"{title} is not on page {page}"


def test_no_heading_is_stranded_at_a_page_foot(handout: Handout) -> None:
    lesson = handout.lesson
    headings = {"Objectives", "Summary", "In detail", "Explanation", "Analogy", "Glossary"}
    headings |= {f"{i}. {c.title}" for i, c in enumerate(lesson.chapters, start=1)}
    assert lesson.dialogue is not None
    headings |= {scene.title for scene in lesson.dialogue.scenes}
    for page in handout.pages:
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        last_line = lines[-2]  # the last one is the page number
        assert last_line not in headings


def test_a4_by_default_and_letter_on_request(handout: Handout) -> None:
    a4 = PdfReader(handout.path).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    _, letter_pdf = render(MINIMAL, paper="letter")
    letter = PdfReader(_bytes_io(letter_pdf)).pages[0].mediabox
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


def test_unknown_paper_is_refused() -> None:
    loaded = load_lesson(MINIMAL)
    with pytest.raises(ValueError, match="paper"):
        handout_html(loaded.lesson, paper="legal", source_date_epoch=EPOCH)
    ctx = BuildContext(loaded.source, BuildOptions(source_date_epoch=EPOCH, paper="legal"))
    with pytest.raises(RenderError):
        list(RENDERER.render(loaded.lesson, ctx))
    assert [d.code for d in ctx.diagnostics] == ["pdf-paper"]


def test_first_pages_are_saved_as_images(handout: Handout) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.skip("needs pdftoppm")
    assert len(list(ARTIFACTS.glob("page-*.png"))) == 3


# --- accessibility and metadata ------------------------------------------------------


def test_every_font_is_embedded(handout: Handout) -> None:
    listing = subprocess.run(
        ["pdffonts", str(handout.path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert listing
    for row in listing:
        # columns: name type encoding emb sub uni object ID; type may hold spaces
        emb = row.split()[-5]
        assert emb == "yes", row


def test_pdf_is_tagged_with_language(handout: Handout) -> None:
    catalog: Any = PdfReader(handout.path).trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == handout.lesson.language


def test_bookmarks_follow_the_sections(handout: Handout) -> None:
    reader = PdfReader(handout.path)

    def titles(outline: Sequence[object]) -> Iterator[str]:
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield str(item.title)  # type: ignore[attr-defined]

    found = list(titles(reader.outline))
    for expected in ("Objectives", "Dialogue", "Glossary", "Flashcards", "Answer key"):
        assert expected in found


def test_metadata_title_authors_subject_keywords_dates(handout: Handout) -> None:
    info = PdfReader(handout.path).metadata
    assert info is not None
    lesson = handout.lesson
    assert info.title == lesson.title
    assert info.author == ", ".join(a.name for a in lesson.authors)
    assert lesson.course in (info.subject or "")
    assert "foundation-models" in str(info["/Keywords"])
    assert info.creation_date is not None
    assert int(info.creation_date.timestamp()) == EPOCH


# --- reproducibility -----------------------------------------------------------------------


def test_two_builds_are_byte_identical() -> None:
    _, first = render(MINIMAL)
    _, second = render(MINIMAL)
    assert first == second


def test_images_inside_the_lesson_folder_are_embedded(tmp_path: Path) -> None:
    _, pdf = render(MINIMAL)
    (tmp_path / "m.pdf").write_bytes(pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", str(tmp_path / "m.pdf")], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert [row.split()[3:5] for row in listing] == [["16", "16"]]  # the fixture's 16×16 PNG


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


# --- the sandbox -----------------------------------------------------------------------------


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 - one server per test, reset there

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on localhost that records every request it gets."""
    _CountingHandler.requests = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _CountingHandler.requests
    finally:
        server.shutdown()
        server.server_close()


def _lesson_with_chapter_text(folder: Path, text: str) -> tuple[Path, int, int]:
    """The minimal lesson with ``text`` as its first chapter's text; its path and text position."""
    source = MINIMAL.read_text(encoding="utf-8")
    original = '    text: "Here is the diagram: ![A square diagram](images/diagram.png)"'
    assert original in source
    replaced = f"    text: {_yaml_quote(text)}"
    source = source.replace(original, replaced)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "lesson.yaml"
    path.write_text(source, encoding="utf-8")
    line = source[: source.index(replaced)].count("\n") + 1
    return path, line, replaced.index('"') + 1


def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _image_failure(path: Path) -> list[tuple[str, int, int]]:
    """The errors that stop the lesson before any render: images are checked in validation."""
    with pytest.raises(InvalidLesson) as caught:
        load_lesson(path)
    return [(d.code, d.line, d.col) for d in caught.value.diagnostics]


def test_remote_image_is_a_located_error_and_never_fetched(
    tmp_path: Path, local_server: tuple[str, list[str]]
) -> None:
    base, requests = local_server
    for url in (f"{base}/a.png", "https://example.org/a.png"):
        path, line, col = _lesson_with_chapter_text(tmp_path / "lesson", f"![x]({url})")
        # At the URL itself: past the quote and '![x]('.
        assert _image_failure(path) == [("file-outside", line, col + 6)]
    assert requests == []


def test_path_outside_the_lesson_folder_is_a_located_error(tmp_path: Path) -> None:
    path, line, col = _lesson_with_chapter_text(tmp_path / "lesson", "![x](../../etc/passwd)")
    assert _image_failure(path) == [("file-outside", line, col + 6)]


def test_symlink_out_of_the_lesson_folder_is_a_located_error(tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.png"
    secret.parent.mkdir()
    secret.write_bytes((MINIMAL.parent / "images" / "diagram.png").read_bytes())
    folder = tmp_path / "lesson"
    path, line, col = _lesson_with_chapter_text(folder, "![x](images/escape.png)")
    (folder / "images").mkdir()
    os.symlink(secret, folder / "images" / "escape.png")
    assert _image_failure(path) == [("file-outside", line, col + 6)]


def test_the_renderer_checks_images_a_caller_did_not_validate(tmp_path: Path) -> None:
    """A context made without validation's images (the API, not the CLI) is still refused."""
    from lessonc.source import load

    path, line, col = _lesson_with_chapter_text(tmp_path / "lesson", "![x](../secret.png)")
    source = load(path)
    ctx = BuildContext(source=source, options=BuildOptions(source_date_epoch=EPOCH))
    with pytest.raises(RenderError):
        list(RENDERER.render(Lesson.model_validate(source.data), ctx))
    assert [(d.code, d.line, d.col) for d in ctx.diagnostics] == [("file-outside", line, col + 6)]


def test_the_handout_embeds_the_sanitised_svg(tmp_path: Path) -> None:
    """WeasyPrint is served the SVG's checked bytes: a script or remote reference on disk never
    reaches it (a refused fetch would fail the render)."""
    path, _, _ = _lesson_with_chapter_text(tmp_path / "lesson", "![x](images/shape.svg)")
    (tmp_path / "lesson" / "images").mkdir()
    (tmp_path / "lesson" / "images" / "shape.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" onload="alert(1)">'
        b'<script>alert(2)</script><image href="http://127.0.0.1:9/x.png" width="5" height="5"/>'
        b'<rect width="20" height="20" fill="#123456"/></svg>'
    )
    loaded = load_lesson(path)
    [served] = loaded.images.files if loaded.images else []
    assert b"alert" not in served.data and b"127.0.0.1" not in served.data
    ctx = BuildContext(source=loaded.source, options=BuildOptions(source_date_epoch=EPOCH))
    ctx.images = loaded.images
    [artifact] = RENDERER.render(loaded.lesson, ctx)
    assert artifact.data.startswith(b"%PDF") and not [d for d in ctx.diagnostics if d.is_error]


def _request(body: str, files: dict[str, bytes] | None = None) -> RenderRequest:
    html = f'<!DOCTYPE html><html lang="en"><title>t</title><body>{body}<p>x</p></body></html>'
    return RenderRequest(html=html, base_url=MINIMAL.parent.as_uri() + "/", files=files or {})


DIAGRAM = MINIMAL.parent / "images" / "diagram.png"


def test_the_child_serves_the_files_it_was_given() -> None:
    """The control for the refusals below: the same image, on the allow-list, renders cleanly."""
    allowed = {str(DIAGRAM.absolute()): DIAGRAM.read_bytes()}
    result = render_isolated(_request('<img src="images/diagram.png" alt="d">', allowed))
    assert result.pdf is not None, result
    assert not result.warnings


@pytest.mark.parametrize(
    "body",
    [
        '<img src="images/diagram.png" alt="not on the allow-list">',
        '<img src="file:///etc/hostname" alt="absolute file URL">',
        '<img src="https://example.org/a.png" alt="remote">',
        '<link rel="stylesheet" href="extra.css">',
        '<link rel="attachment" href="file:///etc/passwd">',
        "<style>@import url(https://example.org/x.css);</style>",
    ],
)
def test_the_child_refuses_every_file_it_was_not_given(body: str) -> None:
    result = render_isolated(_request(body))
    assert result.pdf is None
    assert result.refused


def test_the_fork_server_warm_up_page_renders_cleanly() -> None:
    """The warm-up hides its failures (it is only a speed-up), so check here that it works."""
    from lessonc.outputs.pdf.preload import SAMPLE

    result = render_isolated(RenderRequest(html=SAMPLE, base_url="file:///nonexistent/"))
    assert result.pdf is not None, result


def test_a_weasyprint_warning_about_the_document_fails_the_render() -> None:
    result = render_isolated(_request("<style>p { color: not-a-colour }</style>"))
    assert result.pdf is None
    assert result.warnings
    assert not result.refused


def _render_in_pool_worker(number: int) -> bool:
    return render_isolated(_request(f"<p>{number}</p>")).pdf is not None


@pytest.mark.slow
def test_renders_from_fork_pool_workers_after_prepare() -> None:
    """A 'fork' pool started after prepare() cannot reach the fork server; rendering still works."""
    prepare()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        assert list(pool.map(_render_in_pool_worker, range(3))) == [True, True, True]


def test_rendering_past_the_deadline_is_killed() -> None:
    pages = "".join(f"<p style='break-after: page'>{i}</p>" for i in range(2000))
    with pytest.raises(RenderTimeout):
        render_isolated(_request(pages), timeout=0.2)
    assert not [p for p in multiprocessing.active_children() if p.name == "lessonc-pdf"]


def test_importing_the_pdf_format_and_the_cli_does_not_import_weasyprint() -> None:
    code = (
        "import sys, lessonc.outputs.pdf, lessonc.cli\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'\n"
        "print('lean')"
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "lean"


def test_an_svg_weasyprint_cannot_draw_is_an_error_at_the_text_naming_it(tmp_path: Path) -> None:
    """Well-formed and sanitised, yet WeasyPrint fails on it: the warning is located at the
    text that names the image, not at the top of the file."""
    path, line, col = _lesson_with_chapter_text(tmp_path / "lesson", "![x](images/bad.svg)")
    (tmp_path / "lesson" / "images").mkdir()
    (tmp_path / "lesson" / "images" / "bad.svg").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9" viewBox="0 0 a b"/>'
    )
    loaded = load_lesson(path)
    ctx = BuildContext(loaded.source, BuildOptions(source_date_epoch=EPOCH), images=loaded.images)
    with pytest.raises(RenderError):
        list(RENDERER.render(loaded.lesson, ctx))
    found = [(d.code, d.line, d.col) for d in ctx.diagnostics]
    assert found == [("pdf-warning", line, col)], ctx.diagnostics
    assert "images/bad.svg" in ctx.diagnostics[0].message
