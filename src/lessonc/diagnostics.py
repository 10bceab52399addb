"""Problems found in a lesson, located in its source, and the ways to print them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem: where it is (1-based line and column), a code, a message and maybe a hint."""

    file: str
    line: int
    col: int
    code: str
    message: str
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format_text(self) -> str:
        """``path:line:col: error[code]: message`` with the hint on its own indented line."""
        where = f"{self.file}:{self.line}:{self.col}"
        text = f"{where}: {self.severity.value}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def format_github(self) -> str:
        """A GitHub Actions workflow command, shown as an annotation on the pull request."""
        command = "error" if self.is_error else "warning"
        message = f"[{self.code}] {self.message}" + (f" (hint: {self.hint})" if self.hint else "")
        return (
            f"::{command} file={_escape_property(self.file)},line={self.line},col={self.col},"
            f"title={_escape_property('lessonc ' + self.code)}::{_escape_data(message)}"
        )

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def display_path(path: Path) -> str:
    """The path as an author typed it: relative to the working folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    return (diagnostic.file, diagnostic.line, diagnostic.col, diagnostic.code)


def format_all(diagnostics: Iterable[Diagnostic], style: str) -> str:
    """All diagnostics in one style: 'text', 'json' or 'github'."""
    ordered = sorted(diagnostics, key=sort_key)
    if style == "json":
        return json.dumps([d.to_json() for d in ordered], indent=2, ensure_ascii=False)
    if style == "github":
        return "\n".join(d.format_github() for d in ordered)
    return "\n".join(d.format_text() for d in ordered)
