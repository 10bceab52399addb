"""Lesson text (lessonc's Markdown subset) to safe HTML or plain text: the one place that sanitises.

Every output that shows lesson text as HTML (pages, PDF, Anki fields, quiz
JSON) goes through :func:`to_html` or :func:`to_inline_html`. Two layers keep
lesson text inert: markdown-it-py with raw HTML off (so ``<script>`` becomes
visible text), then nh3 with an allow-list of tags, attributes and URL schemes
(so nothing a Markdown construct produces can carry script either).
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt

from lessonc import link_labels

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li",
        "blockquote", "img", "hr", "h3", "h4", "h5", "h6", "del",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def _parser(kind: type[MarkdownIt] = MarkdownIt) -> MarkdownIt:
    # "js-default" is CommonMark plus tables and strikethrough with html=False:
    # raw HTML in lesson text is escaped, never passed through.
    md = kind("js-default", {"html": False, "linkify": False, "typographer": False})
    # Headings inside lesson text would break the outline of every output,
    # where the lesson's own structure owns h1/h2.
    md.disable(["heading", "lheading"])
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


def is_safe_link(url: str) -> bool:
    """Whether ``url`` may be a link target: http(s)/mailto, or a fragment in the page."""
    decoded = unescape(unquote(unquote(url))).strip()
    if decoded.startswith("#"):
        return True
    match = _SCHEME.match(decoded)
    return match is not None and match.group(1).lower() in LINK_SCHEMES


def is_safe_relative_path(path: str) -> bool:
    """Whether ``path`` names a file below the lesson folder: relative, no '..', no scheme."""
    decoded = unescape(unquote(unquote(path))).strip().replace("\\", "/")
    if not decoded or decoded.startswith("/") or _SCHEME.match(decoded):
        return False
    return all(part not in ("..", "") for part in decoded.split("/"))


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if is_safe_link(value) else None
    if tag == "img" and attribute == "src":
        return value if is_safe_relative_path(value) else None
    if attribute == "style":
        # Tables align cells with style; only that one declaration survives.
        return value if re.fullmatch(r"text-align:\s*(left|right|center)", value) else None
    return value


# Sanitisers configured once, like the parser: nh3 builds its rules when a
# Cleaner is made, which cost five times the cleaning itself when done per call.
_SANITISER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(LINK_SCHEMES),
    link_rel="noopener noreferrer",
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})


def _clean(html: str) -> str:
    return _SANITISER.clean(html)


_PLAIN_TEXT = re.compile(
    r"[A-Za-z][A-Za-z0-9 ,.;:'?()/%"  # ASCII letters, digits, spaces, calm punctuation
    r"\u00c0-\u024f\u2013\u2014\u2019\u201c\u201d-]*"  # accented letters, dashes, quotes
)
"""Text that Markdown and the sanitiser both leave exactly as it is: it starts with a letter
(so no list, heading, quote or code block), has none of the characters that start inline
syntax or need escaping (* _ ` [ ! < > & \\ ~ | # " = +) and no line break."""


def _is_plain(text: str) -> bool:
    # Three in four of a lesson's texts (choices, card fronts, titles, short answers) are
    # plain words, and took 60% of the Markdown time; tests hold this shortcut to giving
    # what the full pipeline gives.
    return _PLAIN_TEXT.fullmatch(text) is not None and "  " not in text and text[-1] != " "


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    # Unsanitised: only for to_html and to_plain, which clean it. Most texts go
    # through both (page and search index, card and sort field), and parsing
    # is most of the cost of rendering a lesson.
    html: str = _MD.render(text)
    return html


@lru_cache(maxsize=4096)
def to_html(text: str) -> str:
    """Render block Markdown (paragraphs, lists …) to sanitised HTML."""
    return f"<p>{text}</p>" if _is_plain(text) else _full_html(text)


def _full_html(text: str) -> str:
    return _clean(_render(text)).strip()


@lru_cache(maxsize=4096)
def to_inline_html(text: str) -> str:
    """Render inline Markdown (emphasis, code, links) to sanitised HTML with no block wrapper."""
    return text if _is_plain(text) else _full_inline_html(text)


def _full_inline_html(text: str) -> str:
    return _clean(_MD.renderInline(text)).strip()


@lru_cache(maxsize=4096)
def to_plain(text: str) -> str:
    """Lesson text as plain text: Markdown syntax removed, entities decoded, whitespace folded."""
    return text if _is_plain(text) else _full_plain(text)


def _full_plain(text: str) -> str:
    html = _render(text)
    html = re.sub(r"</(p|li|blockquote|pre|tr|h\d)>", "\n", html)
    stripped = _TEXT_ONLY.clean(html)
    lines = (" ".join(line.split()) for line in unescape(stripped).splitlines())
    return "\n".join(line for line in lines if line)


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
