"""What the handout's CSS needs to know about a language: fonts, digits and direction.

The stylesheet is written for Latin text read left to right. For another
script this adds, after it: font families that cover the script (Debian font
packages that scripts/system-deps.sh installs), the page counter in the
language's own digits, and for a right-to-left language the mirrored page
(running headers swapped, list and table indents on the right).
"""

from __future__ import annotations

from dataclasses import dataclass

from lessonc.i18n import Catalogue

_SERIF = '"DejaVu Serif"'
_SANS = '"DejaVu Sans"'


@dataclass(frozen=True)
class ScriptFonts:
    """Families put before DejaVu for one script, and the Debian package that has them."""

    body: str
    headings: str
    package: str


SCRIPT_FONTS: dict[str, ScriptFonts] = {
    # Persian reads best in Vazirmatn (made for it) where the system has it (Debian 13:
    # fonts-vazirmatn); Noto Naskh covers all of Arabic script everywhere else.
    "fa": ScriptFonts('"Vazirmatn", "Noto Naskh Arabic"', '"Vazirmatn", "Noto Sans Arabic"',
                      "fonts-noto-core"),
    "ar": ScriptFonts('"Noto Naskh Arabic", "Vazirmatn"', '"Noto Sans Arabic", "Vazirmatn"',
                      "fonts-noto-core"),
    "ur": ScriptFonts('"Noto Nastaliq Urdu", "Noto Naskh Arabic"', '"Noto Sans Arabic"',
                      "fonts-noto-core"),
    "he": ScriptFonts('"Noto Serif Hebrew"', '"Noto Sans Hebrew"', "fonts-noto-core"),
    "hi": ScriptFonts('"Noto Serif Devanagari", "Noto Sans Devanagari"', '"Noto Sans Devanagari"',
                      "fonts-noto-core"),
    "zh": ScriptFonts('"Noto Serif CJK SC", "Noto Sans CJK SC"', '"Noto Sans CJK SC"',
                      "fonts-noto-cjk"),
    "ja": ScriptFonts('"Noto Serif CJK JP", "Noto Sans CJK JP"', '"Noto Sans CJK JP"',
                      "fonts-noto-cjk"),
    "ko": ScriptFonts('"Noto Serif CJK KR", "Noto Sans CJK KR"', '"Noto Sans CJK KR"',
                      "fonts-noto-cjk"),
}  # fmt: skip

_SANS_PARTS = (
    "h1, h2, h3, h4, .toc, table.cards th, .title-block .course, .title-block .chapter, "
    ".title-block .lesson-number, .turn .speaker, dl.terms dt, ul.choices .label, .legend span"
)
"""Every rule of handout.css set in DejaVu Sans: left to fontconfig, a Chinese heading
would take whichever CJK font it found first (often the Japanese one)."""

_COUNTER_STYLES = {"arabext": "persian", "arab": "arabic-indic", "deva": "devanagari"}
"""CSS counter styles (CSS Counter Styles 3, which WeasyPrint knows) by CLDR numbering system."""

_RTL_PAGE = """
html { direction: rtl; }
ul, ol, ol.questions, ol.answers, ul.spelled, ul.choices { padding-left: 0; }
ul, ol { padding-right: 6mm; }
ol.questions, ol.answers { padding-right: 7mm; }
ul.spelled { padding-right: 4mm; }
ul.choices { padding-right: 2mm; }
.toc ol { padding-right: 0; }
.toc ol ol { padding-right: 6mm; }
ul.choices li::before { margin-right: 0; margin-left: 2mm; }
ul.true-false li { margin-right: 0; margin-left: 12mm; }
blockquote { margin: 0 4mm 2mm 0; padding-left: 0; padding-right: 3mm;
  border-left: 0; border-right: 2pt solid #ccc; }
.quick-summary, .analogy { border-left: 0; }
table.cards th { text-align: right; }
table.cards td.front { border-right: 0; border-left: 0.6pt dotted #999; }
code, pre, .url { direction: ltr; }
@page {
  @top-left { content: string(section-title, start); }
  @top-right { content: string(course-line); }
}
@page :first { @top-left { content: none; } @top-right { content: none; } }
"""


def fonts_for(language: str) -> ScriptFonts | None:
    """The fonts a language's script needs beyond DejaVu (None: DejaVu covers it)."""
    return SCRIPT_FONTS.get(language.replace("_", "-").split("-")[0].lower())


def counter_style(words: Catalogue) -> str:
    """The CSS counter style for page numbers in the language's digits."""
    system = words.locale.default_numbering_system if words.tag != "en" else "latn"
    return _COUNTER_STYLES.get(system, "decimal")


def script_css(language: str, direction: str, words: Catalogue) -> str:
    """CSS for the language, added after the handout's stylesheet ('' for English)."""
    parts: list[str] = []
    fonts = fonts_for(language)
    if fonts is not None:
        parts.append(
            f"html {{ font-family: {fonts.body}, {_SERIF}, serif; }}\n"
            f"{_SANS_PARTS} {{ font-family: {fonts.headings}, {_SANS}, sans-serif; }}\n"
            f"@page {{ @top-left {{ font-family: {fonts.headings}, {_SANS}; }} "
            f"@top-right {{ font-family: {fonts.headings}, {_SANS}; }} "
            f"@bottom-center {{ font-family: {fonts.headings}, {_SANS}; }} }}"
        )
    style = counter_style(words)
    if style != "decimal":
        parts.append(
            f'@page {{ @bottom-center {{ content: counter(page, {style}) " / " '
            f"counter(pages, {style}); }} }}\n"
            f".toc a::after {{ content: leader('.') target-counter(attr(href), page, {style}); }}"
        )
    if direction == "rtl":
        parts.append(_RTL_PAGE)
    return "\n".join(parts)
