"""The build cache: keys change with every input that changes an output; outputs are verified."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from lessonc.cache import KeyInputs, is_current, lesson_folders, templates_digest
from lessonc.course.build_run import build
from lessonc.outputs import BuildOptions

LESSON = FIXTURES / "course" / "lessons" / "attention.yaml"
OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)


def test_each_option_changes_the_key() -> None:
    base = KeyInputs("t", "a4", None)
    key = base.key("sha", "pdf", 1)
    variants = [
        base.key("other-sha", "pdf", 1),
        base.key("sha", "html", 1),
        base.key("sha", "pdf", 2),
        KeyInputs("t2", "a4", None).key("sha", "pdf", 1),
        KeyInputs("t", "letter", None).key("sha", "pdf", 1),
        KeyInputs("t", "a4", 7).key("sha", "pdf", 1),
        KeyInputs("t", "a4", None, in_course=True).key("sha", "pdf", 1),
        KeyInputs("t", "a4", None, edition="teacher").key("sha", "pdf", 1),
    ]
    assert key not in variants
    assert len(set(variants)) == len(variants)
    # A student build keeps the keys it had before editions existed (and its manifest bytes).
    assert KeyInputs("t", "a4", None, edition="student").key("sha", "pdf", 1) == key


def test_user_templates_change_the_digest(tmp_path: Path) -> None:
    builtin_only = templates_digest(())
    assert templates_digest(()) == builtin_only
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "lesson.html.j2").write_text("x", encoding="utf-8")
    with_user = templates_digest((tmp_path,))
    assert with_user != builtin_only
    (tmp_path / "html" / "lesson.html.j2").write_text("y", encoding="utf-8")
    assert templates_digest((tmp_path,)) != with_user


def test_the_starter_is_not_part_of_the_digest_but_every_rendered_template_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lessonc import cache

    builtin = tmp_path / "templates"
    shutil.copytree(cache._builtin_templates(), builtin)
    monkeypatch.setattr(cache, "_builtin_templates", lambda: builtin)
    before = templates_digest(())
    (builtin / "new" / "lesson.yaml").write_text("title: edited starter\n", encoding="utf-8")
    assert templates_digest(()) == before  # editing `lessonc new`'s starter rebuilds nothing
    (builtin / "html" / "base.html.j2").write_text("{# edited #}", encoding="utf-8")
    assert templates_digest(()) != before


def test_manifest_records_keys_and_detects_tampering(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build([LESSON], out, ["quiz", "html"], OPTIONS).ok
    folders = lesson_folders(out)
    folder, manifest = folders["attention"]
    inputs = KeyInputs(templates_digest(()), "a4", None)
    keys = inputs.keys(manifest["source"]["sha256"], ["quiz", "html"], 1_700_000_000)
    assert is_current(folder, manifest, keys)
    assert not is_current(folder, manifest, {**keys, "quiz": "stale"})
    assert not is_current(folder, manifest, {**keys, "anki": "never built"})
    (folder / "quiz.json").write_bytes(b"{}")
    assert not is_current(folder, manifest, keys)


def test_only_folders_with_their_own_manifest_count(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert build([LESSON], out, ["quiz"], OPTIONS).ok
    shutil.copytree(out / "attention", out / "renamed")  # manifest names another lesson
    (out / "mine").mkdir()
    assert list(lesson_folders(out)) == ["attention"]
