"""Spoken pieces kept on disk, keyed by engine, voice, text and options.

A rebuild after one turn changed speaks that turn only: every other piece is
read back from here. The cache lives outside the lesson's folder (the user's
cache folder, or ``LESSONC_SPEECH_CACHE``) so it never enters the source tree
or the build; entries are written to a temporary name and renamed, so lessons
speaking at once in worker processes never read half a file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile

from lessonc.speech import Speech, VoiceSpec
from lessonc.user_cache import user_cache_dir

if TYPE_CHECKING:
    from lessonc.speech import SpeechEngine

CACHE_ENV = "LESSONC_SPEECH_CACHE"


def default_cache_dir() -> Path:
    """``$LESSONC_SPEECH_CACHE``, else ``speech/`` in the user's cache folder (see
    :func:`lessonc.user_cache.user_cache_dir`, which ``$LESSONC_CACHE_DIR`` moves)."""
    if chosen := os.environ.get(CACHE_ENV):
        return Path(chosen)
    return user_cache_dir() / "speech"


class SpeechCache:
    """Speak through an engine, remembering every piece; ``spoken`` counts the misses."""

    def __init__(self, engine: SpeechEngine, root: Path | None = None) -> None:
        self.engine = engine
        self.root = root or default_cache_dir()
        self.identity = engine.identity()
        self.spoken = 0
        self.reused = 0

    def key(self, text: str, voice: VoiceSpec) -> str:
        parts = {"engine": self.identity, "voice": [voice.name, voice.pitch, voice.rate],
                 "text": text}  # fmt: skip
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def speak(self, text: str, voice: VoiceSpec) -> Speech:
        key = self.key(text, voice)
        path = self.root / key[:2] / f"{key}.wav"
        try:
            samples, rate = soundfile.read(path, dtype="int16")
            self.reused += 1
            return Speech(np.asarray(samples, dtype=np.int16), int(rate))
        except (OSError, RuntimeError, soundfile.LibsndfileError):
            pass  # missing or unreadable: speak it again
        speech = self.engine.speak(text, voice)
        self.spoken += 1
        self._store(path, speech)
        return speech

    def _store(self, path: Path, speech: Speech) -> None:
        buffer = io.BytesIO()
        soundfile.write(buffer, speech.samples, speech.sample_rate, format="WAV",
                        subtype="PCM_16")  # fmt: skip
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".new-", dir=path.parent)
            with os.fdopen(handle, "wb") as stream:
                stream.write(buffer.getvalue())
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only costs speed
