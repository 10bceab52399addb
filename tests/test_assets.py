"""The one path resolver: every way a lesson could name a file outside its folder is refused.

Each hostile reference is tried against a real folder tree holding the files
an attacker would want (a secret beside the lesson, symlinks out of it, hidden
folders, devices), pandoc-style: percent- and double-encoded '..' included.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from lessonc.assets import MAX_FILE_BYTES, OutsideRoot, resolve_inside

PNG = (FIXTURES / "pdf" / "images" / "diagram.png").read_bytes()


@pytest.fixture
def lesson_dir(tmp_path: Path) -> Path:
    """A lesson folder with good images and every kind of trap, and a secret outside it."""
    (tmp_path / "secret.png").write_bytes(b"SECRET")
    (tmp_path / "secret-dir").mkdir()
    (tmp_path / "secret-dir" / "key.png").write_bytes(b"SECRET")
    root = tmp_path / "lesson"
    (root / "images" / "deep").mkdir(parents=True)
    (root / "images" / "diagram.png").write_bytes(PNG)
    (root / "images" / "deep" / "My Picture.png").write_bytes(PNG)
    (root / "images" / "Upper.PNG").write_bytes(PNG)
    (root / "images" / "100%.png").write_bytes(PNG)
    os.symlink("diagram.png", root / "images" / "alias.png")
    os.symlink(root / "images" / "diagram.png", root / "images" / "absolute-alias.png")
    os.symlink("../../secret.png", root / "images" / "escape.png")
    os.symlink(tmp_path / "secret.png", root / "images" / "absolute-escape.png")
    os.symlink("../../secret-dir", root / "images" / "outside")
    os.symlink("loop.png", root / "images" / "loop.png")
    os.symlink("/dev/zero", root / "images" / "zero.png")
    (root / ".git").mkdir()
    (root / ".git" / "config.png").write_bytes(b"[remote]")
    (root / "notes.txt").write_text("not an image")
    (root / "folder.png").mkdir()
    os.mkfifo(root / "pipe.png")
    with (root / "huge.png").open("wb") as sparse:
        sparse.truncate(MAX_FILE_BYTES + 1)
    return root


ALLOWED = {
    "images/diagram.png": "images/diagram.png",
    "./images/diagram.png": "images/diagram.png",
    "images/./diagram.png": "images/diagram.png",
    "images/deep/My%20Picture.png": "images/deep/My Picture.png",
    "images/Upper.PNG": "images/Upper.PNG",
    "images/100%25.png": "images/100%.png",
    "images/alias.png": "images/diagram.png",
    "images/absolute-alias.png": "images/diagram.png",
}


@pytest.mark.parametrize(("reference", "expected"), ALLOWED.items())
def test_files_inside_the_folder_resolve_to_their_real_path(
    lesson_dir: Path, reference: str, expected: str
) -> None:
    assert resolve_inside(lesson_dir, reference) == (lesson_dir / expected).resolve()


REFUSED = {
    "../secret.png": "not a relative path",
    "images/../../secret.png": "not a relative path",
    "%2e%2e/secret.png": "not a relative path",
    "%2E%2E%2Fsecret.png": "not a relative path",
    "..%2fsecret.png": "not a relative path",
    "..%5csecret.png": "not a relative path",
    "%252e%252e/secret.png": "not a relative path",
    "%25252e%25252e/secret.png": "percent-encoded twice",
    "images%252Fdiagram.png": "percent-encoded twice",
    "&#46;&#46;/secret.png": "not a relative path",
    "..\\secret.png": "not a relative path",
    "images\\diagram.png": "separate folders with '/'",
    "/etc/passwd": "not a relative path",
    "%2Fetc%2Fpasswd": "not a relative path",
    "//server/share/x.png": "not a relative path",
    "\\\\server\\share\\x.png": "not a relative path",
    "C:/Windows/win.ini": "not a relative path",
    "file:///etc/passwd": "not a relative path",
    "http://example.org/x.png": "not a relative path",
    "data:image/png;base64,AAAA": "not a relative path",
    "images//diagram.png": "not a relative path",
    "": "not a relative path",
    "images/diagram.png%00.png": "control character",
    "images/diagram%0a.png": "control character",
    "%ff%fe.png": "not UTF-8",
    "images/escape.png": "leads outside",
    "images/absolute-escape.png": "leads outside",
    "images/outside/key.png": "leads outside",
    "images/zero.png": "leads outside",
    "images/loop.png": "loop of symlinks",
    ".git/config.png": "hidden file or folder",
    "images/.hidden.png": "hidden file or folder",
    "notes.txt": "not an image",
    "content.yaml": "not an image",
    "images/DIAGRAM.png": "differs in case",
    "Images/diagram.png": "differs in case",
    "images/missing.png": "not a file",
    "missing/diagram.png": "not a file",
    "folder.png": "not a file",
    "pipe.png": "not a file",
    "huge.png": "the limit is",
}


@pytest.mark.parametrize(("reference", "reason"), REFUSED.items())
def test_every_escape_is_refused_with_a_reason(
    lesson_dir: Path, reference: str, reason: str
) -> None:
    with pytest.raises(OutsideRoot, match=reason):
        resolve_inside(lesson_dir, reference)


def test_the_root_itself_may_be_reached_through_a_symlink(lesson_dir: Path) -> None:
    link = lesson_dir.parent / "lesson-link"
    os.symlink(lesson_dir, link)
    assert resolve_inside(link, "images/alias.png") == lesson_dir / "images" / "diagram.png"


def _chapter_lesson(folder: Path, texts: list[str]) -> tuple[Path, list[int]]:
    """A copy of the small PDF fixture whose chapter texts are ``texts``; the line of each."""
    shutil.copytree(FIXTURES / "pdf" / "images", folder / "images")
    source = (FIXTURES / "pdf" / "minimal.yaml").read_text(encoding="utf-8")
    head, rest = source.split("chapters:\n", 1)
    tail = rest[rest.index("key_concepts:") :]
    chapters = "".join(
        f"  - title: \"Part {n}\"\n    text: '{text.replace(chr(39), chr(39) * 2)}'\n"
        for n, text in enumerate(texts)
    )
    path = folder / "lesson.yaml"
    path.write_text(head + "chapters:\n" + chapters + tail, encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index("chapters:") + 1
    return path, [first + 2 * n + 2 for n in range(len(texts))]


def test_build_reports_each_refused_image_once_where_it_is_written(tmp_path: Path) -> None:
    """Through the CLI: exit 1, one error per reference at its own column (not once per
    format), the same from validate, and no secret in any output."""
    (tmp_path / "secret.png").write_bytes(b"SECRET-BYTES")
    folder = tmp_path / "lesson"
    references = [
        "../secret.png",
        "%2e%2e/secret.png",
        "%252e%252e/secret.png",
        "images/escape.png",
        "images/nul%00.png",
        "images/Diagram.png",
    ]
    path, lines = _chapter_lesson(folder, [f"See ![x]({r})." for r in references])
    os.symlink("../../secret.png", folder / "images" / "escape.png")
    # Each text is written `    text: 'See ![x](REFERENCE).'`: the reference is at column 21.
    expected = [(line, 21) for line in lines]
    out = tmp_path / "out"
    for command in (
        ["validate"],
        *(["build", "-o", str(out), "-f", f] for f in ("html,anki,pdf", "anki")),
    ):
        result = run_cli([*command, str(path)])
        assert result.exit_code == 1, result.stderr
        located = [
            (int(line.split(":")[1]), int(line.split(":")[2]))
            for line in result.stderr.splitlines()
            if "error[file-outside]" in line
        ]
        assert located == expected, result.stderr
    assert not out.exists() or not any(
        b"SECRET-BYTES" in p.read_bytes() for p in out.rglob("*") if p.is_file()
    )


def test_a_good_image_still_builds_in_every_format(tmp_path: Path) -> None:
    path, _ = _chapter_lesson(tmp_path / "lesson", ["See ![x](./images/diagram.png)."])
    out = tmp_path / "out"
    result = run_cli(["build", str(path), "-o", str(out), "--format", "html,anki,pdf"])
    assert result.exit_code == 0, result.stderr
    media = list((out / "pdf-minimal" / "media").iterdir())
    assert [m.read_bytes() for m in media] == [PNG]


def _encoded(fmt: str, **options: object) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "blue")]
    frames[0].save(out, fmt, append_images=frames[1:], **options)
    return out.getvalue()


GOOD_IMAGES = {
    "photo.png": lambda: _encoded("PNG"),
    "photo.jpg": lambda: _encoded("JPEG"),
    "camera.jpeg": lambda: _encoded("MPO", save_all=True),  # what phones write as .jpg
    "moving.gif": lambda: _encoded("GIF", save_all=True),
    "photo.webp": lambda: _encoded("WEBP"),
    "photo.avif": lambda: _encoded("AVIF"),
    "drawing.svg": lambda: (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4" fill="red"/></svg>'
    ),
}


@pytest.mark.parametrize("name", GOOD_IMAGES)
def test_every_supported_format_is_accepted_as_it_is(name: str) -> None:
    """Whole files of each format pass the decoder; rasters are published byte for byte."""
    from lessonc.images import checked_image

    data = GOOD_IMAGES[name]()
    checked = checked_image(data, Path(name).suffix)
    if name.endswith(".svg"):
        assert b'<rect width="4" height="4" fill="red"/>' in checked
    else:
        assert checked == data


def test_each_refused_image_is_located_at_its_own_destination(tmp_path: Path) -> None:
    """The column is the destination's, whatever else spells the same path: alt text, a
    reference definition, angle brackets, percent-encoding Markdown adds."""
    from lessonc.pipeline import InvalidLesson, load_lesson

    text = (
        "    text: |\n"
        "      See ![gone/a.png](gone/a.png), ![b][def] and ![c](<gone/my c.png>).\n"
        "      And ![d](gone/café.png) then ![a again](gone/a.png).\n"
        "\n"
        "      [def]: gone/b.png\n"
    )
    path, _ = _chapter_lesson(tmp_path / "lesson", ["placeholder"])
    source = path.read_text(encoding="utf-8")
    source = re.sub(r"    text: 'placeholder'\n", lambda _: text, source)
    path.write_text(source, encoding="utf-8")
    lines = source.splitlines()
    first = next(n for n, line in enumerate(lines, 1) if "See ![" in line)
    expected = [
        (first, lines[first - 1].index("(gone/a.png)") + 2),
        (first, lines[first - 1].index("<gone/my c.png>") + 2),
        (first + 1, lines[first].index("gone/café.png") + 1),
        (first + 1, lines[first].index("gone/a.png") + 1),
        (first + 3, lines[first + 2].index("gone/b.png") + 1),
    ]
    with pytest.raises(InvalidLesson) as caught:
        load_lesson(path)
    found = sorted((d.line, d.col) for d in caught.value.diagnostics if d.code == "file-outside")
    assert found == sorted(expected)
