"""Finishing touches on sanitised lesson HTML: media paths, glossary links and cloze gaps.

Everything here works on the output of :mod:`lessonc.markup` (already
sanitised, so well-formed and quoted the way html5ever serialises) and only
ever inserts markup built from constants and escaped text; it never turns text
back into tags.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup

from lessonc import markup
from lessonc.model import CLOZE_PATTERN, GlossaryEntry

# html5ever quotes every attribute value with '"' and escapes '"' inside it,
# so a tag ends at the first '>' outside double quotes.
_TAG = re.compile(r'(<(?:[^>"]|"[^"]*")*>)')
_TAG_NAME = re.compile(r"^</?([a-zA-Z][a-zA-Z0-9]*)")
_IMG_SRC = re.compile(r'\ssrc="([^"]*)"')
_IMG_ALT = re.compile(r'\salt="([^"]*)"')
_ALIGN_STYLE = re.compile(r'\sstyle="text-align:\s*(left|right|center)"')
# Text inside these never gets a glossary link: a link in a link is invalid,
# and code is quoted verbatim.
_NO_LINK_INSIDE = frozenset({"a", "code", "pre"})
# Private-use characters stand for cloze gaps while the sentence goes through
# Markdown, so each gap can then be replaced by markup built here.
_GAP_OPEN, _GAP_CLOSE = "\ue000", "\ue001"
_GAP = re.compile(f"{_GAP_OPEN}(\\d+){_GAP_CLOSE}")


def split_tags(fragment: str) -> list[str]:
    """The fragment as alternating text and tag pieces (text first, possibly empty)."""
    return _TAG.split(fragment)


def _tag_name(tag: str) -> str:
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else ""


class MediaRewriter:
    """Points ``<img src>`` at the copied media file and turns table alignment into classes."""

    def __init__(self, media: Mapping[str, str]) -> None:
        self._media = media

    def __call__(self, fragment: str) -> str:
        if "<img" not in fragment and "<t" not in fragment:
            return fragment  # most texts: nothing to rewrite, so no need to split them
        pieces = split_tags(fragment)
        for index in range(1, len(pieces), 2):
            tag = pieces[index]
            name = _tag_name(tag)
            if name == "img" and not tag.startswith("</"):
                pieces[index] = self._image(tag)
            elif name in ("td", "th"):
                # Our CSP allows no inline style, so alignment travels as a class.
                pieces[index] = _ALIGN_STYLE.sub(r' class="align-\1"', tag)
        return "".join(pieces)

    def _image(self, tag: str) -> str:
        src = _IMG_SRC.search(tag)
        target = self._media.get(html.unescape(src.group(1))) if src else None
        if target is None:
            # Only unresolvable references get here, and those already failed the
            # build; an <img> without a source would be invalid, so keep its words.
            alt = _IMG_ALT.search(tag)
            return alt.group(1) if alt else ""
        assert src is not None
        new_src = f' src="{html.escape(target)}"'
        return tag[: src.start()] + new_src + tag[src.end() :]


class TermLinker:
    """Links the first use of each glossary term (or alias) in the page to its definition.

    One linker serves one page: it remembers which terms it has linked, so
    calling it on fragments in reading order links each term once.
    """

    def __init__(self, entries: Iterable[GlossaryEntry], anchor: Callable[[str], str]) -> None:
        forms: dict[str, str] = {}
        for entry in entries:
            for form in (entry.term, *entry.aliases):
                forms.setdefault(html.escape(form.strip(), quote=False).lower(), entry.key)
        self._forms = forms
        self._anchor = anchor
        self._linked: set[str] = set()
        # Longest forms first, so "fine-tuning" wins over "fine-tune".
        alternatives = "|".join(re.escape(f) for f in sorted(forms, key=lambda f: (-len(f), f)))
        self._pattern = (
            re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE) if forms else None
        )

    def __call__(self, fragment: str) -> Markup:
        if self._pattern is None or len(self._linked) == len(set(self._forms.values())):
            return Markup(fragment)
        pieces = split_tags(str(fragment))
        skipping = 0
        for index, piece in enumerate(pieces):
            if index % 2:
                name = _tag_name(piece)
                if name in _NO_LINK_INSIDE and not piece.endswith("/>"):
                    skipping += -1 if piece.startswith("</") else 1
            elif skipping == 0 and piece:
                pieces[index] = self._pattern.sub(self._link, piece)
        return Markup("".join(pieces))

    def _link(self, match: re.Match[str]) -> str:
        key = self._forms[match.group(0).lower()]
        if key in self._linked:
            return match.group(0)
        self._linked.add(key)
        return f'<a class="term" href="#{html.escape(self._anchor(key))}">{match.group(0)}</a>'


def cloze_faces(cloze: str, finish: Callable[[str], str]) -> tuple[Markup, Markup]:
    """The front (gaps as blanks, or their hints) and back (gaps filled and marked) of a cloze."""
    gaps: list[tuple[str, str | None]] = []

    def hold(match: re.Match[str]) -> str:
        gaps.append((match.group(2), match.group(3)))
        return f"{_GAP_OPEN}{len(gaps) - 1}{_GAP_CLOSE}"

    rendered = finish(markup.to_html(CLOZE_PATTERN.sub(hold, cloze)))

    def blank(number: int) -> str:
        hint = gaps[number][1]
        shown = html.escape(hint.strip(), quote=False) if hint else "…"
        return f'<span class="cloze-gap">[{shown}]</span>'

    def answer(number: int) -> str:
        return f'<mark class="cloze-answer">{finish(markup.to_inline_html(gaps[number][0]))}</mark>'

    def plain_answer(number: int) -> str:
        return html.escape(markup.to_plain(gaps[number][0]))

    return (
        Markup(_fill_gaps(rendered, blank, lambda n: "…")),
        Markup(_fill_gaps(rendered, answer, plain_answer)),
    )


def _fill_gaps(
    fragment: str, in_text: Callable[[int], str], in_attribute: Callable[[int], str]
) -> str:
    pieces = split_tags(fragment)
    for index, piece in enumerate(pieces):
        # A gap inside an attribute (a link target, say) may only become text.
        fill = in_attribute if index % 2 else in_text
        pieces[index] = _GAP.sub(_gap_filler(fill), piece)
    return "".join(pieces)


def _gap_filler(fill: Callable[[int], str]) -> Callable[[re.Match[str]], str]:
    return lambda match: fill(int(match.group(1)))
