"""WeasyPrint's messages sorted: the machine's give one warning, the document's stay errors.

Every class is driven through WeasyPrint itself. The machine without HarfBuzz-Subset is
made for real: the build runs in a child process whose dynamic loader finds an empty
file first under the library's name, so WeasyPrint's dlopen fails exactly as on a
machine where ``libharfbuzz-subset0`` is not installed.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLE, FIXTURES, ROOT, run_cli
from lessonc.diagnostics import Severity
from lessonc.outputs import BuildContext, BuildOptions
from lessonc.outputs.pdf import _machine_and_unknown_warnings
from lessonc.outputs.pdf import messages as table
from lessonc.outputs.pdf.process import render_isolated
from lessonc.outputs.pdf.worker import RenderRequest, render
from lessonc.pipeline import load_lesson

MINIMAL = FIXTURES / "pdf" / "minimal.yaml"
OUTPUTS = ("index.html", "handout.pdf", "deck.apkg", "quiz.json", "manifest.json")
HARFBUZZ_SUBSET = "libharfbuzz-subset.so.0"

_NOT_A_CLASS = re.compile(r"^(Unknown (PDF|rendering) option|Error when closing stream)")
"""Messages about lessonc's own call or WeasyPrint's internals: left to the unknown default."""


def _request(body: str) -> RenderRequest:
    html = f'<!DOCTYPE html><html lang="en"><title>t</title><body>{body}<p>x</p></body></html>'
    return RenderRequest(html=html, base_url="file:///lessonc-lesson/")


# --- the table covers what WeasyPrint says ----------------------------------------------


def _logged_messages(package: Path) -> list[tuple[str, str]]:
    """Every message WeasyPrint's source logs at warning level or above, or warns with.

    Placeholders are filled with sample values, as logging would.
    """
    samples = {"%s": "x", "%r": "'x'", "%d": "1", "%04X": "0041"}
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            call = node.func
            logged = (
                isinstance(call.value, ast.Name)
                and call.value.id == "LOGGER"
                and call.attr in ("warning", "error")
            )
            warned = isinstance(call.value, ast.Name) and call.value.id == "warnings"
            if not (logged or (warned and call.attr == "warn")) or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                text = first.value
            elif isinstance(first, ast.JoinedStr):
                text = "".join(
                    v.value if isinstance(v, ast.Constant) else "x" for v in first.values
                )
            else:
                continue
            for placeholder, value in samples.items():
                text = text.replace(placeholder, value)
            found.append((f"{path.relative_to(package)}:{node.lineno}", text))
    return found


def test_every_message_weasyprint_logs_has_a_rule() -> None:
    """A WeasyPrint upgrade with new messages turns this red until someone sorts them."""
    import weasyprint

    logged = _logged_messages(Path(weasyprint.__file__).parent)
    assert len(logged) > 60  # the scan found WeasyPrint's messages (70 logs 79)
    unsorted = [
        (where, text)
        for where, text in logged
        if table.rule_for(text) is None and not _NOT_A_CLASS.match(text)
    ]
    assert unsorted == []


def test_the_rules_sort_a_sample_of_each_class() -> None:
    kinds = {
        'Using fontTools instead of HarfBuzz-Subset for font "DejaVu Sans". This will be '
        "unsupported in future versions of WeasyPrint.": table.Kind.ENVIRONMENT,
        "Failed to load image at 'file:///a.png': gone": table.Kind.DOCUMENT,
        "Ignored `color: not-a-colour` at 1:5, invalid value.": table.Kind.DOCUMENT,
        '.notdef glyph rendered for Unicode string unsupported by fonts: "ۉ" (U+06C9)': (
            table.Kind.GLYPH
        ),
    }
    assert {m: getattr(table.rule_for(m), "kind", None) for m in kinds} == kinds
    assert table.rule_for("A message from a WeasyPrint nobody has read yet") is None


# --- the machine: one warning, the handout written ---------------------------------------


def _hiding_harfbuzz_subset(folder: Path) -> dict[str, str]:
    """An environment in which the dynamic loader cannot load HarfBuzz-Subset.

    The loader searches LD_LIBRARY_PATH first; an empty file under the library's name
    there is not an ELF object, so dlopen fails (and stops searching), as it does for a
    library that is not installed.
    """
    folder.mkdir()
    (folder / HARFBUZZ_SUBSET).write_bytes(b"")
    return {**os.environ, "LD_LIBRARY_PATH": str(folder)}


def test_the_example_builds_on_a_machine_without_harfbuzz_subset(tmp_path: Path) -> None:
    env = _hiding_harfbuzz_subset(tmp_path / "hidden")
    probe = "import weasyprint.text.ffi as f; print(f.harfbuzz_subset is None)"
    hidden = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", probe], capture_output=True, text=True, env=env
    )
    if hidden.stdout.strip() != "True":
        pytest.skip(f"this machine's loader still finds {HARFBUZZ_SUBSET}: {hidden.stderr}")
    out = tmp_path / "build"
    done = subprocess.run(
        [sys.executable, "-m", "lessonc", "build", str(EXAMPLE), "-o", str(out)],
        capture_output=True, text=True, env={**env, "SOURCE_DATE_EPOCH": "1700000000"},
        cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    folder = out / "foundation-models"
    assert [name for name in OUTPUTS if not (folder / name).is_file()] == []
    located = re.findall(r"^\S+:\d+:\d+: (\w+)\[([\w-]+)\]: (.*)$", done.stderr, re.M)
    assert [(severity, code) for severity, code, _ in located] == [("warning", "pdf-environment")]
    assert "fontTools" in located[0][2]  # WeasyPrint really fell back
    assert "libharfbuzz-subset0" in done.stderr.split("pdf-environment", 1)[1]
    if shutil.which("pdffonts"):
        listing = subprocess.run(
            ["pdffonts", str(folder / "handout.pdf")], capture_output=True, text=True, check=True
        ).stdout.splitlines()[2:]
        assert listing and all(row.split()[-5] == "yes" for row in listing)  # fonts embedded


def test_the_machine_warning_is_one_whatever_the_messages() -> None:
    messages = [
        "HarfBuzz-Subset will be required by future versions of WeasyPrint.",
        'Using fontTools instead of HarfBuzz-Subset for font "DejaVu Sans". This will …',
        'Using fontTools instead of HarfBuzz-Subset for font "DejaVu Serif". This will …',
        'Unable to subset "Odd Font" with fontTools',
    ]
    message, hint = table.environment_advice(messages)
    assert message.count("fontTools") == 1
    assert "a font file on this machine" in message
    assert hint.count("libharfbuzz-subset0") == 2  # the package, and the command installing it


# --- the document: errors, no handout, as before ----------------------------------------


def test_unsupported_css_in_a_users_template_is_an_error_and_no_handout(tmp_path: Path) -> None:
    theme = tmp_path / "theme" / "pdf"
    theme.mkdir(parents=True)
    builtin = ROOT / "templates" / "pdf" / "handout.css"
    (theme / "handout.css").write_text(
        builtin.read_text(encoding="utf-8") + "\np { text-wrap: pretty-please; }\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_cli(
        ["build", str(MINIMAL), "-o", str(out), "-f", "pdf", "--templates", str(theme.parent)]
    )
    assert result.exit_code == 1
    assert re.search(r"error\[pdf-warning\]: WeasyPrint: Ignored `text-wrap", result.stderr)
    assert not list(out.rglob("handout.pdf"))


def test_a_resource_that_cannot_be_loaded_is_refused_and_no_pdf() -> None:
    result = render_isolated(_request('<img src="missing.png" alt="a missing image">'))
    assert result.pdf is None
    assert result.refused == ("file:///lessonc-lesson/missing.png",)


# --- a message nobody judged: a warning, the handout written -----------------------------


def test_an_unknown_message_is_a_warning_and_the_pdf_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A real WeasyPrint message, rendered in this process with its rule taken out of the table."""
    css = "<style>p { color: not-a-colour }</style>"
    judged = render(_request(css))
    assert judged.pdf is None and judged.warnings  # the control: with its rule, an error
    rule = table.rule_for(judged.warnings[0])
    monkeypatch.setattr(table, "RULES", tuple(r for r in table.RULES if r is not rule))
    result = render(_request(css))
    assert result.pdf is not None and result.pdf.startswith(b"%PDF-")
    assert result.unknown == judged.warnings
    loaded = load_lesson(MINIMAL)
    ctx = BuildContext(loaded.source, BuildOptions(source_date_epoch=1_700_000_000))
    [warning] = _machine_and_unknown_warnings(result, ctx)
    assert (warning.code, warning.severity) == ("pdf-warning", Severity.WARNING)
    assert "not-a-colour" in warning.message
