"""Generated lessons: valid ones build in every format into outputs that pass their own
validators; broken ones fail with exit 1 and a located error. Never a traceback."""

from __future__ import annotations

import json
import re
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from conftest import ROOT, run_cli
from fuzz.strategies import invalid_lessons, valid_lessons
from lessonc.course.build_run import build
from lessonc.outputs import BuildOptions

QUIZ_SCHEMA = json.loads((ROOT / "schema" / "quiz.schema.json").read_text(encoding="utf-8"))
FAST = ("html", "anki", "quiz", "gift", "qti", "scorm12", "scorm2004")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


def _fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        # Explaining a failure replays it a thousand times: minutes a CI run cannot spend.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    )


class _Balance(HTMLParser):
    """Checks a page's elements nest and close; html.parser alone accepts anything."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.problems: list[str] = []
        self.seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.add(tag)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.open[-1] if self.open else '-'}>")
        else:
            self.open.pop()


def _check_html(page: str) -> None:
    checker = _Balance()
    checker.feed(page)
    checker.close()
    assert checker.problems == [] and checker.open == [], checker.problems[:5]
    assert {"html", "head", "body", "main"} <= checker.seen


def _write(folder: Path, data: dict[str, Any]) -> Path:
    path = folder / "lesson.yaml"
    # JSON is YAML; ensure_ascii=False keeps astral characters out of \\u escape pairs.
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _build_and_check(data: dict[str, Any], formats: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        path = _write(folder, data)
        report = build([path], folder / "out", formats, BuildOptions(source_date_epoch=1))
        assert report.ok, [d.format_text() for d in report.all_diagnostics if d.is_error]
        out = folder / "out" / data["id"]
        if "quiz" in formats:
            quiz = json.loads((out / "quiz.json").read_text(encoding="utf-8"))
            jsonschema.validate(quiz, QUIZ_SCHEMA)
        if "html" in formats:
            _check_html((out / "index.html").read_text(encoding="utf-8"))
        if "anki" in formats:
            with zipfile.ZipFile(out / "deck.apkg") as deck:
                assert "collection.anki2" in deck.namelist()
                assert deck.testzip() is None
        if "qti" in formats:
            with zipfile.ZipFile(out / "quiz-qti.zip") as qti:
                assert "imsmanifest.xml" in qti.namelist()
        for scorm in ("scorm12", "scorm2004"):
            if scorm in formats:
                with zipfile.ZipFile(out / f"{data['id']}-{scorm}.zip") as package:
                    # The manifest is well-formed XML that lists every other file.
                    root = ET.fromstring(package.read("imsmanifest.xml"))
                    listed = {e.get("href") for e in root.iter() if e.tag.endswith("}file")}
                    assert listed == set(package.namelist()) - {"imsmanifest.xml"}
        if "pdf" in formats:
            assert (out / "handout.pdf").read_bytes().startswith(b"%PDF-")


@_fuzz_settings(40)
@given(valid_lessons())
def test_generated_lessons_build_in_every_fast_format(data: dict[str, Any]) -> None:
    _build_and_check(data, FAST)


def _within_the_fonts(node: Any) -> Any:
    """The data with every character beyond Latin Extended-B replaced: the PDF's fonts stop there."""
    if isinstance(node, dict):
        return {k: _within_the_fonts(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_within_the_fonts(v) for v in node]
    if isinstance(node, str):
        return "".join(c if ord(c) < 0x250 else "0" if c.isdigit() else "x" for c in node)
    return node


@pytest.mark.slow
@_fuzz_settings(3)
@given(valid_lessons().map(_within_the_fonts))
def test_generated_lessons_build_a_pdf(data: dict[str, Any]) -> None:
    _build_and_check(data, ("pdf",))


@pytest.mark.slow
def test_a_character_outside_the_fonts_builds_with_a_located_warning() -> None:
    # A private-use character of plane 15: no font package covers it, whatever scripts'
    # fonts the machine has (a rare Arabic letter was covered once Noto was installed).
    data = {
        "id": "glyphs", "title": "Glyphs", "course": "C", "chapter": {"number": 1, "title": "\U000f0000"},
        "number": "1", "estimated_minutes": 1, "authors": [{"name": "A"}], "objectives": ["o"],
        "summary": {"quick": "q", "standard": "s", "detailed": "d"},
        "chapters": [{"title": "t", "text": "x"}],
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as temporary:
        path = _write(Path(temporary), data)
        report = build([path], Path(temporary) / "out", ("pdf",), BuildOptions(1))
    assert report.ok, [d.format_text() for d in report.all_diagnostics]
    warnings = [d for d in report.all_diagnostics if d.code == "pdf-missing-glyph"]
    assert warnings and all(d.line > 1 for d in warnings), [d.format_text() for d in warnings]


_LOCATED = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): error\[(?P<code>[a-z-]+)\]", re.M)


@_fuzz_settings(60)
@given(invalid_lessons())
def test_broken_lessons_exit_1_with_a_located_error(case: tuple[dict[str, Any], str]) -> None:
    data, breakage = case
    with tempfile.TemporaryDirectory() as temporary:
        path = _write(Path(temporary), data)
        result = run_cli(["validate", str(path)])
        lines = path.read_text(encoding="utf-8").count("\n") + 1
    assert result.exit_code == 1, (breakage, result.stderr)
    located = list(_LOCATED.finditer(result.stderr))
    assert located, result.stderr
    for match in located:
        assert match["file"].endswith("lesson.yaml")
        assert 1 <= int(match["line"]) <= lines and int(match["col"]) >= 1
    expected = {
        "drop-required": "missing-key",
        "unknown-key": "unknown-key",
        "wrong-type": "wrong-type",
        "bad-enum": "invalid-value",
    }[breakage]
    assert expected in {m["code"] for m in located}, result.stderr
