"""--format audio: files read back with soundfile, captions, the feed, voices, the cache."""

from __future__ import annotations

import itertools
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import soundfile
import yaml

from lessonc.model import Lesson
from lessonc.outputs.audio.tracks import plan
from lessonc.speech import DEFAULT_RATE
from outputs.anki_support import fresh_collection, import_package
from outputs.audio_support import EXAMPLE, build, pitch, read_vtt, rms

pytestmark = pytest.mark.slow

CHAPTERS = 4


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example built once (audio and html): its audio folder and its speech cache."""
    root = tmp_path_factory.mktemp("audio")
    done = build(EXAMPLE, root / "out", root / "cache", formats="audio,html")
    assert done.returncode == 0, done.stderr
    return root / "out" / "foundation-models" / "audio", root / "cache"


def _lesson() -> Lesson:
    return Lesson.model_validate(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))


def test_dialogue_chapters_captions_and_feed_are_written(built: tuple[Path, Path]) -> None:
    audio, _ = built
    names = {p.name for p in audio.iterdir()}
    expected = {"dialogue.ogg", "dialogue.vtt", "feed.xml"}
    expected |= {f"chapter-{n}.{ext}" for n in range(1, CHAPTERS + 1) for ext in ("ogg", "vtt")}
    assert names == expected


def test_durations_match_the_words_per_minute_estimate_and_are_not_silent(
    built: tuple[Path, Path],
) -> None:
    audio, _ = built
    for track in plan(_lesson()):
        samples, rate = soundfile.read(audio / f"{track.stem}.ogg", dtype="float64")
        spoken = sum(len(p.spoken.split()) for p in track.pieces) / DEFAULT_RATE * 60
        pauses = sum(p.pause_after for p in track.pieces)
        estimate = spoken + pauses
        seconds = len(samples) / rate
        assert abs(seconds - estimate) / estimate < 0.15, (track.stem, seconds, estimate)
        assert rms(samples) > 0.02, track.stem


def test_dialogue_has_one_cue_per_turn_in_order_within_the_file(
    built: tuple[Path, Path],
) -> None:
    audio, _ = built
    lesson = _lesson()
    assert lesson.dialogue is not None
    turns = [t for scene in lesson.dialogue.scenes for t in scene.turns]
    cues = read_vtt(audio / "dialogue.vtt")
    assert len(cues) == len(turns) == 16
    info = soundfile.info(str(audio / "dialogue.ogg"))
    previous_end = 0.0
    for cue, turn in zip(cues, turns, strict=True):
        assert previous_end <= cue.start < cue.end <= info.duration
        assert cue.voice == lesson.speaker(turn.speaker).name  # type: ignore[union-attr]
        previous_end = cue.end
    # The captions show what is written, not the pronunciation given to the voice.
    assert any("GPT" in c.text for c in cues)
    assert not any("G P T" in c.text for c in cues)


def test_each_chapter_has_a_cue_per_sentence(built: tuple[Path, Path]) -> None:
    audio, _ = built
    for n in range(1, CHAPTERS + 1):
        cues = read_vtt(audio / f"chapter-{n}.vtt")
        assert len(cues) > 5
        assert all(a.end <= b.start for a, b in itertools.pairwise(cues))
        assert cues[0].cue_id == "title-1"


def test_teacher_and_student_voices_differ_in_pitch(built: tuple[Path, Path]) -> None:
    audio, _ = built
    samples, rate = soundfile.read(audio / "dialogue.ogg", dtype="float64")
    by_voice: dict[str, list[float]] = {}
    for cue in read_vtt(audio / "dialogue.vtt"):
        part = samples[int(cue.start * rate) : int(cue.end * rate)]
        by_voice.setdefault(cue.voice, []).append(pitch(part, rate))
    teacher = float(np.median(by_voice["Teacher"]))
    student = float(np.median(by_voice["Student 1"]))
    # The teacher's variant and pitch are well below the first student's.
    assert student > teacher * 1.2, (teacher, student)


def test_feed_lists_every_file_with_its_size_and_relative_url(built: tuple[Path, Path]) -> None:
    audio, _ = built
    channel = ET.fromstring((audio / "feed.xml").read_bytes()).find("channel")
    assert channel is not None
    enclosures = [item.find("enclosure") for item in channel.findall("item")]
    assert len(enclosures) == CHAPTERS + 1
    for enclosure in enclosures:
        assert enclosure is not None
        url = enclosure.get("url", "")
        assert "/" not in url and ":" not in url
        assert int(enclosure.get("length", "0")) == (audio / url).stat().st_size
        assert enclosure.get("type") == "audio/ogg"


def test_two_builds_are_byte_identical(built: tuple[Path, Path], tmp_path: Path) -> None:
    audio, _cache = built
    # A fresh cache too: speaking again must give the same bytes, not only reusing.
    done = build(EXAMPLE, tmp_path / "out", tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    again = tmp_path / "out" / "foundation-models" / "audio"
    for path in audio.iterdir():
        assert (again / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_changed_turn_is_the_only_piece_spoken_again(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    _, cache = built
    mine = tmp_path / "cache"
    shutil.copytree(cache, mine)
    before = set(mine.rglob("*.wav"))
    source = tmp_path / "lesson.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    changed = text.replace("What makes these models so flexible?", "Why are these so flexible?")
    assert changed != text
    source.write_text(changed, encoding="utf-8")
    done = build(source, tmp_path / "out", mine)
    assert done.returncode == 0, done.stderr
    assert len(set(mine.rglob("*.wav")) - before) == 1


def test_mp3_for_older_players(tmp_path: Path) -> None:
    source = tmp_path / "lesson.yaml"
    source.write_text(_small_lesson(), encoding="utf-8")
    done = build(source, tmp_path / "out", tmp_path / "cache", "--audio-format", "mp3")
    assert done.returncode == 0, done.stderr
    audio = tmp_path / "out" / "small" / "audio"
    info = soundfile.info(str(audio / "chapter-1.mp3"))
    assert info.format == "MP3" and info.duration > 1
    assert 'type="audio/mpeg"' in (audio / "feed.xml").read_text(encoding="utf-8")


def test_an_unknown_voice_is_a_located_error(tmp_path: Path) -> None:
    source = tmp_path / "lesson.yaml"
    source.write_text(_small_lesson(voice="nosuchvoice"), encoding="utf-8")
    done = build(source, tmp_path / "out", tmp_path / "cache")
    assert done.returncode == 1
    assert "lesson.yaml:" in done.stderr and "error[speech-failed]" in done.stderr
    assert "nosuchvoice" in done.stderr and "hint:" in done.stderr


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs the espeak-ng command")
def test_speech_command_speaks_with_the_named_program(tmp_path: Path) -> None:
    source = tmp_path / "lesson.yaml"
    source.write_text(_small_lesson(), encoding="utf-8")
    command = "espeak-ng -w {out} -v {voice} -p {pitch} -s {rate} -f {text}"
    done = build(source, tmp_path / "out", tmp_path / "cache", "--speech-command", command)
    assert done.returncode == 0, done.stderr
    samples, rate = soundfile.read(tmp_path / "out" / "small" / "audio" / "dialogue.ogg")
    assert len(samples) / rate > 2 and rms(samples) > 0.02
    failing = build(source, tmp_path / "out2", tmp_path / "cache2", "--speech-command", "false")
    assert failing.returncode == 1 and "error[speech-failed]" in failing.stderr


def test_a_course_speaks_its_lessons_in_parallel_with_the_same_bytes(tmp_path: Path) -> None:
    course = tmp_path / "course"
    course.mkdir()
    for n in (1, 2):
        lesson = yaml.safe_load(_small_lesson(turns=n + 1))
        lesson["id"], lesson["number"] = f"lesson-{n}", f"15.{n}"
        (course / f"lesson-{n}.yaml").write_text(yaml.safe_dump(lesson), encoding="utf-8")
    built = {}
    for jobs in (2, 1):  # each with an empty cache: every piece is spoken
        out = tmp_path / f"jobs-{jobs}"
        done = build(course, out, tmp_path / f"cache-{jobs}", jobs=jobs)
        assert done.returncode == 0, done.stderr
        built[jobs] = {p.relative_to(out): p.read_bytes() for p in out.rglob("audio/*")}
    assert len(built[2]) == 2 * 5  # dialogue, one chapter, their captions, the feed
    assert built[2] == built[1]


def _small_lesson(voice: str | None = None, turns: int = 2) -> str:
    lesson = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    lesson["id"] = "small"
    lesson["dialogue"]["scenes"] = lesson["dialogue"]["scenes"][:1]
    lesson["dialogue"]["scenes"][0]["turns"] = lesson["dialogue"]["scenes"][0]["turns"][:turns]
    lesson["chapters"] = [{"title": "One", "text": "A short chapter. It has two sentences."}]
    if voice:
        lesson["dialogue"]["speakers"][0]["voice"] = {"name": voice}
    return yaml.safe_dump(lesson, allow_unicode=True)


@pytest.mark.anki
def test_glossary_cards_speak_their_term_from_bundled_media(tmp_path: Path) -> None:
    source = tmp_path / "lesson.yaml"
    source.write_text(_small_lesson(), encoding="utf-8")
    done = build(source, tmp_path / "out", tmp_path / "cache", formats="audio,anki")
    assert done.returncode == 0, done.stderr
    with fresh_collection(tmp_path) as collection:
        counts = import_package(collection, tmp_path / "out" / "small" / "deck.apkg")
        assert counts["new"] > 0
        assert collection.db is not None
        terms = collection.db.list(
            "select flds from notes where mid in (select id from notetypes where name = ?)",
            "lessonc Glossary",
        )
        assert len(terms) == 3
        names = []
        for fields in terms:
            match = re.search(r"\[sound:(lessonc-[0-9a-f]{20}\.ogg)\]", fields.split("\x1f")[0])
            assert match, fields
            names.append(match[1])
        media = Path(collection.media.dir())
        for name in names:
            samples, rate = soundfile.read(media / name)
            assert 0.2 < len(samples) / rate < 5 and rms(samples) > 0.02
        # Anki finds every sound the notes name (none missing, none unused).
        check = collection.media.check()
        assert not check.missing and not check.unused


def test_handout_names_the_audio_files_only_when_they_are_built(tmp_path: Path) -> None:
    from pypdf import PdfReader

    source = tmp_path / "lesson.yaml"
    source.write_text(_small_lesson(), encoding="utf-8")
    done = build(source, tmp_path / "out", tmp_path / "cache", formats="audio,pdf,html")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "small"
    text = " ".join(p.extract_text() for p in PdfReader(folder / "handout.pdf").pages)
    assert "audio/dialogue.ogg" in text and "audio/chapter-1.ogg" in text
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert page.count("<audio ") == 2 and "media-src &#39;self&#39;" in page
    # Without the audio format the page and the handout point to nothing.
    done = build(source, tmp_path / "plain", tmp_path / "cache", formats="pdf,html")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "plain" / "small"
    text = " ".join(p.extract_text() for p in PdfReader(folder / "handout.pdf").pages)
    assert "audio/" not in text
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "<audio" not in page and "media-src" not in page and "audio.js" not in page


_NETWORK_PROBE = """
import socket, sys, wave
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=2).close()
    sys.exit("reached the network")
except OSError:
    pass
with wave.open(sys.argv[1], "wb") as out:
    out.setnchannels(1); out.setsampwidth(2); out.setframerate(16000)
    out.writeframes(b"\\x00\\x10" * 16000)
"""


def test_speech_command_runs_without_network_where_linux_allows(tmp_path: Path) -> None:
    import socket

    from lessonc.speech.command import _no_network_prefix

    if not _no_network_prefix():
        pytest.skip("this machine does not let lessonc make a network namespace")
    probe = tmp_path / "probe.py"
    probe.write_text(_NETWORK_PROBE, encoding="utf-8")
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        port = listener.getsockname()[1]
        source = tmp_path / "lesson.yaml"
        source.write_text(_small_lesson(), encoding="utf-8")
        command = f"{sys.executable} {probe} {{out}} {port}"
        done = build(source, tmp_path / "out", tmp_path / "cache", "--speech-command", command)
    finally:
        listener.close()
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "small" / "audio" / "dialogue.ogg").is_file()
