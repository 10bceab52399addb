"""The README's promises name tests that exist, and its diagnostics table names every code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_guarantee_names_an_existing_test() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", README)
    assert len(named) >= 15
    for file_name, test_name in named:
        path = ROOT / file_name
        assert path.is_file(), file_name
        functions = {
            n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)
        }
        assert test_name in functions, f"{file_name}::{test_name} does not exist"


def _codes_in(source: Path) -> set[str]:
    """Diagnostic codes: the string after a located diagnostic's path argument."""
    text = source.read_text(encoding="utf-8")
    return set(re.findall(r'diagnostic\(\s*[^,]+,\s*"([a-z]+(?:-[a-z0-9]+)+)"', text)) | set(
        re.findall(r'Diagnostic\(\s*[^,]+,\s*[^,]+,\s*[^,]+,\s*"([a-z]+(?:-[a-z0-9]+)+)"', text)
    )


def test_diagnostics_table_lists_every_code() -> None:
    codes = set().union(*(_codes_in(p) for p in (ROOT / "src" / "lessonc").rglob("*.py")))
    assert len(codes) >= 20
    missing = sorted(c for c in codes if f"`{c}`" not in README)
    assert missing == []
