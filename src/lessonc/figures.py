"""Figures: an image alone in its paragraph, shown with a caption, a credit and a width.

The syntax follows Pandoc and Quarto (mdit-py-plugins' attrs plugin reads the braces)::

    ![A sigmoid curve rising from 0 to 1](images/sigmoid.png "The logistic function"){width=medium
    credit="Jane Doe / Wikimedia Commons" licence="CC BY-SA 4.0" source="https://…"}

The bracket is the alt text (what a screen reader says instead of the picture), the
quoted title is the caption everyone reads, and the braces hold the figure's
attributes. An image inside a sentence stays an inline image, as before.

This module knows the syntax (the parser plugin, what each attribute accepts) and
finds the mistakes in it; textwriters.py draws figures, checks.py reports the mistakes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin

WIDTHS = {"small": 40, "medium": 70, "full": 100}
"""Named widths, as a percentage of the text column (of the screen, on a phone)."""
ATTRIBUTES = ("width", "credit", "licence", "source")
"""What a figure's braces may set."""
PERCENT_STEP = 5
_PERCENT = re.compile(r"(\d{1,3})%")
WIDTH_HINT = (
    "write width=small, width=medium, width=full or a percentage of the text column "
    f"from 10% to 100% in steps of {PERCENT_STEP}, e.g. width=60%"
)


def figure_plugin(md: MarkdownIt) -> None:
    """Teach ``md`` attributes after an image and turn a paragraph of one image into a figure."""
    # Only after images: braces after a link or inline code stay text, as they always were.
    attrs_plugin(md, after=("image",))
    md.core.ruler.after("inline", "figures", _figures)


def _figures(state: StateCore) -> None:
    tokens = state.tokens
    for index in range(len(tokens) - 2):
        opening, inline, closing = tokens[index : index + 3]
        if opening.type != "paragraph_open" or opening.hidden or inline.type != "inline":
            continue
        image = _lone_image(inline)
        if image is None or closing.type != "paragraph_close":
            continue
        image.meta["figure"] = True
        for token, kind in ((opening, "figure_open"), (closing, "figure_close")):
            token.type, token.tag = kind, "figure"
            token.meta["image"] = image


def _lone_image(inline: Token) -> Token | None:
    children = [
        c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())
    ]
    if len(children) == 1 and children[0].type == "image":
        return children[0]
    return None


def width_class(width: str | None) -> str | None:
    """The class that sets a figure's width, or None for a width the format does not accept."""
    if width is None:
        return None
    if width in WIDTHS:
        return f"figure-{width}"
    percent = _PERCENT.fullmatch(width)
    if percent is None:
        return None
    value = int(percent.group(1))
    if 10 <= value <= 100 and value % PERCENT_STEP == 0:
        return f"figure-w{value}"
    return None


def attribute(image: Token, name: str) -> str:
    """One of the figure's attributes, stripped ('' when not given)."""
    value = image.attrs.get(name)
    return value.strip() if isinstance(value, str) else ""


def caption(image: Token) -> str:
    """The figure's caption: the image's quoted title."""
    return attribute(image, "title")


@dataclass(frozen=True)
class Problem:
    """A mistake in an image's syntax: where in the text, the diagnostic code, what and how."""

    offset: int
    code: str
    message: str
    hint: str | None = None
    warning: bool = False
    """Only a lint warning: an image written before figures had attributes must keep building."""


@dataclass
class _Image:
    token: Token
    unread: str = ""
    """Braces right after the image that the attrs plugin could not read."""
    in_figure: bool = False


def problems(text: str, tree: list[Token] | tuple[Token, ...]) -> Iterator[Problem]:
    """The mistakes in every image of ``text`` (parsed as ``tree``), located in ``text``."""
    cursor = 0
    for image in _images(tree):
        anchor = text.find("![", cursor)
        anchor = anchor if anchor >= 0 else cursor
        cursor = anchor + 2
        yield from _image_problems(text, anchor, image)


def _images(tokens: list[Token] | tuple[Token, ...]) -> Iterator[_Image]:
    for token in tokens:
        children = token.children or []
        for index, child in enumerate(children):
            if child.type != "image":
                continue
            following = children[index + 1] if index + 1 < len(children) else None
            unread = ""
            if following is not None and following.type == "text" and following.content[:1] == "{":
                unread = following.content.split("\n", 1)[0]
            yield _Image(child, unread, bool(child.meta.get("figure")))


def _image_problems(text: str, anchor: int, found: _Image) -> Iterator[Problem]:
    image = found.token
    given = [name for name in image.attrs if name not in ("src", "alt", "title")]
    braces = text.find("{", anchor)
    at_braces = braces if braces >= 0 else anchor

    def at(name: str) -> int:
        spot = text.find(name, at_braces)
        return spot if spot >= 0 else at_braces

    if found.unread:
        yield Problem(
            at_braces, "figure-attribute",
            f"the attributes '{found.unread[:60]}' after this image cannot be read",
            'write them as {width=medium credit="Name" licence="CC BY 4.0"}: '
            "quote values that hold spaces, and close every quote and the brace",
        )  # fmt: skip
    if not image.content.strip():
        yield Problem(
            anchor, "figure-alt",
            "this image has no alt text: a reader who cannot see it gets nothing",
            "describe the picture between the brackets: ![A sigmoid curve rising from 0 to 1](…)",
            warning=not given,
        )  # fmt: skip
    if not given:
        return
    if not found.in_figure:
        yield Problem(
            at_braces, "figure-attribute",
            f"attributes ({', '.join(given)}) apply only to a figure, and this image is "
            "inside a sentence",
            "put the image alone in a paragraph of its own (blank lines around it)",
        )  # fmt: skip
        return
    for name in given:
        if name not in ATTRIBUTES:
            shown = {"class": "a class (.name)", "id": "an id (#name)"}.get(name, f"'{name}'")
            hint = f"a figure takes {', '.join(ATTRIBUTES)}"
            if name == "caption":
                hint = 'the caption is the image\'s title: ![alt text](file.png "Caption")'
            message = f"{shown} is not an attribute a figure takes"
            yield Problem(at(name), "figure-attribute", message, hint)
    width = image.attrs.get("width")
    if isinstance(width, str) and width_class(width.strip()) is None:
        yield Problem(at("width"), "figure-width", f"'{width}' is not a width", WIDTH_HINT)
    credit, licence, source = (attribute(image, n) for n in ("credit", "licence", "source"))
    if bool(credit) != bool(licence):
        missing, present = ("licence", "credit") if credit else ("credit", "licence")
        yield Problem(
            at(present), "figure-credit",
            f"the figure names a {present} but no {missing}",
            'a credit goes with its licence: credit="Jane Doe / Wikimedia Commons" '
            'licence="CC BY-SA 4.0" (write licence="public domain" when there is none)',
        )  # fmt: skip
    if source and not re.match(r"https?://", source):
        yield Problem(
            at("source"), "figure-credit",
            f"source '{source[:60]}' is not an http(s) address",
            "source is the web page the image comes from, e.g. https://commons.wikimedia.org/…",
        )  # fmt: skip
    elif source and not credit:
        yield Problem(
            at("source"), "figure-credit", "the figure names a source but no credit",
            "the source links the credit line: give credit= and licence= too",
        )  # fmt: skip
