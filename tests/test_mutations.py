"""Hypothesis mutates the example lesson; lessonc answers with located diagnostics, never a traceback."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLE
from lessonc.model import Lesson
from lessonc.source import SourceError, loads
from lessonc.validation import validate

BASE: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
REQUIRED = [name for name, field in Lesson.model_fields.items() if field.is_required()]
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
    st.text(max_size=20), st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)  # fmt: skip


def paths_of(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_of(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths_of(value, (*path, index))
    return found


ALL_PATHS = [p for p in paths_of(BASE) if p]


def parent_of(data: Any, path: tuple[Any, ...]) -> Any:
    for segment in path[:-1]:
        data = data[segment]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(ALL_PATHS))
        try:
            parent = parent_of(data, path)
            parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        action = draw(st.sampled_from(["drop", "swap", "duplicate", "rename"]))
        if action == "drop":
            del parent[path[-1]]
        elif action == "swap":
            parent[path[-1]] = draw(ODD_VALUES)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
        elif action == "rename" and isinstance(parent, dict):
            parent[str(path[-1]) + draw(st.sampled_from(["s", "_", "x"]))] = parent.pop(path[-1])
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_give_diagnostics_never_tracebacks(data: dict[str, Any]) -> None:
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
    line_count = text.count("\n") + 1
    try:
        located = loads(text.encode(), Path("m.yaml"))
    except SourceError as error:
        assert error.diagnostics
        return
    lesson, problems = validate(located)
    errors = [p for p in problems if p.is_error]
    assert (lesson is None) == bool(errors)
    for problem in problems:
        assert 1 <= problem.line <= line_count and problem.col >= 1
        assert problem.message


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(REQUIRED))
def test_dropping_a_required_key_is_reported(key: str) -> None:
    data = copy.deepcopy(BASE)
    del data[key]
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
    lesson, problems = validate(loads(text.encode(), Path("m.yaml")))
    assert lesson is None
    assert any(p.code == "missing-key" and f"'{key}'" in p.message for p in problems)
