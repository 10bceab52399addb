"""Compiled templates on disk: a fresh process loads them, anything doubtful is compiled again."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, ROOT
from lessonc import templating
from lessonc.template_cache import CompiledTemplates
from lessonc.user_cache import CACHE_ENV


def _cache_files(cache_root: Path) -> dict[str, tuple[int, int]]:
    """Each compiled template's file and what would change were it written again."""
    found = {}
    for path in cache_root.glob("templates/*/*.code"):
        status = path.stat()
        found[path.name] = (status.st_ino, status.st_mtime_ns)
    return found


def _build_html(out: Path, cache_root: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "SOURCE_DATE_EPOCH": "1700000000",
        CACHE_ENV: str(cache_root),
    }
    command = [sys.executable, "-m", "lessonc", "build", str(EXAMPLE), "-o", str(out), "-f", "html"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_a_second_process_takes_the_compiled_templates_from_the_cache_folder(
    tmp_path: Path,
) -> None:
    cache_root = tmp_path / "cache"
    _build_html(tmp_path / "first", cache_root)
    written = _cache_files(cache_root)
    assert len(written) >= 10  # the page and its partials

    _build_html(tmp_path / "second", cache_root)
    # A template compiled again is written again (a new file renamed into place): every
    # file being the very same one shows the second process compiled nothing.
    assert _cache_files(cache_root) == written
    page = Path("foundation-models", "index.html")
    assert (tmp_path / "second" / page).read_bytes() == (tmp_path / "first" / page).read_bytes()


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(root))
    return root


def _render_fresh(name: str, theme: Path | None = None) -> str:
    """Render a page template as a new process would: nothing compiled in memory yet."""
    env = templating.environment("html", [theme] if theme else [])
    env.bytecode_cache = CompiledTemplates()
    return env.get_template(name).render(x="X")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-10] + bytes(10), id="zeroed-tail"),
        pytest.param(lambda data: b"not a compiled template at all", id="garbage"),
        pytest.param(lambda data: b"", id="empty"),
    ],
)
def test_a_damaged_cache_file_is_ignored_and_written_anew(
    tmp_path: Path, cache_root: Path, damage: object
) -> None:
    theme = tmp_path / "theme"
    (theme / "html").mkdir(parents=True)
    (theme / "html" / "page.j2").write_text(
        "<p>{{ x }}</p>{% for i in [1, 2] %}{{ i }}{% endfor %}"
    )
    assert _render_fresh("page.j2", theme) == "<p>X</p>12"
    [path] = cache_root.glob("templates/*/*.code")
    assert callable(damage)
    path.write_bytes(damage(path.read_bytes()))

    assert _render_fresh("page.j2", theme) == "<p>X</p>12"
    before = path.stat()
    assert _render_fresh("page.j2", theme) == "<p>X</p>12"
    assert path.stat().st_ino == before.st_ino  # whole again: loaded, not rewritten


def test_an_edited_template_in_a_user_folder_is_compiled_anew(
    tmp_path: Path, cache_root: Path
) -> None:
    theme = tmp_path / "theme"
    (theme / "html").mkdir(parents=True)
    page = theme / "html" / "page.j2"
    page.write_text("<p>old {{ x }}</p>")
    assert _render_fresh("page.j2", theme) == "<p>old X</p>"
    page.write_text("<p>new {{ x }}</p>")
    assert _render_fresh("page.j2", theme) == "<p>new X</p>"


def test_an_unusable_cache_folder_means_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theme = tmp_path / "theme"
    (theme / "html").mkdir(parents=True)
    (theme / "html" / "page.j2").write_text("<p>{{ x }}</p>")
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv(CACHE_ENV, str(not_a_folder / "cache"))
    assert CompiledTemplates().folder() is None
    assert _render_fresh("page.j2", theme) == "<p>X</p>"


def test_a_cache_folder_other_users_could_write_to_is_not_used(cache_root: Path) -> None:
    cache = CompiledTemplates()
    folder = cache.folder()
    assert folder is not None and folder.is_relative_to(cache_root)
    folder.chmod(folder.stat().st_mode | stat.S_IWOTH)
    assert CompiledTemplates().folder() is None
