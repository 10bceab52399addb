"""Speech speed: seconds of audio lessonc's eSpeak NG engine makes per second of CPU,
beside the ``espeak-ng`` command line speaking the same pieces with the same voices.

Every piece of the example's audio lesson (each turn, each chapter sentence) is
spoken twice, cold (an empty speech cache): once through lessonc's engine (a
helper process that forks a fresh eSpeak NG per piece, for reproducible bytes),
once by running ``espeak-ng -w`` per piece. CPU time is this process's plus its
children's (``getrusage``). Also printed: the CPU of encoding the files (Opus,
MP3) and of a warm rebuild (everything from the cache), which the command line
has no counterpart for.

Target: lessonc's CPU per second of audio <= 1.2x the command line's.
Needs the ``espeak-ng`` command (Debian: espeak-ng; scripts/system-deps.sh --test).
Run from the repository root: ``python bench/bench_audio.py``.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile
import yaml

from lessonc.model import Lesson
from lessonc.outputs.audio.encode import encode, resample
from lessonc.outputs.audio.tracks import plan
from lessonc.speech import VoiceSpec
from lessonc.speech.cache import SpeechCache
from lessonc.speech.espeak import EspeakEngine

EXAMPLE = Path(__file__).resolve().parents[1] / "content" / "foundation-models.yaml"


def cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pieces(engine: EspeakEngine) -> list[tuple[str, VoiceSpec]]:
    lesson = Lesson.model_validate(yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))
    speakers = lesson.dialogue.speakers if lesson.dialogue else []
    found = []
    for track in plan(lesson):
        for piece in track.pieces:
            same = [s.id for s in speakers if s.role == piece.role]
            index = (
                same.index(piece.speaker.id) if piece.speaker and piece.speaker.id in same else 0
            )
            voice = engine.voice_for(lesson.language, piece.role, piece.speaker, index)
            found.append((piece.spoken, voice))
    return found


def main() -> None:
    command = shutil.which("espeak-ng")
    if command is None:
        sys.exit("needs the espeak-ng command: apt-get install espeak-ng")
    lookup = EspeakEngine()
    work = pieces(lookup)
    lookup.close()
    words = sum(len(text.split()) for text, _ in work)
    with tempfile.TemporaryDirectory() as folder:
        # The helper's CPU (and its forks') counts once it has ended: close it inside.
        start, wall = cpu(), time.perf_counter()
        engine = EspeakEngine()
        cache = SpeechCache(engine, Path(folder) / "cache")
        spoken = [cache.speak(text, voice) for text, voice in work]
        engine.close()
        lessonc_cpu, lessonc_wall = cpu() - start, time.perf_counter() - wall
        seconds = sum(s.seconds for s in spoken)

        start = cpu()
        cli_seconds = 0.0
        for n, (text, voice) in enumerate(work):
            out = Path(folder) / f"{n}.wav"
            subprocess.run(
                [command, "-w", str(out), "-v", voice.name, "-p", str(voice.pitch),
                 "-s", str(voice.rate), "--", text],
                check=True, capture_output=True,
            )  # fmt: skip
            cli_seconds += soundfile.info(str(out)).duration
        cli_cpu = cpu() - start

        start = cpu()
        engine = EspeakEngine()
        cache = SpeechCache(engine, Path(folder) / "cache")
        again = [cache.speak(text, voice) for text, voice in work]
        engine.close()
        warm_cpu = cpu() - start
        assert all(
            a.samples.tobytes() == b.samples.tobytes() for a, b in zip(again, spoken, strict=True)
        )

        joined = [resample(s.samples, s.sample_rate) for s in spoken]
        encoding = {}
        for audio_format in ("ogg", "mp3"):
            start = cpu()
            for samples in joined:
                encode(samples, audio_format)
            encoding[audio_format] = cpu() - start

    print(f"example: {len(work)} pieces, {words} words")
    print(f"{'case':48} {'audio s':>8} {'CPU s':>7} {'audio s / CPU s':>16}")
    print(f"{'lessonc engine (fork per piece), cold':48} {seconds:8.1f} {lessonc_cpu:7.2f} "
          f"{seconds / lessonc_cpu:16.1f}")  # fmt: skip
    print(f"{'espeak-ng command, one run per piece':48} {cli_seconds:8.1f} {cli_cpu:7.2f} "
          f"{cli_seconds / cli_cpu:16.1f}")  # fmt: skip
    print(f"{'lessonc engine, warm (speech cache)':48} {seconds:8.1f} {warm_cpu:7.2f} "
          f"{seconds / warm_cpu:16.1f}")  # fmt: skip
    for audio_format, spent in encoding.items():
        print(
            f"{'encoding ' + audio_format:48} {seconds:8.1f} {spent:7.2f} {seconds / spent:16.1f}"
        )
    ratio = (lessonc_cpu / seconds) / (cli_cpu / cli_seconds)
    print(
        f"lessonc CPU per audio second / command line's: {ratio:.2f}x (target <= 1.2x); "
        f"lessonc wall {lessonc_wall:.2f} s"
    )


if __name__ == "__main__":
    main()
