"""Positions inside scalars: every style YAML writes text in maps back to the right character."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lessonc.scalars import ScalarLocator
from lessonc.source import SourceError, loads

STYLES = ["", "'", '"', "|", ">"]
TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\n !#:'\"\\"),
    min_size=1,
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, style=st.sampled_from(STYLES), indent=st.integers(2, 6), data=st.data())
def test_every_non_blank_character_maps_to_where_it_is_written(
    text: str, style: str, indent: int, data: st.DataObject
) -> None:
    """PyYAML writes ``text`` in a style (it falls back to another when it must); the locator
    finds each non-blank character of the loaded value on its own line and column, or an
    escape standing for it in double quotes."""
    body = yaml.dump(
        {"outer": {"text": text}}, default_style=style or None, allow_unicode=True, indent=indent
    )
    try:
        source = loads(body.encode(), Path("s.yaml"))
    except SourceError:
        return  # a YAML 1.2 rule of lessonc's refuses what PyYAML (1.1) wrote
    value = source.data["outer"]["text"]
    if not isinstance(value, str) or not value.strip():
        return
    offsets = [i for i, c in enumerate(value) if not c.isspace()]
    offset = data.draw(st.sampled_from(offsets))
    where = ScalarLocator(source).position(("outer", "text"), value, offset)
    lines = body.splitlines()
    written = lines[where.line - 1][where.col - 1 :]
    start = source.values[("outer", "text")]
    style_written = lines[start.line - 1][start.col - 1]
    # An escape stands for its character in double quotes; anything else is the character.
    assert written.startswith(value[offset]) or (
        style_written == '"' and written.startswith("\\")
    ), (body, offset, where)


def test_each_style_points_at_the_image() -> None:
    body = (
        'a: "é \\u00e9 \\"q\\" ![x](a.png)"\n'
        "b: plain words\n  folded ![x](b.png)\n"
        "c: |\n  first\n    ![x](c.png)\n"
        "d: >-\n  x\n  yy\n\n  zz ![x](d.png)\n"
        "e: 'it''s ![x](e.png)'\n"
        'f: "line \\\n   next ![x](f.png)"\n'
    )
    source = loads(body.encode(), Path("s.yaml"))
    locator = ScalarLocator(source)
    lines = body.splitlines()
    for key in "abcdef":
        value = source.data[key]
        where = locator.position((key,), value, value.index(f"({key}.png)") + 1)
        assert lines[where.line - 1][where.col - 1 :].startswith(f"{key}.png)"), key
