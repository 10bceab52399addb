"""The user's cache folder: where it is, and when it is not used."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from lessonc.user_cache import CACHE_ENV, private_folder, user_cache_dir


def test_the_cache_folder_is_chosen_by_variable_then_xdg_then_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "chosen"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert user_cache_dir() == tmp_path / "chosen"
    monkeypatch.delenv(CACHE_ENV)
    assert user_cache_dir() == tmp_path / "xdg" / "lessonc"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert user_cache_dir() == tmp_path / "home" / ".cache" / "lessonc"


def test_a_private_folder_is_made_for_its_owner_alone(tmp_path: Path) -> None:
    folder = private_folder(tmp_path / "a" / "b")
    assert folder == tmp_path / "a" / "b"
    assert stat.S_IMODE(folder.stat().st_mode) & 0o077 == 0


def test_a_folder_that_cannot_be_made_or_that_others_can_write_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("")
    assert private_folder(file) is None
    assert private_folder(file / "below") is None
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert private_folder(shared) is None
