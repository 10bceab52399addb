"""Reference documents generated from the code, so they cannot drift from it.

* :func:`format_reference`: the lesson format, one section per part, from the
  JSON Schema the models generate (descriptions, types, defaults, examples),
  then the course file's, from the course models the same way.
* :func:`cli_reference`: every command's ``--help``, from the click commands.

Tests compare the committed ``docs/format-reference.md`` and ``docs/cli.md``
with these functions' output, like the schema test does for ``schema/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import click

from lessonc.schemas import LESSON_TEXT_ANCHOR, LESSON_TEXT_NOTE, course_schema, lesson_schema

_REF = "#/$defs/"


def _ref_name(ref: str) -> str:
    return ref.removeprefix(_REF)


def _anchor(name: str) -> str:
    return name.lower()


def _type(spec: dict[str, Any]) -> str:
    """A short Markdown type for one schema node: `text`, `list of [Choice](#choice)` …"""
    if "$ref" in spec:
        name = _ref_name(spec["$ref"])
        return f"[{name}](#{_anchor(name)})"
    if "const" in spec:
        return f"`{json.dumps(spec['const'])}`"
    if "enum" in spec:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in spec["enum"])
    for union in ("oneOf", "anyOf"):
        if union in spec:
            members = [m for m in spec[union] if m.get("type") != "null"]
            return " or ".join(_type(m) for m in members)
    kind = spec.get("type")
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if kind == "string":
        if spec.get("contentMediaType") == "text/markdown":
            return f"[lesson text](#{LESSON_TEXT_ANCHOR})"
        return "text"
    if kind == "integer":
        return "whole number"
    if kind == "boolean":
        return "`true` or `false`"
    return str(kind or "any")


def _rules(spec: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for member in [spec, *spec.get("anyOf", [])]:
        if "pattern" in member:
            found.append(f"matches `{member['pattern']}`")
        for key, words in (
            ("minimum", "at least"),
            ("maximum", "at most"),
            ("minItems", "at least {} item(s)"),
            ("maxLength", "at most {} characters"),
        ):
            if key in member:
                found.append(
                    words.format(member[key]) if "{}" in words else f"{words} {member[key]}"
                )
    return found


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _field_rows(definition: dict[str, Any]) -> Iterator[str]:
    required = set(definition.get("required", []))
    yield "| Key | Type | Required | Description | Example |"
    yield "|---|---|---|---|---|"
    for name, spec in definition.get("properties", {}).items():
        if name in required:
            need = "yes"
        elif "default" in spec and spec["default"] not in (None, []):
            need = f"no (default `{json.dumps(spec['default'], ensure_ascii=False)}`)"
        else:
            need = "no"
        # The type column links the lesson-text section already; the schema's pointer to it
        # would repeat on every text row.
        description = spec.get("description", "").removesuffix(LESSON_TEXT_NOTE)
        rules = _rules(spec)
        if rules:
            description += f" ({'; '.join(rules)})"
        examples = spec.get("examples") or [
            e for m in spec.get("anyOf", []) for e in m.get("examples", [])
        ]
        example = f"`{_shorten(json.dumps(examples[0], ensure_ascii=False))}`" if examples else ""
        yield (
            f"| `{name}` | {_cell(_type(spec))} | {need} | {_cell(description)} | "
            f"{_cell(example)} |"
        )


def _order(schema: dict[str, Any]) -> list[str]:
    """Definition names in the order a reader meets them, walking from the lesson down."""
    seen: list[str] = []
    pending = [json.dumps(schema["properties"])]
    while pending:
        text = pending.pop(0)
        for piece in text.split('"$ref": "')[1:]:
            name = _ref_name(piece.split('"', 1)[0])
            if name not in seen:
                seen.append(name)
                pending.append(json.dumps(schema["$defs"][name]))
    return seen


def format_reference() -> str:
    """The lesson format reference in Markdown, then the course file's, from the models."""
    schema = lesson_schema()
    lines = [
        "# Lesson format reference",
        "",
        "<!-- Generated from the lesson and course models by `lessonc reference -o "
        "docs/format-reference.md`; do not edit by hand. -->",
        "",
        "A lesson is one YAML file. Its top-level keys are those of **Lesson** below;",
        "each other section describes a part that appears inside it. Unknown keys are",
        "errors. *Lesson text* is Markdown with formulas, code, tables, callouts and",
        f"sub-headings ([Lesson text](#{LESSON_TEXT_ANCHOR}), after the parts); *text* is a",
        "plain line. The JSON Schema with the same content is `schema/lesson.schema.json`.",
        "The file that makes lessons a course comes last:",
        "[Course file (course.yaml)](#course-file-courseyaml).",
        "",
        "**Images and figures.** `![alt text](images/plot.png)` names an image file in the",
        "lesson's folder; inside a sentence it stays inline. Alone in its paragraph it is a",
        "*figure*: the bracket is its alt text (required), the quoted title its caption, and",
        "braces after it set `width` (`small`, `medium`, `full` or a percentage from 10% to",
        "100% in steps of 5), `credit` and `licence` (always together) and `source` (the",
        "credit's http(s) link): `![A sigmoid curve](images/sigmoid.png \"The logistic",
        'function"){width=medium credit="Jane Doe / Wikimedia Commons" licence="CC BY-SA',
        '4.0" source="https://commons.wikimedia.org/…"}`. Any other attribute, a bad width,',
        "or a credit without its licence is an error at the attribute.",
        "",
        "## Lesson",
        "",
        _cell(schema.get("description", "")),
        "",
        *_field_rows(schema),
    ]
    for name in _order(schema):
        definition = schema["$defs"][name]
        lines += ["", f"## {name}", "", _cell(definition.get("description", "")), ""]
        lines += list(_field_rows(definition))
    return "\n".join([*lines, *lesson_text_section(), *_course_section(schema["$defs"])]) + "\n"


def lesson_text_section() -> list[str]:
    """What a lesson-text field may hold and what each output makes of it. The callout kinds
    and titles, heading levels, link schemes and code-block words are read from the code
    that implements them, so this section cannot drift from it."""
    from lessonc.maths_syntax import CALLOUTS
    from lessonc.sanitise import LINK_SCHEMES
    from lessonc.textwriters import CALLOUT_TITLES, OUTPUT_LANGUAGE, subheading_level

    fence = "```"
    schemes = ", ".join(f"`{scheme}:`" for scheme in sorted(LINK_SCHEMES))
    levels = [subheading_level(hashes) for hashes in range(1, 7)]
    top = levels[0]
    heading_rows = [
        f"| {', '.join('`' + '#' * h + '`' for h in range(1, 7) if levels[h - 1] == level)} "
        f"| h{level} |"
        for level in sorted(set(levels))
    ]
    callout_rows = [
        f"| `{kind}` | {CALLOUT_TITLES[kind]} | "
        + (
            "folded until the reader opens it (the handout prints it in its answer key, the "
            "teacher edition where it stands) |"
            if kind == "solution"
            else 'a box marked as a note (`role="note"`) |'
        )
        for kind in CALLOUTS
    ]
    return [
        "",
        "## Lesson text",
        "",
        "Every field whose type is *lesson text* takes the same Markdown: CommonMark with",
        "tables and `~~strikethrough~~`, plus formulas, highlighted code, callouts and",
        "sub-headings. Raw HTML is shown as text, never run. Links go to " + schemes,
        "addresses or to a `#fragment` of the page; images name a file in the lesson's folder",
        "by a relative path (PNG, JPEG, GIF, WebP, AVIF or SVG). Each text is parsed once;",
        "each output writes that parse its own way, and every output's HTML is then",
        "sanitised in one place. Write a text that holds a backslash, as most formulas do,",
        "in single quotes or as a block (`|`): inside double quotes YAML reads `\\f` of",
        "`\\frac` as an escape.",
        "",
        "### Formulas",
        "",
        "| written | is |",
        "|---|---|",
        "| `$…$` or `\\(…\\)` | an inline formula, in the line of text |",
        "| `$$…$$` or `\\[…\\]` | a display formula, on a line of its own |",
        "",
        "Formulas are LaTeX, taken out of the text before any other Markdown, so their source",
        "reaches every output as written (`x_i*w_i` is no emphasis, `\\{` no escape). A `$`",
        "just after a digit opens no formula and a `$` just before a digit closes none, so",
        "`$5 and $10` stays text; `\\$` is always a plain dollar sign (`lessonc lint` rule",
        "L108 points at dollars that made a formula of words). A formula the writers cannot",
        "draw is `error[latex-error]` at its opening delimiter.",
        "",
        "| output | a formula becomes |",
        "|---|---|",
        "| the page (`index.html`), quiz.json's `html`, QTI | MathML, with its TeX in an "
        "`application/x-tex` annotation and as its accessible name |",
        "| the handout (PDF) | an SVG of glyph outlines (STIX Two Math), on the text's baseline |",
        "| the Anki deck, GIFT (Moodle) | TeX between `\\(…\\)` or `\\[…\\]`, which their "
        "MathJax typesets |",
        "| quiz.json's `text` and other plain text (search, lint) | its TeX between "
        "`\\(…\\)` or `\\[…\\]` |",
        "",
        "### Code",
        "",
        "````markdown",
        f"{fence}python title=sigmoid.py",
        "import math",
        "print(1 / (1 + math.exp(0)))",
        fence,
        "",
        f"{fence}{OUTPUT_LANGUAGE}",
        "0.5",
        fence,
        "````",
        "",
        "A fenced block with a language (any name Pygments knows: `python`, `js`, `bash`,",
        "`sql` …) is highlighted; an unknown language, or none, is shown plain. After the",
        "language, `title=` gives the block a caption such as its file name: `title=sigmoid.py`,",
        'or `title="my script.py"` (or single quotes) for a name with spaces. A block marked',
        f"`{OUTPUT_LANGUAGE}` shows what code printed, styled apart from code. Code, in blocks",
        "and `inline`, always reads left to right, also in a right-to-left lesson, and a long",
        "line scrolls inside its box rather than widening the page. The page and the handout",
        "colour code with classes (the page follows the reader's light or dark scheme); Anki",
        "and Moodle get inline colours, since they have no lessonc stylesheet; plain text",
        "keeps the lines as written.",
        "",
        "### Tables",
        "",
        "```markdown",
        "| x | σ(x) |",
        "|---|---:|",
        "| 0 | 0.50 |",
        "| 2 | 0.88 |",
        "```",
        "",
        "Tables are pipe tables; `:---`, `:---:` and `---:` align a column. The page and the",
        "handout rule them, and a table longer than a handout page repeats its header row on",
        "every page. Where only plain text goes (quiz.json's `text`, the search index), each",
        "row becomes a line of cells, `x | σ(x)`. Keep them small: a phone shows about four",
        "columns.",
        "",
        "### Callouts",
        "",
        "```markdown",
        "::: tip Try it",
        "Change `0` to `2` and run it again.",
        ":::",
        "```",
        "",
        "A callout opens with `:::`, its kind and an optional title, and closes with a line",
        "`:::`; between them goes any lesson text (code and formulas too). Without a title of",
        "its own a callout is titled in the lesson's language (English below). The handout,",
        "Anki and GIFT show each as a titled box, but for the handout's solutions.",
        "",
        "| kind | default title | on the page, in quiz.json's `html` and QTI |",
        "|---|---|---|",
        *callout_rows,
        "",
        "### Sub-headings",
        "",
        "The lesson's own structure owns the headings above a chapter's title (h3), so a",
        "`#` heading in lesson text sits below it. Sub-headings join the page's outline and",
        "the handout's bookmarks under their chapter. Underlined (setext) headings are not",
        "read as headings: a line of `---` under a sentence is a rule.",
        "",
        "| written | becomes |",
        "|---|---|",
        *heading_rows,
        "",
        f"(Chapter titles are h{top - 1}.)",
        "",
        "### Block content in choices",
        "",
        "Choices, matching and ordering items and other short texts are one line of inline",
        "Markdown, unless they hold a fenced or indented code block, a display formula",
        "(`$$…$$` on lines of its own) or a table: those keep their form, in every output.",
        "",
        "```yaml",
        "choices:",
        "  - text: |",
        "      ```python",
        "      >>> sigmoid(0)",
        "      0.5",
        "      ```",
        "    correct: true",
        '  - text: "$1$"',
        "```",
    ]


def _course_section(lesson_defs: dict[str, Any]) -> list[str]:
    """The course file's keys; a part the lesson shares (lint settings) links to its section."""
    schema = course_schema()
    lines = [
        "",
        "## Course file (course.yaml)",
        "",
        "Lessons become a course through a file named `course.yaml` (or `course.yml`);",
        "[courses](courses.md) shows one and what a course build makes. Unknown keys are",
        "errors. The JSON Schema with the same content is `schema/course.schema.json`.",
        "",
        _cell(schema.get("description", "")),
        "",
        *_field_rows(schema),
    ]
    for name in _order(schema):
        definition = schema["$defs"][name]
        if name in lesson_defs:
            # One heading per name keeps each link's anchor unambiguous; a shared
            # name must then be the very same part.
            if lesson_defs[name] != definition:
                raise ValueError(f"{name} differs between the lesson and course schemas")
            continue
        lines += ["", f"### {name}", "", _cell(definition.get("description", "")), ""]
        lines += list(_field_rows(definition))
    return lines


def _commands(
    chain: list[tuple[str, click.Command]],
) -> Iterator[list[tuple[str, click.Command]]]:
    yield chain
    command = chain[-1][1]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            sub = command.commands[name]
            if sub.name != name:  # an alias such as `watch`: listed under its real name
                continue
            yield from _commands([*chain, (name, sub)])


def cli_reference(root: click.Command) -> str:
    """Every command's help text as Markdown, at a fixed width so the file is stable."""
    lines = [
        "# Command-line reference",
        "",
        "<!-- Generated from the click commands by `lessonc reference --cli -o docs/cli.md`;",
        "do not edit by hand. -->",
        "",
        "`lessonc serve` can also be called as `lessonc watch`.",
    ]
    for chain in _commands([("lessonc", root)]):
        context: click.Context | None = None
        for name, command in chain:
            settings = {**command.context_settings, "terminal_width": 88, "max_content_width": 88}
            context = click.Context(command, info_name=name, parent=context, **settings)
        assert context is not None
        title = " ".join(name for name, _ in chain)
        lines += ["", f"## {title}", "", "```text", chain[-1][1].get_help(context), "```"]
    return "\n".join(lines) + "\n"


EXAMPLE_CELL_LIMIT = 80
"""A table cell shows this much of an example; the schema itself holds all of it."""


def _shorten(text: str) -> str:
    return text if len(text) <= EXAMPLE_CELL_LIMIT else text[: EXAMPLE_CELL_LIMIT - 1] + "…"
