"""What HTML made from lesson text may hold: the allow-lists of tags, attributes, classes,
styles and link targets, and the nh3 cleaners that apply them.

:mod:`lessonc.markup` runs every text through one of these cleaners after its writer,
whatever the output; the checks on links and image paths are shared with the lesson
checks (:mod:`lessonc.images`, :mod:`lessonc.assets`) so that what validation accepts
is what the cleaner keeps.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import nh3

from lessonc.textwriters import TOKEN_CLASS_PREFIX

MATHML_TAGS = frozenset(
    {
        "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
        "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
        "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "merror",
    }
)  # fmt: skip
"""What latex2mathml writes: presentation MathML, which no browser runs as script."""
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "em", "strong", "code", "pre", "a", "ul", "ol", "li",
        "blockquote", "img", "hr", "h3", "h4", "h5", "h6", "del",
        "table", "thead", "tbody", "tr", "th", "td",
        "span", "samp", "div", "figure", "figcaption", "details", "summary", "bdi",
    }
    | MATHML_TAGS
)  # fmt: skip
SVG_TAGS = frozenset({"svg", "path"})
"""Only the handout's writer draws formulas as SVG: glyph outlines, nothing else."""
_MATHML_ATTRIBUTES = {
    "math": {"display", "aria-label"},
    "annotation": {"encoding"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace", "form", "largeop",
           "movablelimits", "accent", "minsize", "maxsize", "symmetric"},
    "mi": {"mathvariant"},
    "mn": {"mathvariant"},
    "mtext": {"mathvariant"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant", "mathsize"},
    "mfrac": {"linethickness"},
    "mtable": {"columnalign", "rowspacing", "columnspacing", "displaystyle", "columnlines",
               "rowlines", "frame"},
    "mtd": {"columnalign"},
    "mspace": {"width"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "munderover": {"accent", "accentunder"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
    "menclose": {"notation"},
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
    "pre": {"class", "dir", "tabindex"},
    "code": {"class", "dir"},
    "samp": set(),
    "span": {"class", "style"},
    "div": {"class", "role"},
    "details": {"class"},
    "p": {"class", "dir"},
    "li": {"dir"},
    "h4": {"class", "dir"},
    "h5": {"class", "dir"},
    "h6": {"class", "dir"},
    "figure": {"class"},
    "figcaption": {"dir"},
    "bdi": {"dir"},
    **_MATHML_ATTRIBUTES,
}
_SVG_ATTRIBUTES = {
    "svg": {"width", "height", "viewBox", "role", "aria-label", "style"},
    "path": {"d", "fill", "transform", "stroke", "stroke-width"},
}
_CLASSES = re.compile(
    rf"(?:(?:{TOKEN_CLASS_PREFIX}[a-z0-9]+|code|code-output|code-figure|math-display"
    r"|callout|callout-(?:note|tip|warning|solution|solution-ref)|callout-title|subheading"
    r"|figure|figure-(?:small|medium|full|w\d{2,3}|caption|credit)"
    r"|language-[A-Za-z0-9_+#.-]+)(?: |$))+"
)
"""The classes lessonc's writers set: nothing a stylesheet could hook to hide or fake a page."""
_STYLES = {
    "th": re.compile(r"text-align:\s*(left|right|center)"),
    "td": re.compile(r"text-align:\s*(left|right|center)"),
    # Pygments' inline colours, for Anki and Moodle, which have no lessonc stylesheet.
    "span": re.compile(
        r"(?:(?:color|background-color): #[0-9a-fA-F]{3,6}|font-weight: bold|font-style: italic"
        r"|text-decoration: underline|border: 1px solid #[0-9a-fA-F]{3,6})"
        r"(?:; ?(?:(?:color|background-color): #[0-9a-fA-F]{3,6}|font-weight: bold"
        r"|font-style: italic|text-decoration: underline|border: 1px solid #[0-9a-fA-F]{3,6}))*"
    ),
    "svg": re.compile(r"vertical-align: -?\d+(\.\d+)?px"),
}
_TURNING = frozenset({"p", "li", "h4", "h5", "h6", "bdi"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


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
        # Tables align cells, Pygments colours code for Anki, an inline formula sits on the
        # baseline: only those declarations survive.
        pattern = _STYLES.get(tag)
        return value if pattern is not None and pattern.fullmatch(value) else None
    if attribute == "class":
        return value if _CLASSES.fullmatch(value) else None
    if attribute == "dir":
        # Code reads left to right in any page; a block of text turns either way against
        # its page (textwriters.turned_direction).
        return value if value == "ltr" or (value == "rtl" and tag in _TURNING) else None
    if attribute == "role":
        return value if (tag, value) in (("div", "note"), ("svg", "img")) else None
    if attribute == "tabindex":
        # A code box that scrolls takes keyboard focus, so it can be scrolled without a mouse.
        return value if value == "0" else None
    return value


# Cleaners made once, at import: nh3 builds its rules when a Cleaner is made, which cost
# five times the cleaning itself when done per call.
PAGE_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(LINK_SCHEMES),
    link_rel="noopener noreferrer",
)
PDF_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS | SVG_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(attrs) for tag, attrs in (ALLOWED_ATTRIBUTES | _SVG_ATTRIBUTES).items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(LINK_SCHEMES),
    link_rel="noopener noreferrer",
)
TEXT_ONLY_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})
