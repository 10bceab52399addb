"""Plain words for sources that do not read: YAML's syntax errors, and files that are no lesson.

libyaml says what its parser expected ("did not find expected '-' indicator"),
which tells an author who has never read the YAML spec little. The hints here
say what is wrong in an author's terms, from the two places such an error
carries: where the parser gave up (the problem) and where the construct it was
reading starts (the context: the list, mapping or quoted text).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from lessonc.diagnostics import Diagnostic

YAML_SUFFIXES = (".yaml", ".yml")

NOT_A_LESSON_HINT = (
    "a lesson file is YAML with one key a line, starting 'id: photosynthesis', "
    "'title: Photosynthesis', 'course: …'; `lessonc new ID` writes a commented one to start from"
)

_UNEVEN = "the lines around here are not indented consistently"


def not_a_lesson(path: Path, shown: str, errors: list[Diagnostic]) -> list[Diagnostic]:
    """``errors`` of a file that did not read, or one not-a-lesson error for a file that is
    not YAML by its name (a README.md given by mistake): its syntax errors would only mislead."""
    if path.suffix.lower() in YAML_SUFFIXES or not errors:
        return errors
    first = errors[0]
    return [
        Diagnostic(
            shown, 1, 1, "not-a-lesson",
            f"not a lesson file: {path.name} is not YAML (it stops reading as YAML on "
            f"line {first.line})",
            NOT_A_LESSON_HINT,
        )
    ]  # fmt: skip


def syntax_hint(error: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What a YAML syntax error means in plain words, or None when there is nothing to add."""
    problem, context = error.problem or "", error.context or ""
    at, start = _Place(error.problem_mark, lines), _Place(error.context_mark, lines)
    if at.char == "\t" or "\\t" in problem or "tab character" in problem:
        return "indent with spaces; YAML does not allow tabs for indentation"
    if "mapping values are not allowed" in problem:
        return _colon_hint(at, lines)
    if "expected key" in problem:
        return _mapping_hint(at, start)
    if "expected '-' indicator" in problem:
        return _list_hint(at, start)
    if "could not find expected ':'" in problem:
        return (
            f"line {start.line} is neither 'key: value' nor part of the value above it: "
            "add ': ' after its key or, if it continues the text of the line above, "
            "indent it deeper than that line's key"
        )
    if "or ']'" in problem or "or '}'" in problem:
        closing, kind = ("]", "list") if "]" in problem else ("}", "mapping")
        return (
            f"the {kind} opened on line {start.line}, column {start.col} is not closed: "
            f"end it with '{closing}' (put an item holding ',' or '{closing}' in quotes)"
        )
    if "quoted scalar" in context:
        return (
            f"the quoted text that starts on line {start.line}, column {start.col} never ends: "
            'add the closing quote (a quote inside \'…\' is written twice, inside "…" as \\")'
        )
    if "alias" in context or "anchor" in context:
        sign, example = ("*", ' (text: "*bold* words")') if "alias" in context else ("&", "")
        return (
            f"'{sign}' at the start of a value is YAML syntax (an alias or anchor): "
            f"put the whole value in quotes{example}"
        )
    if "directive" in context:
        return "'%' at the start of a line begins a YAML directive: put the text in quotes"
    if "tag handle" in problem:
        return "'!' at the start of a value begins a YAML tag: put the whole value in quotes"
    if "cannot start any token" in problem and at.char:
        return f"a value cannot start with '{at.char}' in YAML: put the whole value in quotes"
    if "block sequence entries are not allowed" in problem:
        return (
            "a list cannot start on the line of its key: put each '- ' item on a line of "
            "its own, below the key and indented"
        )
    if "document start" in problem:
        return f"{_UNEVEN}: the top-level keys must all start in the same column, the first"
    return None


class _Place:
    """A mark as an author sees it: 1-based line and column, the character there, the line."""

    def __init__(self, mark: yaml.Mark | None, lines: list[str]) -> None:
        self.line, self.col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        self.text = lines[self.line - 1] if self.line <= len(lines) else ""
        self.char = self.text[self.col - 1 : self.col]
        self.indent = len(self.text) - len(self.text.lstrip(" ")) + 1
        """The column the line's text starts in."""


def _colon_hint(at: _Place, lines: list[str]) -> str:
    if ": " in at.text[: at.col - 1]:
        return (
            "this value contains ': ', which YAML reads as a second key: put the whole "
            'value in quotes (title: "Part 1: Basics") or write it as a block (|)'
        )
    above = next((t for t in reversed(lines[: at.line - 1]) if t.strip()), "")
    column = len(above) - len(above.lstrip(" ")) + 1
    return (
        f"{_UNEVEN}: this line is indented deeper than the key above it, so YAML reads it "
        f"as more of that key's value; start it in column {column}, like that key, or "
        "leave that key's value empty if this line belongs under it"
    )


def _mapping_hint(at: _Place, start: _Place) -> str:
    if at.col > at.indent:
        return (
            "there is more on this line after its value (text after a closing quote?): "
            "put the whole value in quotes, or move the rest to a line of its own"
        )
    if at.char == "-" and at.col == start.col:
        return (
            f"a list item where the mapping that starts on line {start.line} expects a key "
            f"(in column {start.col}): a list is the value of a key, so put it under "
            "'key:' and indent it"
        )
    return (
        f"{_UNEVEN}: this line starts in column {at.col}, but the keys of its mapping "
        f"(from line {start.line}) start in column {start.col}; the keys of one mapping, "
        "and the items of one list, start in the same column"
    )


def _list_hint(at: _Place, start: _Place) -> str:
    rest = start.text[start.col :]
    item = start.col + 1 + len(rest) - len(rest.lstrip(" "))
    if at.col == start.col:
        return (
            f"this line is in the column of the list's '- ' items (column {start.col}, the "
            f"list from line {start.line}) but is not an item: start it with '- ', indent it "
            "under an item, or move it left to the column of the key that holds the list"
        )
    if start.col < at.col < item:
        return (
            f"{_UNEVEN}: this line starts in column {at.col}, between the list's '-' "
            f"(column {start.col}) and the keys of its items (column {item}): items of one "
            f"list, and the keys of one item, must start in the same column"
        )
    return f"{_UNEVEN}: items of one list or mapping must start in the same column"
