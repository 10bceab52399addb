"""Constrained fields in words: every pattern of the published schemas has words."""

from __future__ import annotations

from typing import Any

from lessonc.field_words import PATTERNS, label, pattern_problem
from lessonc.schemas import all_schemas


def _patterns(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["pattern"]} if isinstance(node.get("pattern"), str) else set()
        return found.union(*(_patterns(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_patterns(value) for value in node))
    return set()


def test_every_pattern_an_author_can_meet_has_words() -> None:
    # A lesson or course file's patterns: the quiz schema is lessonc's output, not input.
    used = set().union(
        *(_patterns(schema) for name, schema in all_schemas().items() if "quiz" not in name)
    )
    assert used, "no pattern found: the walk is broken"
    assert used - PATTERNS.keys() == set()


def test_labels_name_list_items_from_one() -> None:
    assert label(("number",)) == "'number'"
    assert label(("tags", 0)) == "'tags', item 1"
    assert label(("practice", 3, "single_choice", "tags", 1)) == "'tags', item 2"
    assert label(("words", 0, 2)) == "'words', item 1, item 3"


def test_an_unknown_pattern_falls_back_to_the_fields_description() -> None:
    message, hint = pattern_problem("'code'", "x1", r"^[A-Z]\d$", "code: A room code.")
    assert message == "'code': 'x1' is not in the form this field needs"
    assert hint == "code: A room code. (it must match ^[A-Z]\\d$)"
