"""The glossary's terms spoken, for the Anki deck's ``[sound:…]`` (with ``--format audio``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lessonc.outputs import BuildContext, RenderError
from lessonc.outputs.audio.encode import encode, resample
from lessonc.outputs.audio.tracks import narrator
from lessonc.speech import SpeechError
from lessonc.speech.cache import SpeechCache
from lessonc.speech.text import apply_pronunciations, speakable

if TYPE_CHECKING:
    from lessonc.model import Lesson


def spoken_terms(lesson: Lesson, ctx: BuildContext) -> list[tuple[bytes, str]]:
    """Each glossary entry's term as an audio file (bytes, suffix), in glossary order."""
    from lessonc.outputs.audio import HINT, engine_for

    sounds: list[tuple[bytes, str]] = []
    suffix = f".{ctx.options.audio_format}"
    try:
        cache = SpeechCache(engine_for(ctx))
        voice = cache.engine.voice_for(lesson.language, "narrator", narrator(lesson))
    except SpeechError as error:
        ctx.diagnostics.append(ctx.source.diagnostic((), "speech-failed", str(error), HINT))
        raise RenderError from None
    for index, entry in enumerate(lesson.glossary):
        said = apply_pronunciations(speakable(entry.term, lesson.language), lesson.pronunciations)
        try:
            speech = cache.speak(said, voice)
        except SpeechError as error:
            where = ("glossary", index, "term")
            ctx.diagnostics.append(ctx.source.diagnostic(where, "speech-failed", str(error), HINT))
            raise RenderError from None
        sounds.append((encode(resample(speech.samples, speech.sample_rate),
                              ctx.options.audio_format), suffix))  # fmt: skip
    return sounds
