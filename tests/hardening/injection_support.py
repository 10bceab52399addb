"""Build a lesson with script payloads in every text field, and scanners for active content."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from conftest import EXAMPLE, FIXTURES
from lessonc.source import PathKey, load
from lessonc.validation import validate

INJECTION = FIXTURES / "injection"
# Fields whose value a pattern or a cross-check fixes: a payload there is a validation
# error, not an injection (ids, enums, language tags, acronym letters).
FIXED_KEYS = frozenset(
    {"id", "speaker", "type", "kind", "role", "level", "language", "license", "number",
     "email", "tags", "acronym", "cue", "words", "lessonc"}
)  # fmt: skip
ACTIVE_TAGS = frozenset(
    {"script", "iframe", "object", "embed", "form", "base", "meta", "link", "style", "svg",
     "math", "frame", "frameset", "applet", "template"}
)  # fmt: skip
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def payloads(name: str = "payloads.txt") -> list[str]:
    lines = (INJECTION / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("# ")]


def _leaves(node: Any, path: PathKey = ()) -> Iterator[tuple[PathKey, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index))
    elif isinstance(node, str):
        yield path, node


def _set(data: Any, path: PathKey, value: str) -> None:
    for segment in path[:-1]:
        data = data[segment]
    data[path[-1]] = value


def poisoned_lesson(folder: Path, rotation: int = 0) -> tuple[Path, int, int]:
    """The example lesson with a payload in every free text field (rotated by ``rotation``).

    Returns the path, how many fields carry a payload and how many had to be given back
    their text because a check refused the payload there (a duplicate, for instance).
    """
    data = load(EXAMPLE).data
    text_payloads, url_payloads = payloads(), payloads("url-payloads.txt")
    poisoned: dict[PathKey, str] = {}
    for number, (path, original) in enumerate(_leaves(data)):
        if any(isinstance(s, str) and s in FIXED_KEYS for s in path):
            continue
        if path[-1] == "url":
            payload = url_payloads[(number + rotation) % len(url_payloads)]
        else:
            # The number keeps every payload unique, so derived ids never collide.
            payload = f"{text_payloads[(number + rotation) % len(text_payloads)]} #{number}"
            if path[-1] == "cloze":
                payload = f"{payload} {{{{c1::{payload}}}}}"
        poisoned[path] = original
        _set(data, path, payload)
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "images").exists():
        shutil.copytree(FIXTURES / "pdf" / "images", folder / "images")
    target = folder / "lesson.yaml"
    restored = 0
    for _ in range(5):
        target.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        located = load(target)
        _, problems = validate(located)
        errors = [p for p in problems if p.is_error]
        if not errors:
            return target, len(poisoned) - restored, restored
        by_position = {(v.line, v.col): k for k, v in located.values.items()}
        for error in errors:
            where = by_position.get((error.line, error.col), ())
            for path in [p for p in poisoned if p[: len(where)] == where]:
                _set(data, path, poisoned.pop(path))
                restored += 1
    raise AssertionError(f"could not make a valid poisoned lesson: {errors[:3]}")


class ActiveContentScanner(HTMLParser):
    """Collects anything in an HTML fragment that could run: tags, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            cleaned = "".join((value or "").split()).lower()
            if name in ("href", "src", "action", "formaction", "data", "xlink:href") and (
                cleaned.startswith(BAD_SCHEMES)
            ):
                self.found.append(f"<{tag} {name}={value}>")


def active_content(fragment: str) -> list[str]:
    scanner = ActiveContentScanner()
    scanner.feed(fragment)
    scanner.close()
    return scanner.found
