"""The record of output files' stats: a rebuild trusts a file's recorded hash only while its
stat is unchanged, and any write, even one that keeps the size and puts the time back, is
seen."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import FIXTURES
from lessonc.cache import file_sha256
from lessonc.course.build_run import build
from lessonc.output_stats import SETTLED_NS, OutputStats
from lessonc.outputs import BuildOptions

COURSE = FIXTURES / "course" / "lessons"
OPTIONS = BuildOptions(source_date_epoch=1_700_000_000)
AN_HOUR_AGO = time.time() - 3600


class CountingHash:
    """file_sha256, counting the files it really reads."""

    def __init__(self) -> None:
        self.read: list[Path] = []

    def __call__(self, path: Path) -> str:
        self.read.append(path)
        return file_sha256(path)


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("LESSONC_CACHE_DIR", str(folder))
    return folder


def settled(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    return path


def hash_and_record(out: Path, page: Path) -> None:
    """Look ``page`` up once in a fresh record of ``out``, and save that record."""
    stats = OutputStats(out, file_sha256)
    stats.sha256(page)
    stats.save()


def test_a_settled_file_is_hashed_once_then_taken_from_the_record(
    tmp_path: Path, cache_folder: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    page = settled(out / "index.html", b"<p>one</p>")
    first = CountingHash()
    stats = OutputStats(out, first)
    assert stats.sha256(page) == file_sha256(page)
    stats.save()
    assert first.read == [page]
    again = CountingHash()
    assert OutputStats(out, again).sha256(page) == file_sha256(page)
    assert again.read == []


def test_a_write_that_keeps_size_and_time_is_still_seen(tmp_path: Path, cache_folder: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    page = settled(out / "index.html", b"<p>one</p>")
    hash_and_record(out, page)
    time.sleep(0.01)  # the change time moves on even with the modification time put back
    settled(page, b"<p>two</p>")
    assert OutputStats(out, file_sha256).sha256(page) == file_sha256(page)


def test_a_file_written_just_now_is_not_recorded(tmp_path: Path, cache_folder: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    page = out / "index.html"
    page.write_bytes(b"<p>new</p>")
    assert time.time_ns() - page.stat().st_mtime_ns < SETTLED_NS
    hash_and_record(out, page)
    again = CountingHash()
    OutputStats(out, again).sha256(page)
    assert again.read == [page]  # within the clock's reach of a write: hashed every time


def test_a_damaged_record_means_hashing(tmp_path: Path, cache_folder: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    page = settled(out / "index.html", b"<p>one</p>")
    hash_and_record(out, page)
    for record in (cache_folder / "output-stats").iterdir():
        record.write_bytes(b'{"version": 1, "root": 7, "files": [')
    again = CountingHash()
    assert OutputStats(out, again).sha256(page) == file_sha256(page)
    assert again.read == [page]


def test_a_rebuild_reads_no_settled_output_and_still_rebuilds_a_tampered_lesson(
    tmp_path: Path, cache_folder: Path
) -> None:
    out = tmp_path / "out"
    assert build([COURSE], out, ["html", "quiz"], OPTIONS).ok
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    first = build([COURSE], out, ["html", "quiz"], OPTIONS)  # hashes, and records
    assert first.ok and all(result.status == "skipped" for result in first.results)
    records = list((cache_folder / "output-stats").iterdir())
    assert len(records) == 1
    quiz = next(out.glob("*/quiz.json"))
    original = quiz.read_bytes()
    tampered = original.replace(b'"', b"'", 1)
    assert len(tampered) == len(original)
    time.sleep(0.01)
    settled(quiz, tampered)
    again = build([COURSE], out, ["html", "quiz"], OPTIONS)
    rebuilt = [result for result in again.results if result.status != "skipped"]
    assert [result.lesson_id for result in rebuilt] == [quiz.parent.name]
    assert quiz.read_bytes() == original


def test_a_rebuild_reads_no_settled_source_and_still_sees_an_edited_one(
    tmp_path: Path, cache_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from lessonc.course import build_run

    lessons = tmp_path / "lessons"
    shutil.copytree(COURSE, lessons)
    for source in lessons.glob("*.yaml"):
        os.utime(source, (AN_HOUR_AGO, AN_HOUR_AGO))
    out = tmp_path / "out"
    assert build([lessons], out, ["quiz"], OPTIONS).ok
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    assert build([lessons], out, ["quiz"], OPTIONS).ok  # hashes, and records
    counting = CountingHash()
    monkeypatch.setattr(build_run, "file_sha256", counting)
    again = build([lessons], out, ["quiz"], OPTIONS)
    assert {result.status for result in again.results} == {"skipped"}
    assert counting.read == []
    edited = sorted(lessons.glob("*.yaml"))[0]
    edited.write_text(edited.read_text("utf-8") + "\n# edited\n", "utf-8")
    once_more = build([lessons], out, ["quiz"], OPTIONS)
    assert [r.path for r in once_more.results if r.status == "built"] == [edited]
    assert edited in counting.read
