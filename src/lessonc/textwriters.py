"""Writers of the lesson-text tree: one per kind of output, all reading the same tokens.

markup.py parses each text once (markdown-it-py with the maths rules) and hands the
tokens to the writer an output asks for; no output reads another's HTML. What differs:

- ``html`` (pages, quiz.json, QTI): formulas as MathML, code highlighted with classes
  that lesson.css colours for light and dark;
- ``pdf`` (the handout): formulas as SVG outlines (WeasyPrint has no MathML), code as
  for pages (handout.css colours the classes);
- ``tex`` (Anki, Moodle's GIFT): formulas left as TeX between ``\\(…\\)`` / ``\\[…\\]``, which
  Anki's and Moodle's MathJax typeset; code coloured with inline styles, since neither
  has lessonc's CSS;
- ``plain`` (search index, quiz ``text``, lint): formulas as their TeX source, tables
  as rows of ``a | b | c``.

Every writer's HTML still goes through markup's sanitiser afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any, Literal

from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from lessonc import figures, mathtex

Writer = Literal["html", "pdf", "tex", "plain"]
WRITERS: tuple[Writer, ...] = ("html", "pdf", "tex", "plain")

MATH_TOKENS = frozenset(
    {"math_inline", "math_inline_double", "math_block", "math_block_label", "math_bracket"}
)
"""Token types that hold a formula (dollarmath's, and markup's ``\\(…\\)`` / ``\\[…\\]`` rule)."""
OUTPUT_LANGUAGE = "output"
"""A fence marked ```` ```output ```` shows what code printed, styled apart from code."""
_TITLE = re.compile(r"""\btitle=(?:"([^"]*)"|'([^']*)'|(\S+))""")
TOKEN_CLASS_PREFIX = "tok-"
"""Pygments' classes, prefixed so the sanitiser can allow exactly them."""


def is_display(token: Token) -> bool:
    """Whether a math token is a display formula (its own line) rather than inline."""
    if token.type == "math_bracket":
        return token.markup == "\\["
    return token.type in ("math_block", "math_block_label", "math_inline_double")


CALLOUT_TITLES = {"note": "Note", "tip": "Tip", "warning": "Warning", "solution": "Solution"}
"""Each callout's default title in English (``::: tip Try it`` gives its own); a lesson's
build uses its catalogue's ``callout_<kind>`` words instead (see :func:`titled_callouts`)."""

FIGURE_CREDIT = "Credit: {credit} · {licence}"
"""A figure's credit line in English; a lesson's build uses its catalogue's ``figure_credit``."""
TEXT_WORDS = {**CALLOUT_TITLES, "figure_credit": FIGURE_CREDIT}
"""Every word the writers put into lesson text themselves, in English."""

Direction = Literal["ltr", "rtl"]

_TITLES: ContextVar[tuple[str, ...]] = ContextVar(
    "lessonc_callout_titles", default=tuple(TEXT_WORDS.values())
)
_DIRECTION: ContextVar[Direction] = ContextVar("lessonc_text_direction", default="ltr")


def callout_titles() -> tuple[str, ...]:
    """The writers' words in force (callout titles, the credit line), in ``TEXT_WORDS`` order."""
    return _TITLES.get()


def text_direction() -> Direction:
    """The direction of the page the text is written into: the lesson's, ``ltr`` outside one."""
    return _DIRECTION.get()


@contextmanager
def titled_callouts(titles: Mapping[str, str], direction: Direction = "ltr") -> Iterator[None]:
    """Within the block, callouts without a title of their own are titled ``titles[kind]``
    and figures credited with ``titles["figure_credit"]``: the words of the lesson's
    language while its outputs are rendered (English for any word not given); and text is
    written into a page of ``direction``, the lesson's (see :func:`turned_direction`)."""
    token = _TITLES.set(tuple(titles.get(key, english) for key, english in TEXT_WORDS.items()))
    direction_token = _DIRECTION.set(direction)
    try:
        yield
    finally:
        _DIRECTION.reset(direction_token)
        _TITLES.reset(token)


_RIGHT_TO_LEFT = (
    "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"  # Hebrew to Arabic Extended, presentation forms
    "\U00010800-\U00010fff\U0001e800-\U0001efff"  # historic scripts, Adlam, Arabic maths
)
_RTL_LETTER = re.compile(f"(?=[^\\W\\d_])[{_RIGHT_TO_LEFT}]")
"""A letter of a script written right to left (Hebrew, Arabic, Syriac, Thaana, N'Ko …)."""
_LTR_LETTER = re.compile(f"(?![{_RIGHT_TO_LEFT}])[^\\W\\d_]")
"""A letter of any other script (Latin, Greek, Cyrillic, CJK …)."""


def turned_direction(words: str, page: Direction) -> Direction | None:
    """The direction a block of ``words`` takes against its ``page``'s, or None to keep it.

    Only a block with letters of the other direction and none of the page's own turns:
    an English sentence quoted in a Persian lesson reads left to right, its final stop at
    its end, not before its first word. A block that mixes both (a Persian sentence
    naming ``GPT``) stays as the page's language writes it; the browser's own rule
    (``dir="auto"``: the first letter decides) would turn that one too.
    """
    if page == "ltr":
        if words.isascii() or _LTR_LETTER.search(words) or not _RTL_LETTER.search(words):
            return None
        return "rtl"
    if _RTL_LETTER.search(words) or not _LTR_LETTER.search(words):
        return None
    return "ltr"


def inline_words(tokens: Sequence[Token]) -> str:
    """The words of inline tokens, without their code and formulas (neither has a direction
    of its own: a paragraph of a formula alone stays where the page puts paragraphs)."""
    return "".join(
        child.content for token in tokens for child in token.children or () if child.type == "text"
    )


SOLUTION_PLACE = '<p class="callout-solution-ref"></p>'
"""Where a solution taken to the answer key stood, in the sanitised HTML; lesson text cannot
write it (no raw HTML, no classes), so the handout finds exactly the solutions here."""


@dataclass(frozen=True)
class TakenSolution:
    """A ``::: solution`` block taken out of the text for the handout's answer key."""

    title: str
    """Its title as written after ``::: solution``, else the language's word (HTML-escaped)."""
    html: str
    """Its body, rendered by the same writer (unsanitised until markup cleans it)."""


class _Writer(RendererHTML):
    writer: Writer = "html"

    def __init__(self) -> None:
        super().__init__()
        # Bound methods, as markdown-it's own rules are (its stubs type them MethodType).
        for kind in CALLOUT_TITLES:
            self.rules[f"container_{kind}_open"] = self._callout_open  # type: ignore[assignment]
            self.rules[f"container_{kind}_close"] = self._callout_close  # type: ignore[assignment]
        self.rules["solution_place"] = self._solution_place  # type: ignore[assignment]

    def render(self, tokens: Sequence[Token], options: Any, env: Any) -> str:
        taken: list[TakenSolution] | None = env.get("taken_solutions")
        if taken is None:
            return super().render(tokens, options, env)
        # The handout prints a solution in its answer key, not where it stands: each
        # outermost solution becomes a place-holder, its body rendered on its own.
        kept: list[Token] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type != "container_solution_open":
                kept.append(token)
                index += 1
                continue
            end = next(
                at
                for at in range(index + 1, len(tokens))
                if tokens[at].type == "container_solution_close" and tokens[at].level == token.level
            )
            body = super().render(tokens[index + 1 : end], options, env)
            taken.append(TakenSolution(self._callout_title(token, env), body))
            kept.append(Token("solution_place", "p", 0))
            index = end + 1
        return super().render(kept, options, env)

    def _solution_place(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return SOLUTION_PLACE + "\n"

    def _callout_title(self, token: Token, env: Any) -> str:
        kind = token.type.removeprefix("container_").removesuffix("_open")
        titles = env.get("words", TEXT_WORDS)
        return escape(token.info.strip()[len(kind) :].strip() or titles[kind])

    def _turned(self, tokens: Sequence[Token], inline_at: int, env: Any) -> str:
        """`` dir="…"`` for the block whose inline token is at ``inline_at``, when it turns."""
        page: Direction = env.get("direction", "ltr")
        if self.writer == "plain" or inline_at >= len(tokens):
            return ""
        inline = tokens[inline_at]
        if inline.type != "inline":
            return ""
        turned = turned_direction(inline_words((inline,)), page)
        return "" if turned is None else f' dir="{turned}"'

    def paragraph_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        html = self.renderToken(tokens, idx, options, env)
        turned = self._turned(tokens, idx + 1, env) if html.startswith("<p>") else ""
        return f"<p{turned}>{html[3:]}" if turned else html

    def list_item_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        # A tight list's item shows its paragraph's words with no <p>: the <li> takes the dir.
        html = self.renderToken(tokens, idx, options, env)
        hidden = idx + 1 < len(tokens) and tokens[idx + 1].type == "paragraph_open"
        if not (hidden and tokens[idx + 1].hidden and html.startswith("<li>")):
            return html
        turned = self._turned(tokens, idx + 2, env)
        return f"<li{turned}>{html[4:]}" if turned else html

    def heading_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        if self.writer == "plain":
            return "<p>"
        turned = self._turned(tokens, idx + 1, env)
        return f'<h{_sub_level(tokens[idx])} class="subheading"{turned}>'

    def heading_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return "</p>\n" if self.writer == "plain" else f"</h{_sub_level(tokens[idx])}>\n"

    def _callout_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        kind = token.type.removeprefix("container_").removesuffix("_open")
        title = self._callout_title(token, env)
        if self.writer == "plain":
            return f"<p>{title}</p>\n"
        if kind == "solution" and self.writer == "html":
            # Folded on the page, so a learner tries the exercise before reading it.
            return f'<details class="callout callout-solution"><summary>{title}</summary>\n'
        return (
            f'<div class="callout callout-{kind}" role="note">'
            f'<p class="callout-title">{title}</p>\n'
        )

    def _callout_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        if self.writer == "plain":
            return ""
        folded = tokens[idx].type == "container_solution_close" and self.writer == "html"
        return "</details>\n" if folded else "</div>\n"

    def _formula(self, token: Token) -> str:
        tex, display = token.content.strip(), is_display(token)
        if self.writer == "plain":
            return escape(f"\\[{tex}\\]" if display else f"\\({tex}\\)")
        if self.writer == "tex":
            return escape(f"\\[{tex}\\]" if display else f"\\({tex}\\)", quote=False)
        try:
            draw = mathtex.svg if self.writer == "pdf" else mathtex.mathml
            drawn = draw(tex, display)
        except mathtex.LatexError:
            # Validation reports it at the formula; a caller that skipped it gets the source.
            return f'<code dir="ltr">{escape(tex)}</code>'
        if display and token.block:
            return f'<div class="math-display">{drawn}</div>\n'
        return drawn

    def math_inline(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return self._formula(tokens[idx])

    math_inline_double = math_inline
    math_block = math_inline
    math_block_label = math_inline
    math_bracket = math_inline

    def code_inline(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        # Code reads left to right even in a right-to-left lesson: ">>> 2 + 3" must not
        # turn into "3 + 2 <<<".
        return f'<code dir="ltr">{escape(tokens[idx].content)}</code>'

    def code_block(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return f'<pre dir="ltr"><code>{escape(tokens[idx].content)}</code></pre>\n'

    def fence(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        info = token.info.strip()
        language = info.split(maxsplit=1)[0] if info else ""
        title = _TITLE.search(info)
        caption = next((g for g in title.groups() if g is not None), "") if title else ""
        if self.writer == "plain":
            return f"<pre>{escape(token.content)}</pre>\n"
        if language == OUTPUT_LANGUAGE:
            output = escape(token.content)
            body = f'<pre class="code-output" dir="ltr" tabindex="0"><samp>{output}</samp></pre>'
        else:
            code = highlight(token.content, language, inline_styles=self.writer == "tex")
            if code is None:  # a language Pygments does not know: plain, as before
                body = f'<pre dir="ltr"><code>{escape(token.content)}</code></pre>'
            else:
                lang = f' class="language-{escape(language)}"'
                body = f'<pre class="code" dir="ltr" tabindex="0"><code{lang}>{code}</code></pre>'
        if caption:
            return (
                f'<figure class="code-figure"><figcaption dir="ltr">{escape(caption)}</figcaption>'
                f"{body}</figure>\n"
            )
        return body + "\n"

    def image(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        if not token.meta.get("figure"):
            return super().image(tokens, idx, options, env)
        # A figure's title is its caption, shown below it, so not a tooltip as well; its
        # attributes (width, credit …) are drawn by the figure, not copied onto the <img>.
        alt = self.renderInlineAsText(token.children or [], options, env)
        return f'<img src="{escape(str(token.attrs.get("src", "")))}" alt="{escape(alt)}">'

    def figure_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        if self.writer == "plain":
            return ""
        width = figures.width_class(figures.attribute(tokens[idx].meta["image"], "width"))
        return f'<figure class="figure{f" {width}" if width else ""}">'

    def figure_close(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        image = tokens[idx].meta["image"]
        caption = escape(figures.caption(image))
        credit = _credit_line(image, env.get("words", TEXT_WORDS)["figure_credit"])
        if self.writer == "plain":
            return "".join(f"<p>{line}</p>\n" for line in (caption, credit) if line)
        parts = []
        if caption:
            parts.append(f'<span class="figure-caption">{caption}</span>')
        if credit:
            parts.append(f'<span class="figure-credit">{credit}</span>')
        # A line break, not only CSS, between the two: Anki and an LMS show lesson text
        # without lessonc's stylesheets.
        shown = f"<figcaption>{'<br>'.join(parts)}</figcaption>" if parts else ""
        return f"{shown}</figure>\n"


_PLACEHOLDER = re.compile(r"\{(credit|licence)\}")


def _credit_line(image: Token, words: str) -> str:
    """The figure's credit and licence in the lesson's words, the credit linked to the
    source when there is one; '' for a figure with neither."""
    credit, licence, source = (figures.attribute(image, n) for n in ("credit", "licence", "source"))
    if not credit and not licence:
        return ""
    # Values go in bidi-isolated: a Latin name in a Persian sentence keeps its own order.
    name = f"<bdi>{escape(credit)}</bdi>"
    if source:
        name = f'<a href="{escape(source)}">{name}</a>'
    values = {"credit": name, "licence": f"<bdi>{escape(licence)}</bdi>"}
    # One pass over the words, so a credit that spells "{licence}" stays text.
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], escape(words, quote=False))


SUBHEADING_TOP = 4
"""Where text's own headings start: the page and the handout give a chapter's title h3."""


def subheading_level(hashes: int) -> int:
    """The HTML heading level of a text's ``#`` … ``######`` heading (the format reference
    shows this mapping, so it is read from here rather than restated)."""
    # `#` and `##` are both a chapter's first level of sub-heading, `###` the next …
    return min(6, SUBHEADING_TOP + max(hashes - 2, 0))


def _sub_level(token: Token) -> int:
    return subheading_level(int(token.tag[1]))


class _Html(_Writer):
    writer: Writer = "html"


class _Pdf(_Writer):
    writer: Writer = "pdf"


class _Tex(_Writer):
    writer: Writer = "tex"


class _Plain(_Writer):
    writer: Writer = "plain"


_RENDERERS: dict[Writer, RendererHTML] = {
    "html": _Html(),
    "pdf": _Pdf(),
    "tex": _Tex(),
    "plain": _Plain(),
}


def render(
    tokens: Sequence[Token],
    writer: Writer,
    options: Any,
    titles: Sequence[str] | None = None,
    taken_solutions: list[TakenSolution] | None = None,
    direction: Direction = "ltr",
) -> str:
    """The tokens as (unsanitised) HTML in the given writer's way; ``titles`` are the writers'
    words in ``TEXT_WORDS`` order (English when left out). Given ``taken_solutions``, each
    solution block is appended there and written as :data:`SOLUTION_PLACE` instead. A block
    whose words all run against the page's ``direction`` is marked with its own."""
    env: dict[str, Any] = {"words": dict(zip(TEXT_WORDS, titles, strict=True))} if titles else {}
    env["direction"] = direction
    if taken_solutions is not None:
        env["taken_solutions"] = taken_solutions
    return _RENDERERS[writer].render(tokens, options, env)


@lru_cache(maxsize=1024)
def highlight(code: str, language: str, *, inline_styles: bool = False) -> str | None:
    """``code`` as Pygments-highlighted HTML (spans, no wrapper), or None for a language
    Pygments does not know (the code is then shown plain)."""
    if not language:
        return None
    # Imported on use: Pygments' lexer registry is the slowest import lessonc has.
    from pygments import highlight as pygmentize
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
    formatter = HtmlFormatter(
        nowrap=True, noclasses=inline_styles, classprefix=TOKEN_CLASS_PREFIX, style="default"
    )
    html: str = pygmentize(code, lexer, formatter)
    return html


LIGHT_STYLE, DARK_STYLE = "default", "github-dark"
"""Pygments styles of highlighted code: the page follows the reader's light or dark scheme."""


def token_css(selector: str, style: str) -> str:
    """The rules that colour highlighted code's token classes with a Pygments style, below
    ``selector``: lesson.css and handout.css hold them, and a test keeps them current."""
    from pygments.formatters import HtmlFormatter

    css: str = HtmlFormatter(classprefix=TOKEN_CLASS_PREFIX, style=style).get_style_defs(selector)
    prefix = f"{selector} .{TOKEN_CLASS_PREFIX}"
    return "".join(
        line.split(" /*")[0] + "\n" for line in css.splitlines() if line.startswith(prefix)
    )
