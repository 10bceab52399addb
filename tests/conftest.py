"""Shared test helpers: the repository's paths and a way to run the CLI in-process."""

from __future__ import annotations

import os
import signal
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from lessonc.cli import main

if TYPE_CHECKING:
    from release_env import Release

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "content" / "foundation-models.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# A run started in the background by a non-interactive shell inherits SIGINT ignored, and
# every child would too (Python then installs no KeyboardInterrupt): the tests that stop a
# server or a build with Ctrl-C need it delivered. A handler, unlike SIG_IGN, is not
# inherited across exec, so children start with the default again.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


# lessonc keeps compiled templates in the user's cache folder. The suite, and every
# lessonc it starts, keeps them in a folder of its own: never in the real home, and
# never from an earlier run or another checkout. Set at import, before any test runs.
_SUITE_CACHE = tempfile.TemporaryDirectory(prefix="lessonc-test-cache-")
os.environ["LESSONC_CACHE_DIR"] = _SUITE_CACHE.name


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(args: Sequence[str], env: dict[str, str] | None = None) -> CliResult:
    """Run ``lessonc ARGS`` in this process and capture what it printed."""
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The sdist and wheel `python -m build` makes, the wheel installed in a fresh venv: once."""
    from release_env import build_and_install

    return build_and_install(tmp_path_factory.mktemp("release"))
