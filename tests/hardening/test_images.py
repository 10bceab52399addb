"""Hostile image files: each is one located error, or (an SVG) made inert before any output.

The corpus: decompression bombs (a forged header and a real one), truncated and random
bytes, a format under the wrong name, SVGs that are not well-formed, nest 5,000 deep or
declare entities (billion laughs, an external file), and an SVG that tries every way to run script or
fetch a URL when opened on its own from the build folder.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from conftest import FIXTURES
from hardening.support import run_lessonc, small_lesson
from lessonc.images import MAX_PIXELS, SVG_ATTRIBUTES, SVG_ELEMENTS, SVG_NS, sanitise_svg

HOSTILE_SVG = FIXTURES / "images" / "hostile.svg"
PNG = (FIXTURES / "pdf" / "images" / "diagram.png").read_bytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_header_bomb() -> bytes:
    """A 100-byte PNG whose header claims 100,000 × 100,000 pixels."""
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 16)) + _chunk(b"IEND", b"")
    )  # fmt: skip


def _real_bomb() -> bytes:
    """A real 64-megapixel one-bit PNG: a few KiB that decode to 64 million pixels."""
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    return out.getvalue()


def _gif_frames_bomb() -> bytes:
    """A GIF whose frames add up past the cap (each frame alone is small)."""
    frames = [Image.new("P", (2000, 2000), color) for color in range(14)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return out.getvalue()


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&d;</text></svg>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>"""

HOSTILE_FILES: dict[str, tuple[bytes, str]] = {
    "header-bomb.png": (_png_header_bomb(), "pixels"),
    "real-bomb.png": (_real_bomb(), f"the limit is {MAX_PIXELS:,}"),
    "frames-bomb.gif": (_gif_frames_bomb(), "in 14 frames"),
    "truncated.png": (PNG[: len(PNG) * 2 // 3], "truncated"),
    "random.png": (bytes(range(256)) * 4, "not a readable PNG"),
    "empty.webp": (b"", "not a readable WEBP"),
    "jpeg-named.png": (_jpeg(), "holds JPEG data, not PNG"),
    "broken.svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "not well-formed"),
    "laughs.svg": (LAUGHS, "declares entities"),
    "xxe.svg": (XXE, "declares entities"),
    "undefined-entity.svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
        "not well-formed",
    ),
    "html.svg": (b"<html><body>hi</body></html>", "not an SVG document"),
    "deep.svg": (
        b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 5000 + b"</g>" * 5000 + b"</svg>",
        "Excessive depth",
    ),
}


def _lesson_naming(folder: Path, names: list[str]) -> Path:
    """The small lesson whose one chapter text names each of ``names`` under images/."""
    path = small_lesson(folder)
    images = " ".join(f"![{n}](images/{n})" for n in names)
    text = path.read_text(encoding="utf-8").replace(
        '"A stamp is a small square."', f'"Look: {images}"'
    )
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.slow
def test_every_hostile_image_is_one_located_error(tmp_path: Path) -> None:
    """validate and build (every format that carries images) report each file once, at its
    reference, with what is wrong; nothing is written and nothing crashes."""
    folder = tmp_path / "lesson"
    path = _lesson_naming(folder, list(HOSTILE_FILES))
    for name, (data, _) in HOSTILE_FILES.items():
        (folder / "images" / name).write_bytes(data)
    [line] = [n for n, t in enumerate(path.read_text().splitlines(), 1) if "Look:" in t]
    row = path.read_text(encoding="utf-8").splitlines()[line - 1]
    expected = {name: (line, row.index(f"(images/{name})") + 2) for name in HOSTILE_FILES}
    for command in (("validate",), ("build", "-o", str(tmp_path / "out"), "-f", "html,anki,pdf")):
        done = run_lessonc(*command, str(path), timeout=60)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        found = {
            m.group(3): ((int(m.group(1)), int(m.group(2))), m.group(4))
            for m in re.finditer(
                r":(\d+):(\d+): error\[image-invalid\]: 'images/([^']+)' (.*)", done.stderr
            )
        }
        assert done.stderr.count("error[") == len(HOSTILE_FILES), done.stderr
        for name, (_, reason) in HOSTILE_FILES.items():
            where, message = found[name]
            assert where == expected[name] and reason in message, (name, where, message)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.png"))


def test_svg_sanitiser_removes_every_active_part() -> None:
    clean = sanitise_svg(HOSTILE_SVG.read_bytes())
    tree = etree.fromstring(clean)
    text = clean.decode()
    for element in tree.iter():
        assert isinstance(element.tag, str) and element.tag.startswith(f"{{{SVG_NS}}}")
        assert etree.QName(element).localname in SVG_ELEMENTS
        for name, value in element.attrib.items():
            assert name in SVG_ATTRIBUTES or name.startswith("{http://www.w3.org/XML/1998/")
            assert not name.lower().startswith("on")
            if name == "href":
                assert value.startswith("#"), value
    for unwanted in ("alert", "pwned", "127.0.0.1", "file:", "javascript", "@import",
                     "@font-face", "DOCTYPE", "xml-stylesheet", "foreignObject", "iframe"):  # fmt: skip
        assert unwanted not in text, unwanted
    # What draws is kept: the shapes, the gradient and the class rule that uses it.
    assert text.count("<rect") == 2 and 'id="shade"' in text and "url(#shade)" in text
    assert "<title>A hostile diagram</title>" in text


@pytest.mark.parametrize("payload", [b"<svg", LAUGHS, XXE, b"\xff\xfe<\x00s\x00"])
def test_svg_sanitiser_refuses_what_it_cannot_read_safely(payload: bytes) -> None:
    from lessonc.images import InvalidImage

    with pytest.raises(InvalidImage):
        sanitise_svg(payload)


@pytest.mark.browser
def test_a_hostile_svg_opened_from_the_build_runs_nothing(tmp_path: Path) -> None:
    """The built SVG, opened on its own from the build folder in Chromium: no dialog, no
    script state, no request leaving the folder. The original, opened the same way, does all
    three (so the test can fail)."""
    from outputs.html_support import chromium, opened

    folder = tmp_path / "lesson"
    path = _lesson_naming(folder, ["hostile.svg"])
    (folder / "images" / "hostile.svg").write_bytes(HOSTILE_SVG.read_bytes())
    out = tmp_path / "out"
    done = run_lessonc("build", str(path), "-o", str(out), "-f", "html", timeout=60)
    assert done.returncode == 0, done.stderr
    [built] = (out / "pdf-minimal" / "media").glob("*.svg")
    with chromium() as browser:
        results = {}
        for name, svg in (("original", folder / "images" / "hostile.svg"), ("built", built)):
            with opened(browser, svg) as (page, log):
                page.wait_for_timeout(300)
                pwned = page.evaluate("() => String(window.pwned)")
                results[name] = (log.dialogs, pwned, log.requests_outside(svg.parent))
    dialogs, pwned, outside = results["original"]
    assert dialogs and pwned != "undefined" and outside, results["original"]
    assert results["built"] == ([], "undefined", []), results["built"]
