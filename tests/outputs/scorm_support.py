"""Helpers for the SCORM tests: a lesson with one question of each kind, its package, and a
test LMS (a page that offers scorm-again's API to the lesson in an iframe) on 127.0.0.1."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path

import yaml
from tests.outputs.html_support import EPOCH, ROOT, require

from lessonc.outputs import BuildContext, BuildOptions
from lessonc.outputs.scorm import SCORM12, SCORM2004, Version
from lessonc.outputs.scorm import ScormRenderer as _Renderer
from lessonc.pipeline import load_lesson

SCORM_AGAIN = ROOT / "node_modules" / "scorm-again" / "dist"
VERSIONS = {"scorm12": SCORM12, "scorm2004": SCORM2004}


def graded_lesson(folder: Path, pass_percent: int) -> Path:
    """A lesson whose practice has one question of each type, 5 points in all."""
    lesson = {
        "lessonc": 1, "id": "graded", "title": "Graded", "course": "Course",
        "chapter": {"number": 1, "title": "One"}, "number": "1.1", "estimated_minutes": 5,
        "authors": [{"name": "A. Author"}], "objectives": ["Learn."], "tags": ["graded"],
        "summary": {"quick": "Q.", "standard": "S.", "detailed": "D."},
        "chapters": [{"title": "Only", "text": "Text."}],
        "scorm": {"pass_percent": pass_percent},
        "practice": [
            {"id": "pick-one", "type": "single_choice", "points": 2, "prompt": "Pick one.",
             "explanation": "Because.", "choices": [
                 {"id": "right", "text": "Right", "correct": True}, {"id": "wrong", "text": "Wrong"}]},
            {"id": "pick-two", "type": "multiple_choice", "prompt": "Pick two.",
             "explanation": "Because.", "choices": [
                 {"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B", "correct": True},
                 {"id": "c", "text": "C"}]},
            {"id": "is-it", "type": "true_false", "prompt": "Is it?", "answer": True,
             "explanation": "Because."},
            {"id": "name-it", "type": "short_answer", "prompt": "Name it.",
             "accepted": ["Gadget", "Widget"], "explanation": "Because."},
        ],
    }  # fmt: skip
    path = folder / "graded.yaml"
    path.write_text(yaml.safe_dump(lesson, sort_keys=False), encoding="utf-8")
    return path


def package(source: Path, version: Version, epoch: int = EPOCH) -> bytes:
    """The SCORM package of ``source``, made by the renderer as a build would."""
    loaded = load_lesson(source)
    ctx = BuildContext(source=loaded.source, options=BuildOptions(source_date_epoch=epoch))
    artifacts = list(_Renderer(version).render(loaded.lesson, ctx))
    assert not [d for d in ctx.diagnostics if d.is_error]
    [artifact] = artifacts
    return artifact.data


def unpack(data: bytes, folder: Path) -> Path:
    """The package unzipped into ``folder``; returns the folder."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        archive.extractall(folder)
    return folder


def write_lms(root: Path, version: Version) -> Path:
    """Write the LMS page beside the unzipped package (``root/package``)."""
    bundle = SCORM_AGAIN / f"{version.name}.js"
    require(bundle.is_file(), "needs scorm-again: npm install --no-save scorm-again@3")
    (root / "scorm-again.js").write_bytes(bundle.read_bytes())
    (root / "lms.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test LMS</title><link rel="icon" href="data:,">'
        '<script src="scorm-again.js"></script></head>'
        '<body><iframe id="sco" title="Lesson" style="width:1200px;height:700px"></iframe>'
        "</body></html>",
        encoding="utf-8",
    )
    return root / "lms.html"
