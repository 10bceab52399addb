"""The format registry: which formats exist, found without importing any of them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT
from lessonc import outputs


def test_every_shipped_format_is_available() -> None:
    assert outputs.available_formats() == list(outputs.RENDERERS)


def test_a_format_whose_module_is_missing_is_not_available(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(outputs.RENDERERS, "gone", "lessonc.outputs.gone")
    monkeypatch.setitem(outputs.RENDERERS, "gone-sub", "lessonc.outputs.scorm.gone")
    monkeypatch.setitem(outputs.RENDERERS, "under-a-module", "lessonc.outputs.quiz.gone")
    available = outputs.available_formats()
    assert "gone" not in available
    assert "gone-sub" not in available
    assert "under-a-module" not in available
    assert "scorm12" in available


def test_listing_the_formats_imports_none_of_them() -> None:
    code = (
        "import sys\n"
        "from lessonc.outputs import available_formats\n"
        "available_formats()\n"
        "print(sorted(m for m in sys.modules if m.startswith('lessonc.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.strip() == "['lessonc.outputs']"
