"""``--format audio``: the dialogue and every chapter spoken, with captions and a podcast feed.

Writes ``audio/dialogue.<ext>``, ``audio/chapter-<n>.<ext>``, a ``.vtt`` beside each
and ``audio/feed.xml``. Speech comes from an engine (:mod:`lessonc.speech`) through
the speech cache, so a rebuild speaks only what changed; the files are encoded
here with fixed container fields so a rebuild is byte-identical.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from lessonc.outputs import Artifact, BuildContext, RenderError
from lessonc.outputs.audio.captions import Cue, FeedItem, feed, webvtt
from lessonc.outputs.audio.encode import FORMATS, SAMPLE_RATE, encode, resample
from lessonc.outputs.audio.tracks import Piece, Track, plan
from lessonc.speech import SpeechEngine, SpeechError, VoiceSpec
from lessonc.speech.cache import SpeechCache
from lessonc.speech.text import speakable

if TYPE_CHECKING:
    from lessonc.model import Lesson

FOLDER = "audio"


def engine_for(ctx: BuildContext) -> SpeechEngine:
    """The engine the build asked for: a command only when the CLI allowed one."""
    if ctx.options.speech_command:
        from lessonc.speech.command import CommandEngine

        return CommandEngine(ctx.options.speech_command)
    from lessonc.speech.espeak import EspeakEngine

    return EspeakEngine()


def audio_files(lesson: Lesson, audio_format: str) -> list[tuple[str, str]]:
    """(file name, title) of each audio file the lesson gets, for the page and the handout."""
    return [(f"{FOLDER}/{t.stem}.{audio_format}", t.title) for t in plan(lesson)]


class AudioRenderer:
    name = "audio"

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterable[Artifact]:
        audio_format = ctx.options.audio_format
        try:
            cache = SpeechCache(engine_for(ctx))
        except SpeechError as error:
            ctx.diagnostics.append(ctx.source.diagnostic((), "speech-failed", str(error), HINT))
            raise RenderError from None
        artifacts: list[Artifact] = []
        items: list[FeedItem] = []
        for track in plan(lesson):
            samples, cues = self._speak(track, lesson, cache, ctx)
            data = encode(samples, audio_format)
            name = f"{track.stem}.{audio_format}"
            artifacts.append(Artifact(f"{FOLDER}/{name}", data))
            artifacts.append(Artifact(f"{FOLDER}/{track.stem}.vtt", webvtt(cues)))
            seconds = len(samples) / SAMPLE_RATE
            mime = FORMATS[audio_format][2]
            guid = f"{lesson.id}/{track.stem}"
            items.append(FeedItem(track.title, name, len(data), mime, seconds, guid))
        description = speakable(lesson.summary.quick, lesson.language)
        artifacts.append(
            Artifact(f"{FOLDER}/feed.xml", feed(lesson.title, description, lesson.language,
                                                ctx.options.source_date_epoch, items))
        )  # fmt: skip
        return artifacts

    def _speak(
        self, track: Track, lesson: Lesson, cache: SpeechCache, ctx: BuildContext
    ) -> tuple[np.ndarray, list[Cue]]:
        chunks: list[np.ndarray] = []
        cues: list[Cue] = []
        position = 0
        voices: dict[str, VoiceSpec] = {}
        for piece in track.pieces:
            try:
                key = piece.speaker.id if piece.speaker else f"role:{piece.role}"
                if key not in voices:
                    voices[key] = cache.engine.voice_for(
                        lesson.language, piece.role, piece.speaker, _role_index(lesson, piece)
                    )
                speech = cache.speak(piece.spoken, voices[key])
            except SpeechError as error:
                ctx.diagnostics.append(
                    ctx.source.diagnostic(piece.where, "speech-failed", str(error), HINT)
                )
                raise RenderError from None
            samples = resample(speech.samples, speech.sample_rate)
            cues.append(Cue(piece.cue_id, position / SAMPLE_RATE,
                            (position + len(samples)) / SAMPLE_RATE, piece.voice_tag,
                            piece.caption))  # fmt: skip
            silence = np.zeros(int(piece.pause_after * SAMPLE_RATE), dtype=np.int16)
            chunks += [samples, silence]
            position += len(samples) + len(silence)
        joined = np.concatenate(chunks) if chunks else np.zeros(SAMPLE_RATE, dtype=np.int16)
        return joined, cues


def _role_index(lesson: Lesson, piece: Piece) -> int:
    """Which of the speakers of its role this one is: each gets another voice."""
    if lesson.dialogue is None or piece.speaker is None:
        return 0
    same = [s.id for s in lesson.dialogue.speakers if s.role == piece.role]
    return same.index(piece.speaker.id) if piece.speaker.id in same else 0


HINT = (
    "check the lesson's language and the speakers' voice names "
    "(eSpeak NG lists its voices with `espeak-ng --voices`)"
)

RENDERER = AudioRenderer()
