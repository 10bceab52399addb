"""Imported by the PDF fork server only: loads WeasyPrint and renders one small page.

A render forked from a server that has never rendered pays WeasyPrint's
first-use costs (font discovery, text shaping set-up) every time, about 10 %
of a handout. Rendering a sample once here, before any fork, lets every child
inherit that state. The sample uses the handout's fonts and page features; it
needs no stylesheet file, so the server imports nothing but WeasyPrint.
"""

from __future__ import annotations

import contextlib

from lessonc.outputs.pdf.worker import RenderRequest, render

SAMPLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>warm-up</title>
<style>
@page { size: A4; @top-right { content: string(t) } @bottom-center { content: counter(page) } }
html { font-family: "DejaVu Serif", serif; }
h1, h2, th { font-family: "DejaVu Sans", sans-serif; string-set: t content(); }
code { font-family: "DejaVu Sans Mono", monospace; }
a::after { content: leader(".") target-counter(attr(href), page); }
</style></head><body>
<h1>Warm-up</h1><ol><li><a href="#s">Section</a></li></ol>
<h2 id="s">Section <em>one</em></h2>
<p>Text with <em>emphasis</em>, <strong>strength</strong> and <code>code</code> ○ ☐ ✂ · – ’</p>
<table><tr><th>Front</th><td><strong>Back</strong></td></tr></table>
</body></html>"""


def _warm() -> None:
    # Only a speed-up: a failure here must not stop the server from serving renders.
    with contextlib.suppress(Exception):
        render(RenderRequest(html=SAMPLE, base_url="file:///nonexistent/"))


_warm()
