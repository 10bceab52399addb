"""Where a character of a YAML scalar's value stands in the file, for diagnostics inside text.

The loader keeps where each scalar starts; a problem inside a long text (an image
reference in the third paragraph) should point at its own line and column. The
value is walked against the source from the scalar's start, undoing what YAML
does to text: indentation and line folding in plain and block scalars, ``''`` in
single-quoted ones, escapes and escaped line breaks in double-quoted ones.
"""

from __future__ import annotations

from bisect import bisect_right

from lessonc.source import Located, PathKey, Position

_ESCAPE_LENGTH = {"x": 4, "u": 6, "U": 10}
"""Source characters of a double-quoted escape that stands for one character; others take 2."""
_SPACE = " \t\n"


class ScalarLocator:
    """Positions inside the scalars of one source (line starts are computed once, on first use)."""

    def __init__(self, source: Located) -> None:
        self._source = source
        self._line_starts: list[int] | None = None

    def position(self, path: PathKey, value: str, offset: int) -> Position:
        """Where ``value[offset]`` is written, for the scalar at ``path`` whose value is
        ``value``; the scalar's start when the walk cannot follow the source exactly."""
        start = self._source.values.get(path)
        if start is None:
            return self._source.position(path)
        starts = self._starts()
        if start.line > len(starts):
            return start
        begin = starts[start.line - 1] + start.col - 1
        index = offset_in_source(self._source.text, begin, value, offset)
        if index is None:
            return start
        line = bisect_right(starts, index)
        return Position(line, index - starts[line - 1] + 1)

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            text = self._source.text
            self._line_starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
        return self._line_starts


def offset_in_source(text: str, begin: int, value: str, offset: int) -> int | None:
    """The index in ``text`` of ``value[offset]``, for the scalar that starts at ``begin``."""
    if not 0 <= offset < len(value) or begin >= len(text):
        return None
    style = text[begin]
    if style in "|>":
        i = text.find("\n", begin) + 1  # the content starts below the header line
        if i == 0:
            return None
    elif style in "'\"":
        i = begin + 1
    else:
        style, i = "plain", begin
    j = 0
    while i < len(text):
        char, wanted = text[i], value[j]
        step = 1
        if style == '"' and char == "\\":
            follower = text[i + 1 : i + 2]
            if follower == "\n":  # an escaped line break stands for nothing
                i += 2
                continue
            step = _ESCAPE_LENGTH.get(follower, 2)
        elif style == "'" and char == "'":
            if text[i + 1 : i + 2] != "'" or wanted != "'":
                return None  # the closing quote: the value ended before the offset
            step = 2
        elif char != wanted:
            if char not in _SPACE:
                return None
            if wanted not in _SPACE:
                i += 1  # indentation, or a line break folded away
                continue
            # A line break folded into a space (or a tab in a literal): one for one.
        if j == offset:
            return i
        i += step
        j += 1
    return None
