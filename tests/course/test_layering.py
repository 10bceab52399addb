"""The course layer sits on top of the lesson layer: the lesson layer never imports it."""

from __future__ import annotations

import json
import subprocess
import sys

# Run in a fresh interpreter: this test process has long since imported everything.
_LOAD_LESSON_LAYER = """
import importlib, json, pkgutil, sys
import lessonc.outputs
import lessonc.pipeline
for module in pkgutil.walk_packages(lessonc.outputs.__path__, "lessonc.outputs."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_the_lesson_pipeline_and_every_output_load_without_the_course_layer() -> None:
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", _LOAD_LESSON_LAYER], capture_output=True, text=True, check=True
        ).stdout
    )
    assert "lessonc.outputs.html" in loaded and "lessonc.outputs.pdf.worker" in loaded
    course_modules = [
        name for name in loaded if name == "lessonc.course" or name.startswith("lessonc.course.")
    ]
    assert course_modules == []
