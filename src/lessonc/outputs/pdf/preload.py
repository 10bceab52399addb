"""Imported by the PDF fork server only: loads WeasyPrint and renders one small page.

A render forked from a server that has never rendered pays WeasyPrint's
first-use costs (font discovery, text shaping set-up, stylesheet caches) every
time, about 10 % of a handout. Rendering a sample once here, before any fork,
lets every child inherit that state. The sample uses the built-in handout
stylesheet and the same fonts, so the warmed paths are the ones handouts take.
"""

from __future__ import annotations

import contextlib

from lessonc.outputs.pdf.worker import RenderRequest, render

SAMPLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>warm-up</title>
<style>@page {{ size: A4; }} {css}</style></head><body>
<h1>Warm-up</h1><nav class="toc"><ol><li><a href="#s">Section</a></li></ol></nav>
<section id="s"><h2>Section</h2><h3>Sub</h3>
<p>Text with <em>emphasis</em>, <strong>strength</strong> and <code>code</code>.</p>
<ul class="choices single"><li>A choice</li></ul>
<table class="cards"><tbody><tr><td class="front"><p>Front</p></td><td class="back"><p>Back</p>
</td></tr></tbody></table></section></body></html>"""


def _warm() -> None:
    try:
        from lessonc.templating import read_builtin

        css = read_builtin("pdf/handout.css")
    except OSError:
        css = ""
    # Only a speed-up: a failure here must not stop the server from serving renders.
    with contextlib.suppress(Exception):
        render(RenderRequest(html=SAMPLE.format(css=css), base_url="file:///nonexistent/"))


_warm()
