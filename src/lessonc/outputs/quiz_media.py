"""Images in the quiz exports: every ``<img src>`` of a quiz pointed at a file that travels
with it (beside ``quiz.json``, inside the QTI zip), or replaced where none can (GIFT).

The quiz model holds lesson text as sanitised HTML whose image sources are written
as in the lesson, relative to the lesson's folder; a consumer of the build folder
cannot resolve those. The files are the ones validation checked, named by content
as the page names them, so a build of several formats ships each image once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape, unescape
from typing import TypeVar

from pydantic import BaseModel

from lessonc import quiz
from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext
from lessonc.outputs.html.media import collect_media

_IMG = re.compile(r"<img\b[^>]*>")
SRC = re.compile(r'\ssrc="([^"]*)"')
"""An ``<img>`` tag's source, as the sanitiser writes it (double quotes, escaped)."""
_ALT = re.compile(r'\salt="([^"]*)"')

Node = TypeVar("Node")


def bundled(
    built: quiz.Quiz, lesson: Lesson, ctx: BuildContext, folder: str = ""
) -> tuple[quiz.Quiz, list[Artifact]]:
    """The quiz with its images pointed at ``media/…`` and those files (only the ones the
    questions show), written below ``folder``, where the HTML that names them lies."""
    # Most lessons have no image at all, and most quizzes show none: nothing to copy.
    # The first check is free (validation found the images); the second walks every text.
    if (ctx.images is not None and not ctx.images.files) or not shows_images(built):
        return built, []
    artifacts, paths = collect_media(lesson, ctx)
    used: set[str] = set()

    def point(tag: str) -> str:
        src = SRC.search(tag)
        target = paths.get(unescape(src.group(1))) if src else None
        if src is None or target is None:
            # Only a reference validation refused gets here, and it failed the build.
            return alt_text(tag)
        used.add(target)
        return f'{tag[: src.start()]} src="{escape(target)}"{tag[src.end() :]}'

    rewritten = replace_images(built, point)
    return rewritten, [Artifact(folder + a.path, a.data) for a in artifacts if a.path in used]


def shows_images(part: BaseModel) -> bool:
    """Whether the HTML of a quiz (or of one question) shows an image; its plain text may
    spell ``<img`` as words, which is no image."""
    return any("<img" in html for html in _htmls(part))


def replace_images(built: quiz.Quiz, replace: Callable[[str], str]) -> quiz.Quiz:
    """The quiz with every ``<img …>`` tag of its HTML replaced by ``replace(tag)``."""
    result: quiz.Quiz = _walk(built, lambda html: _IMG.sub(lambda m: replace(m.group(0)), html))
    return result


def alt_text(tag: str) -> str:
    """What an ``<img>`` tag says in words: its alt text, still escaped as in the tag."""
    alt = _ALT.search(tag)
    return alt.group(1) if alt else ""


def _walk(node: Node, swap: Callable[[str], str]) -> Node:
    # Rebuilt only where something changed, so a quiz without images is returned as it is.
    if isinstance(node, quiz.RichText):
        html = swap(node.html) if "<img" in node.html else node.html
        return node if html == node.html else node.model_copy(update={"html": html})
    if isinstance(node, BaseModel):
        updates = {}
        for name in type(node).model_fields:
            value = getattr(node, name)
            new = _walk(value, swap)
            if new is not value:
                updates[name] = new
        return node.model_copy(update=updates) if updates else node
    if isinstance(node, list):
        items = [_walk(item, swap) for item in node]
        changed = any(new is not old for new, old in zip(items, node, strict=True))
        return items if changed else node  # type: ignore[return-value]
    return node


def _htmls(node: object) -> list[str]:
    if isinstance(node, quiz.RichText):
        return [node.html]
    if isinstance(node, BaseModel):
        return [html for name in type(node).model_fields for html in _htmls(getattr(node, name))]
    if isinstance(node, list):
        return [html for item in node for html in _htmls(item)]
    return []
