"""Where spoken pieces are kept: beside lessonc's other cached work unless told otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from lessonc.speech.cache import CACHE_ENV as SPEECH_CACHE_ENV
from lessonc.speech.cache import default_cache_dir
from lessonc.user_cache import CACHE_ENV


def test_speech_is_cached_in_the_user_cache_folder_unless_its_own_variable_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SPEECH_CACHE_ENV, str(tmp_path / "speech-only"))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "lessonc-cache"))
    assert default_cache_dir() == tmp_path / "speech-only"
    monkeypatch.delenv(SPEECH_CACHE_ENV)
    # One variable moves everything lessonc caches (a CI job points it at its cache).
    assert default_cache_dir() == tmp_path / "lessonc-cache" / "speech"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "lessonc" / "speech"
