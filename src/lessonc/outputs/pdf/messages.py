"""WeasyPrint's messages sorted by whose problem they are: the machine's or the document's.

WeasyPrint logs a warning both when the document is wrong (an image that cannot be
loaded, CSS it cannot use) and when the machine lacks an optional part (HarfBuzz's
subsetting library, so fonts are subset by fontTools instead). Failing the build on
the second kind made a plain Debian 12 machine unable to write any handout. So each
message is matched against :data:`RULES`:

- ``ENVIRONMENT``: the machine. The handout is still written; the build gets at most
  one ``warning[pdf-environment]`` that names the Debian package to install.
- ``DOCUMENT``: the lesson or a template. ``error[pdf-warning]``, no handout, as before:
  a handout silently missing an image is worse than none.
- ``GLYPH``: a character no installed font has: a warning located at the text.
- a message no rule matches (a newer WeasyPrint's, say) is a ``warning[pdf-warning]``:
  the handout is written and the message shown, rather than an error about a message
  nobody has judged.

This module only holds patterns: both the renderer's child process and the parent
import it, and it must not import WeasyPrint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    ENVIRONMENT = "environment"
    DOCUMENT = "document"
    GLYPH = "glyph"


@dataclass(frozen=True)
class Rule:
    """Messages matching ``pattern`` are of ``kind``; ``package`` is what removes them."""

    pattern: re.Pattern[str]
    kind: Kind
    summary: str
    """What happened, in a few words, for the one environment warning (by rule, not by font)."""
    package: str | None = None
    """The Debian package that makes an environment message go away, when there is one."""
    remedy: str | None = None
    """What to do when no Debian package helps."""


def _rule(pattern: str, kind: Kind, summary: str, package: str | None = None) -> Rule:
    return Rule(re.compile(pattern), kind, summary, package)


_FONT_FILE = "a font file on this machine could not be used fully"
_RESOURCE = "a resource could not be loaded"
_CSS = "a stylesheet rule WeasyPrint cannot use"
_LAYOUT = "CSS layout WeasyPrint does not support"
_MARKUP = "HTML the PDF cannot carry as written"

RULES: tuple[Rule, ...] = (
    # The machine: optional libraries and the fonts installed.
    _rule(r"^Using fontTools instead of HarfBuzz-Subset", Kind.ENVIRONMENT,
          "fonts were subset by fontTools instead, a fallback later WeasyPrint versions drop",
          "libharfbuzz-subset0"),
    _rule(r"^HarfBuzz-Subset will be required", Kind.ENVIRONMENT,
          "the HarfBuzz-Subset library is missing", "libharfbuzz-subset0"),
    Rule(re.compile(r"^Please install HarfBuzz version \d+\+ with harfbuzz-vector"),
         Kind.ENVIRONMENT, "colour (COLR) emoji fonts are drawn without their colours",
         remedy="colour emoji need HarfBuzz 13 or newer, which Debian 12 does not ship"),
    _rule(r"^Unable to subset \".*\" with (HarfBuzz|fontTools)", Kind.ENVIRONMENT, _FONT_FILE),
    _rule(r"^Unable to (instantiate \".*\" variable font|save emoji font)", Kind.ENVIRONMENT,
          _FONT_FILE),
    _rule(r"^Too many glyphs missing from", Kind.ENVIRONMENT, _FONT_FILE),
    _rule(r"^(Unknown bitmap metrics|Unsupported bitmap glyph format) in", Kind.ENVIRONMENT,
          _FONT_FILE),
    _rule(r"^(Unknown subglyph|Unsupported subglyph in subglyph) in", Kind.ENVIRONMENT, _FONT_FILE),
    # The lesson's text: a character no font has (located at the text by the parent).
    _rule(r'unsupported by fonts: ".+" \(U\+[0-9A-Fa-f]+', Kind.GLYPH, "a character no font has"),
    # The document: the lesson's images and links, or a user's templates and CSS.
    _rule(r"^Failed to (load (image|stylesheet|attachment|inline SVG)|render SVG image)",
          Kind.DOCUMENT, _RESOURCE),
    _rule(r"^(Unsupported stylesheet type|Relative URI reference without a base URI"
          r"|Malformed (base )?URL|Missing href in <link)", Kind.DOCUMENT, _RESOURCE),
    _rule(r"^(Ignored|Deprecated) `", Kind.DOCUMENT, _CSS),
    _rule(r"^(Error: .* at \d+:\d+|Parse error at|Unknown (empty )?rule|Unknown descriptor)",
          Kind.DOCUMENT, _CSS),
    _rule(r"^(Invalid (math function|media type|prelude|color profile|counter style"
          r"|layer name|profile file|@import rule))", Kind.DOCUMENT, _CSS),
    _rule(r"^(Unsupported @(page|layer) selector|Unknown @page rule|Empty @page rule"
          r"|@import rule .* not at the beginning|@layer rule with multiple)", Kind.DOCUMENT,
          _CSS),
    _rule(r"^(Missing .* descriptor in '@font-face'|Font-face .* cannot be loaded"
          r"|No source for profile|In counter style|Expected a media type"
          r"|Failed to apply CSS rule in SVG)", Kind.DOCUMENT, _CSS),
    _rule(r"^(Unable to compute content|Only strings are allowed for content attr"
          r"|\"(string|element)\(.*\)\" is only allowed in page margins"
          r"|\w+ unit resolved before first page layout)", Kind.DOCUMENT, _CSS),
    _rule(r"^(Subgrids are unsupported|\"auto-fit\" and \"auto-fill\" are unsupported"
          r"|Baseline alignment is not supported|Inline grids are not supported"
          r"|This row has more columns than the table)", Kind.DOCUMENT, _LAYOUT),
    _rule(r"^(Image \".*\" has no required alt description|Missing required \"lang\""
          r"|No anchor #|Content discarded: target points to undefined anchor"
          r"|Anchor defined twice|Invalid date in <meta|Invalid \w+ date:"
          r"|Unknown image mode|Unsupported color space)", Kind.DOCUMENT, _MARKUP),
)  # fmt: skip
"""Every message WeasyPrint 70 logs at warning level or above, but lessonc's own
option errors ('Unknown PDF option'), which are bugs to report, not a class.
tests/outputs/test_pdf_messages.py checks the installed WeasyPrint against it."""


def rule_for(message: str, rules: Iterable[Rule] | None = None) -> Rule | None:
    """The first rule (of :data:`RULES` unless given) that matches, or None: nobody judged it."""
    table = RULES if rules is None else rules
    return next((rule for rule in table if rule.pattern.search(message)), None)


@dataclass(frozen=True)
class Sorted:
    """One render's messages by kind, each kept once, in the order they came."""

    environment: tuple[str, ...] = ()
    document: tuple[str, ...] = ()
    glyphs: tuple[str, ...] = ()
    """The characters themselves, not the messages."""
    unknown: tuple[str, ...] = ()


_GLYPH_TEXT = re.compile(r'unsupported by fonts: "(?P<text>.+)" \(U\+[0-9A-Fa-f]+')


def sort_messages(messages: Iterable[str], rules: Iterable[Rule] | None = None) -> Sorted:
    """Split WeasyPrint's messages by :data:`RULES`; repeats (one per font or box) are dropped."""
    rules = tuple(RULES if rules is None else rules)
    found: dict[Kind | None, list[str]] = {kind: [] for kind in (*Kind, None)}
    for message in messages:
        rule = rule_for(message, rules)
        kind = rule.kind if rule else None
        if kind is Kind.GLYPH:
            match = _GLYPH_TEXT.search(message)
            chars = match.group("text") if match else ""
            found[kind].extend(c for c in chars if c not in found[kind])
        elif message not in found[kind]:
            found[kind].append(message)
    return Sorted(
        environment=tuple(found[Kind.ENVIRONMENT]),
        document=tuple(found[Kind.DOCUMENT]),
        glyphs=tuple(found[Kind.GLYPH]),
        unknown=tuple(found[None]),
    )


def environment_advice(messages: Iterable[str]) -> tuple[str, str]:
    """The one environment warning's message and hint: what fell back, and what to install."""
    rules = [rule for m in messages if (rule := rule_for(m)) and rule.kind is Kind.ENVIRONMENT]
    summaries = list(dict.fromkeys(rule.summary for rule in rules))
    packages = list(dict.fromkeys(rule.package for rule in rules if rule.package))
    remedies = list(dict.fromkeys(rule.remedy for rule in rules if rule.remedy))
    message = "the handout was written, but WeasyPrint fell back on this machine: "
    message += "; ".join(summaries)
    advice = []
    if packages:
        names = " ".join(packages)
        advice.append(f"install the Debian package {names} (sudo apt-get install {names})")
    advice.extend(remedies)
    # Font files come from the machine (fontconfig), never from the lesson or a template.
    return message, "; ".join(advice) or "a font installed on this machine is the cause"
