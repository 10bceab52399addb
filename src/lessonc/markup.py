"""Lesson text (lessonc's Markdown subset) to safe HTML or plain text: the one place that sanitises.

Every output that shows lesson text as HTML (pages, PDF, Anki fields, quiz
JSON) goes through :func:`to_html` or :func:`to_inline_html`. Each text is parsed
once into a tree (markdown-it tokens, maths taken out before emphasis so its
source is never altered), and each output's writer (textwriters.py) renders
that tree its own way. Two layers keep lesson text inert: markdown-it-py with
raw HTML off (so ``<script>`` becomes visible text), then nh3 with an
allow-list of tags, attributes and URL schemes (:mod:`lessonc.sanitise`), applied
after every writer (so nothing a Markdown construct or a writer produces can carry
script either).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

from markdown_it import MarkdownIt
from markdown_it.token import Token

from lessonc import figures, link_labels
from lessonc.maths_syntax import CALLOUTS, callout_plugins, math_plugins
from lessonc.sanitise import PAGE_CLEANER, PDF_CLEANER, TEXT_ONLY_CLEANER
from lessonc.textwriters import (
    MATH_TOKENS,
    TEXT_WORDS,
    Direction,
    TakenSolution,
    Writer,
    callout_titles,
    inline_words,
    is_display,
    render,
    text_direction,
    turned_direction,
)

__all__ = ["Writer"]  # re-exported: outputs name the writer they want through markup

_OPTIONAL_RULE_SETTINGS = (
    "strikethrough_single_tilde", "tasklists", "tasklists_editable", "alerts",
    "inline_definitions", "store_labels",
)  # fmt: skip
"""markdown-it-py's options that its rules read as ``options.get(name, False)``."""


def _parser(kind: type[MarkdownIt] = MarkdownIt) -> MarkdownIt:
    # "js-default" is CommonMark plus tables and strikethrough with html=False:
    # raw HTML in lesson text is escaped, never passed through.
    md = kind("js-default", {"html": False, "linkify": False, "typographer": False})
    # markdown-it-py's rules ask the options for these with a default, through Mapping.get,
    # which raises and catches a KeyError for an option that is not set: once per inline
    # text for strikethrough alone, a tenth of the page's time. Set, they are found.
    for option in _OPTIONAL_RULE_SETTINGS:
        md.options[option] = False
    # Sub-headings are written `## …` (textwriters puts them below the chapter's own
    # level: the lesson's structure owns h1-h3). Setext underlines stay off: a line of
    # dashes under a sentence is far more often a rule than a heading.
    md.disable(["lheading"])
    # Maths before emphasis and escapes: `x_i*w_i` and `\{` inside a formula stay as written.
    math_plugins(md)
    callout_plugins(md)
    figures.figure_plugin(md)
    # markdown-it-py's link-label scan takes minutes on a text of unclosed '[' or '!['.
    link_labels.install(md)
    return md


_MD = _parser()  # configured once, never mutated: safe to share


class _EveryTarget(MarkdownIt):
    """Keeps every link target: the rendering parser turns ``![x](file:///…)`` and most
    ``data:`` images into plain text, which must be reported, not silently printed."""

    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        return True


_FINDER = _parser(_EveryTarget)


_PLAIN_TEXT = re.compile(
    r"[^\W\d_]"  # a letter of any script first: no list, heading, quote or code block
    r"[\w ,.;:'?()/%!+={}\u2013\u2014\u2019\u201c\u201d\ue000-\uf8ff-]*"
)  # \w is letters and digits of every script, and "_", which is_plain rules out
"""Text that Markdown and the sanitiser both leave exactly as it is: it starts with a letter
(so no list, heading, quote or code block), has none of the characters that start inline
syntax or need escaping (* _ ` [ < > & \\ ~ | # " $) and no line break. ``!`` and ``{`` only
matter after ``[`` (an image and its figure attributes), which plain text never has. The
private-use characters are the flashcards' cloze placeholders. One character class, not
alternatives: the check runs on every text and must stay cheaper than what it saves."""


_PLAIN_ASCII = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;:'?()/%!+={}-]*")
""":data:`_PLAIN_TEXT` for ASCII text (most text, in most lessons): the same strings but
"_", matched from a table of 128 characters rather than by Unicode categories, in under
half the time."""


@lru_cache(maxsize=4096)
def is_plain(text: str) -> bool:
    """Whether Markdown and the sanitiser leave ``text`` as it is: then :func:`to_plain` and
    :func:`to_inline_html` give the text itself and :func:`to_html` one paragraph of it."""
    # Three in four of a lesson's texts (choices, card fronts, titles, short answers) are
    # plain words, and took 60% of the Markdown time; tests hold this shortcut to giving
    # what the full pipeline gives. Cached: a text is asked about by each output that
    # writes it (page, deck, quiz, search index), three times on average, and a regex
    # over a paragraph costs a microsecond.
    return (
        (_PLAIN_ASCII if text.isascii() else _PLAIN_TEXT).fullmatch(text) is not None
        and "_" not in text
        and "  " not in text
        and text[-1] != " "
    )


@lru_cache(maxsize=4096)
def _tree(text: str) -> tuple[Token, ...]:
    # Parsed once per text, whatever writes it: most texts reach several writers (page and
    # search index, card and sort field, quiz and GIFT), and parsing is most of the cost.
    return tuple(_MD.parse(text))


@lru_cache(maxsize=4096)
def _inline_tree(text: str) -> tuple[Token, ...]:
    return tuple(_MD.parseInline(text))


_BLOCK_CONTENT = frozenset(
    {
        "fence", "code_block", "table_open", "figure_open", *MATH_TOKENS,
        *(f"container_{kind}_open" for kind in CALLOUTS),
    }
)  # fmt: skip
"""Blocks that keep their form where inline text is expected (a choice holding code, a
formula, a small table, a figure with its credit or a callout): rendered as blocks rather
than flattened into one line, where their ``:::`` or fences would show as text."""


def _render(
    text: str, writer: Writer, titles: tuple[str, ...], direction: Direction = "ltr"
) -> str:
    # Unsanitised: only for to_html and to_plain, which clean it.
    return render(_tree(text), writer, _MD.options, titles, direction=direction)


def _clean(html: str, writer: Writer = "html") -> str:
    return (PDF_CLEANER if writer == "pdf" else PAGE_CLEANER).clean(html)


# The callouts' default titles are in the lesson's language, and a block turns against
# the lesson's direction (textwriters.titled_callouts), so the caches below are keyed by
# both as well as by the text and the writer.
_ENGLISH = tuple(TEXT_WORDS.values())


def to_html(text: str, writer: Writer = "html") -> str:
    """Render block Markdown (paragraphs, lists …) to sanitised HTML, formulas and code
    written the way ``writer``'s output shows them (see textwriters.py)."""
    if is_plain(text):
        return _plain_paragraph(text)
    paragraphs = plain_paragraphs(text)
    if paragraphs is not None:
        return "\n".join(map(_plain_paragraph, paragraphs))
    return _full_html(text, writer, callout_titles(), text_direction())


def plain_paragraphs(text: str) -> list[str] | None:
    """``text``'s paragraphs when it is plain paragraphs (see :func:`is_plain`) between single
    blank lines, which Markdown and the sanitiser leave as they are, each its own paragraph."""
    # Prose of a few paragraphs (a chapter, an explanation, a summary) is most of the text
    # that went through Markdown: a parse of a few hundred characters costs about 0.1 ms.
    if "\n\n" not in text:
        return None
    paragraphs = text.split("\n\n")
    return paragraphs if all(map(is_plain, paragraphs)) else None


def _plain_paragraph(text: str) -> str:
    turned = _plain_turn(text, text_direction())
    return f"<p>{text}</p>" if turned is None else f'<p dir="{turned}">{text}</p>'


def _plain_turn(text: str, direction: Direction) -> Direction | None:
    """:func:`turned_direction` of plain ``text``, answered at once for most text."""
    if direction == "ltr" and text.isascii():  # nothing in it can turn
        return None
    return turned_direction(text, direction)


@lru_cache(maxsize=4096)
def _full_html(
    text: str,
    writer: Writer = "html",
    titles: tuple[str, ...] = _ENGLISH,
    direction: Direction = "ltr",
) -> str:
    return _clean(_render(text, writer, titles, direction), writer).strip()


def to_html_taking_solutions(
    text: str, writer: Writer = "pdf"
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """As :func:`to_html`, but each ``::: solution`` block is taken out: the HTML holds
    ``textwriters.SOLUTION_PLACE`` where it stood, and each solution's (escaped) title and
    sanitised body follow, in order, for the handout's answer key."""
    if is_plain(text):
        return _plain_paragraph(text), ()
    if plain_paragraphs(text) is not None:  # no callout, so no solution
        return to_html(text, writer), ()
    return _html_taking_solutions(text, writer, callout_titles(), text_direction())


@lru_cache(maxsize=4096)
def _html_taking_solutions(
    text: str, writer: Writer, titles: tuple[str, ...], direction: Direction
) -> tuple[str, tuple[tuple[str, str], ...]]:
    if ":::" not in text:  # no callout at all: the text as every other output has it
        return _full_html(text, writer, titles, direction), ()
    taken: list[TakenSolution] = []
    tokens = _tree(text)
    html = _clean(render(tokens, writer, _MD.options, titles, taken, direction), writer).strip()
    return html, tuple((s.title, _clean(s.html, writer).strip()) for s in taken)


def to_inline_html(text: str, writer: Writer = "html") -> str:
    """Render inline Markdown (emphasis, code, links) to sanitised HTML with no block wrapper;
    a text holding a code block, a display formula or a table keeps those blocks."""
    if is_plain(text):
        turned = None if writer == "plain" else _plain_turn(text, text_direction())
        return _isolated(text, turned)
    return _full_inline_html(text, writer, callout_titles(), text_direction())


def _isolated(html: str, turned: Direction | None) -> str:
    """``html``, isolated in ``<bdi>`` when it ``turned`` against its page: inline text sits
    in a line of the page (a choice's label, a card's front), and turns as a block of it
    would (see :func:`to_html`)."""
    return html if turned is None else f'<bdi dir="{turned}">{html}</bdi>'


def holds_blocks(text: str) -> bool:
    """Whether :func:`to_inline_html` gives ``text`` as blocks (a code block, a formula, a
    table, a figure or a callout): elements that may hold only phrasing content, such as
    ``<label>``, ``<span>`` or ``<strong>``, cannot hold it."""
    return not is_plain(text) and plain_paragraphs(text) is None and _holds_blocks(text)


def _holds_blocks(text: str) -> bool:
    return any(token.type in _BLOCK_CONTENT for token in _tree(text))


@lru_cache(maxsize=4096)
def _full_inline_html(
    text: str,
    writer: Writer = "html",
    titles: tuple[str, ...] = _ENGLISH,
    direction: Direction = "ltr",
) -> str:
    if _holds_blocks(text):
        return _full_html(text, writer, titles, direction)
    tokens = _inline_tree(text)
    html = _clean(render(tokens, writer, _MD.options, titles), writer).strip()
    turned = None if writer == "plain" else turned_direction(inline_words(tokens), direction)
    return _isolated(html, turned)


def to_plain(text: str) -> str:
    """Lesson text as plain text: Markdown syntax removed, entities decoded, whitespace folded;
    formulas as their TeX source (``\\(…\\)``), table rows as ``a | b | c``."""
    if is_plain(text):
        return text
    paragraphs = plain_paragraphs(text)
    return "\n".join(paragraphs) if paragraphs is not None else _full_plain(text, callout_titles())


@lru_cache(maxsize=4096)
def _full_plain(text: str, titles: tuple[str, ...] = _ENGLISH) -> str:
    html = _render(text, "plain", titles)
    html = re.sub(r"</t[hd]>\s*<t[hd][^>]*>", " | ", html)
    html = re.sub(r"</(p|li|blockquote|pre|tr|h\d)>", "\n", html)
    stripped = TEXT_ONLY_CLEANER.clean(html)
    lines = (" ".join(line.split()) for line in unescape(stripped).splitlines())
    return "\n".join(line for line in lines if line)


def formulas(text: str) -> list[tuple[str, bool, int]]:
    """Every formula in a text: its TeX, whether it is displayed, and where its delimiter
    starts in ``text`` (for errors located at the formula)."""
    found: list[tuple[str, bool, int]] = []
    cursor = 0

    def walk(tokens: tuple[Token, ...] | list[Token]) -> None:
        nonlocal cursor
        for token in tokens:
            if token.type in MATH_TOKENS:
                at = text.find(token.content, cursor)
                start = max(at - len(token.markup), 0) if at >= 0 else cursor
                cursor = at + len(token.content) if at >= 0 else cursor
                found.append((token.content.strip(), is_display(token), start))
            if token.children:
                walk(token.children)

    walk(_tree(text))
    return found


def image_paths(text: str) -> list[str]:
    """The image sources a text references, in order, whatever their scheme (for checking and
    bundling as media)."""
    paths: list[str] = []

    def walk(tokens: list) -> None:  # type: ignore[type-arg]
        for token in tokens:
            if token.type == "image":
                src = token.attrGet("src")
                if isinstance(src, str):
                    paths.append(src)
            if token.children:
                walk(token.children)

    walk(_FINDER.parse(text))
    return paths


def has_figure(text: str) -> bool:
    """Whether the text shows a figure (an image alone in its paragraph)."""
    return "![" in text and any(token.type == "figure_open" for token in _tree(text))


def image_problems(text: str) -> list[figures.Problem]:
    """The mistakes in the images of a text: attributes, widths, credits, missing alt text."""
    return list(figures.problems(text, _FINDER.parse(text)))
