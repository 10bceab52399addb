"""The lesson as a self-contained web page: ``index.html`` plus local CSS, JS and media.

The page reads without JavaScript (every answer sits behind a disclosure, the
summary switch is radio buttons and CSS) and gains the quiz, the flashcard deck
and click-to-load videos with it. A Content-Security-Policy allows only the
page's own files, and frames only from the video hosts the lesson uses.

Built as part of a course, the page also links to the course: its home page and
the lesson's place on the navigation page, and, with JavaScript, straight to the
previous and next lessons, read from the course's reading-order script. The page itself never
names its neighbours, so adding a lesson to a course rebuilds no other lesson.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from jinja2 import Environment, TemplateNotFound
from markupsafe import Markup

from lessonc import answers, i18n, markup, templating
from lessonc.assets import text_fields
from lessonc.model import ClozeCard, Lesson
from lessonc.outputs import Artifact, BuildContext
from lessonc.outputs.html.fragments import MediaRewriter, TermLinker, cloze_faces
from lessonc.outputs.html.media import collect_media
from lessonc.outputs.html.player import AudioView, audio_view
from lessonc.outputs.html.video import VideoEmbed, embed_for
from lessonc.outputs.html.views import PageWords, QuestionView, question_views
from lessonc.sanitise import is_safe_link

PAGE = "index.html"
ASSETS = ("assets/lesson.css", "assets/lesson.js")
"""Static files beside the page; looked up like templates, so a user folder can replace them."""
LMS_ADAPTER = "assets/scorm.js"
"""The SCORM runtime adapter: reports answers and the score to an LMS that plays the page
(the scorm12 and scorm2004 packages), and does nothing when no LMS is there."""
AUDIO_SCRIPT = "assets/audio.js"
"""The audio players' script (transcript highlighting, click a turn to hear it); only pages
of a build that also makes ``--format audio`` load it."""
FIGURES_CSS = "assets/figures.css"
"""Sizes figures and sets their captions; after the theme's stylesheet, so an old page
template that links ``assets[2]`` as the theme still gets the theme."""
THEME_CSS = "assets/theme.css"
"""A stylesheet lessonc does not ship: a theme folder may add it, and it is linked after
lesson.css, so a theme overrides only the rules it changes and keeps the rest current."""
COURSE_HOME = "index.html"
"""A course's home page, at the output root beside the lesson folders."""
COURSE_DIR = "_course"
"""The course's own files, under a name no lesson id can take (ids are slugs). Named here,
below the course layer, because a lesson page built in a course links into it."""
COURSE_READING_ORDER = f"{COURSE_DIR}/reading-order.js"
COURSE_NAVIGATION = f"{COURSE_DIR}/lessons.html"
"""The course's navigation page: every lesson's place in the course (breadcrumbs, previous
and next), a section a lesson, for pages read without JavaScript. One page, not one a
lesson: making a file costs more than writing its bytes, most on a disk, and a page a
lesson was a quarter of the files an html build of a course made (measured, 500 lessons:
the html build 7% faster on ext4, 3% on tmpfs)."""
COURSE_ASSETS = f"{COURSE_DIR}/assets"
"""The page assets every lesson page of a course shares, written once by the course build
rather than once a lesson folder. Their names carry a hash of their bytes, so a page built
with other templates never loads a stylesheet or script it was not made with."""
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def link_target(url: str) -> str | None:
    """An author's http(s) URL as a valid ``href`` (percent-encoded), or None if it is not safe."""
    if not is_safe_link(url):
        return None
    # The model only asks for no whitespace; '"', '<' or '{' are still invalid in an href.
    return quote(url, safe=_URL_SAFE)


def term_anchor(key: str) -> str:
    """The id of a glossary term's ``<dt>``."""
    return f"term-{key}"


@dataclass(frozen=True)
class TocEntry:
    """One line of the table of contents, with the lines nested under it."""

    anchor: str
    title: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class VideoView:
    title: str
    url: str
    embed: VideoEmbed | None


@dataclass(frozen=True)
class CardView:
    key: str
    kind: str
    front: Markup
    back: Markup


@dataclass(frozen=True)
class CourseLinks:
    """Where a page built in a course finds the course's files, relative to the page."""

    home: str
    navigation: str
    """The lesson's place on the navigation page: breadcrumbs, previous and next."""
    reading_order: str
    """The script that gives the page's JavaScript every lesson of the course, in order."""


def course_nav_page(lesson_id: str) -> str:
    """A lesson's place on the course's navigation page, relative to the output root."""
    return f"{COURSE_NAVIGATION}#{course_nav_anchor(lesson_id)}"


def course_nav_anchor(lesson_id: str) -> str:
    """The id of a lesson's section on the navigation page. Prefixed: a lesson may be
    called ``content``, the id every course page gives its main part."""
    return f"at-{lesson_id}"


def course_links(lesson_id: str) -> CourseLinks:
    """The course links of the page of ``lesson_id``, which sits at ``<root>/<id>/index.html``."""
    return CourseLinks(
        home=f"../{COURSE_HOME}",
        navigation=f"../{course_nav_page(lesson_id)}",
        reading_order=f"../{COURSE_READING_ORDER}",
    )


@functools.lru_cache(maxsize=32)  # every page of a course links the same few assets
def shared_asset_path(asset: str, data: bytes) -> str:
    """Where a course keeps the page asset ``asset`` (``assets/lesson.css``) with bytes
    ``data``, relative to the output root: ``_course/assets/lesson.<hash>.css``."""
    stem, dot, suffix = PurePosixPath(asset).name.partition(".")
    digest = hashlib.sha256(data).hexdigest()[:_ASSET_HASH_LENGTH]
    return f"{COURSE_ASSETS}/{stem}.{digest}{dot}{suffix}"


_ASSET_HASH_LENGTH = 12
"""Hex digits of SHA-256 in a shared asset's name: a handful of versions ever sit side by
side, so 48 bits keep two of them from sharing a name."""


def course_page_assets(template_dirs: tuple[Path, ...], *, with_audio: bool) -> list[Artifact]:
    """Every asset a course's lesson pages may load, under the shared names they link.

    The course build writes these once at the output root; a page links only the ones
    it uses (figures.css only with figures), so the course has them all.
    """
    env = _environment(template_dirs)
    names = (*ASSETS, FIGURES_CSS, LMS_ADAPTER, *((AUDIO_SCRIPT,) if with_audio else ()))
    if _has_template(env, THEME_CSS):
        names += (THEME_CSS,)
    artifacts: list[Artifact] = []
    for name in names:
        data = _asset_bytes(env, name)
        artifacts.append(Artifact(shared_asset_path(name, data), data))
    return artifacts


def text_direction(language: str) -> str:
    """``rtl`` for a BCP 47 tag whose language is written right to left, else ``ltr``."""
    return i18n.text_direction(language)


@dataclass
class PageView:
    """Everything the templates show besides the lesson itself, computed once."""

    toc: list[TocEntry]
    videos: list[VideoView]
    cards: list[CardView]
    csp: str
    text_direction: str
    speakers: dict[str, object] = field(default_factory=dict)
    course: CourseLinks | None = None
    """Set when the lesson is built as part of a course."""
    lms_adapter: str | None = None
    """The SCORM adapter script the page loads after lesson.js (None: none)."""
    audio_script: str = AUDIO_SCRIPT
    """Where the page finds the audio players' script (loaded only with ``audio``)."""
    audio: AudioView | None = None
    """The audio lesson's players (None: the build makes no audio)."""
    questions: dict[str, QuestionView] = field(default_factory=dict)
    """The practice questions' rendered parts, by question key."""


def content_security_policy(frame_origins: Iterable[str], *, media: bool = False) -> str:
    """The page's CSP: its own files only; frames only from the given video origins; audio
    and its captions from the page's own files, when it has players."""
    frames = " ".join(sorted(set(frame_origins))) or "'none'"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + ("media-src 'self'; " if media else "")
        + f"frame-src {frames}; base-uri 'none'; form-action 'none'"
    )


def table_of_contents(lesson: Lesson, words: i18n.Catalogue | None = None) -> list[TocEntry]:
    """The lesson's parts in reading order, only those it has, named in the lesson's language."""
    name = (words or i18n.for_language("en")).text
    toc: list[TocEntry] = []
    if lesson.dialogue is not None:
        scenes = tuple(
            TocEntry(f"scene-{n}", scene.title) for n, scene in enumerate(lesson.dialogue.scenes, 1)
        )
        toc.append(TocEntry("dialogue", name("dialogue"), scenes))
    toc.append(TocEntry("summary", name("summary")))
    if lesson.videos:
        toc.append(TocEntry("videos", name("videos")))
    chapters = tuple(
        TocEntry(f"chapter-{n}", chapter.title) for n, chapter in enumerate(lesson.chapters, 1)
    )
    toc.append(TocEntry("chapters", name("chapters"), chapters))
    optional = (
        ("key-concepts", name("key_concepts"), lesson.key_concepts),
        ("examples", name("examples"), lesson.examples),
        ("memory-aids", name("memory_aids"), lesson.memory_aids),
        ("flashcards", name("flashcards"), lesson.flashcards),
        ("glossary", name("glossary"), lesson.glossary),
        ("practice", name("practice"), lesson.practice),
        ("references", name("references"), lesson.references),
    )
    toc.extend(TocEntry(anchor, title) for anchor, title, items in optional if items)
    return toc


def _cards(
    lesson: Lesson, block: Callable[[str], Markup], finish: Callable[[str], str]
) -> list[CardView]:
    cards: list[CardView] = []
    for card in lesson.flashcards:
        if isinstance(card, ClozeCard):
            front, back = cloze_faces(card.cloze, finish)
            if card.extra is not None:
                extra = Markup('<div class="card-extra">{}</div>').format(block(card.extra))
                back = Markup(back + extra)
            cards.append(CardView(card.key, "cloze", front, back))
        else:
            cards.append(CardView(card.key, "basic", block(card.front), block(card.back)))
    return cards


@dataclass(frozen=True)
class _PageText:
    """The text filters of the page being rendered: they know its media and glossary."""

    block: Callable[[str], Markup]
    inline: Callable[[str], Markup]
    link_terms: TermLinker


_PAGE_TEXT: ContextVar[_PageText] = ContextVar("lessonc_html_page_text")
"""Set for the length of one page's rendering. The environment is shared by every page a
process renders, so its filters look the page up here rather than being installed per page
(a context variable, not an attribute, so threads of ``lessonc serve`` never see each
other's page, and a macro imported without context still finds it)."""


@functools.cache
def _environment(template_dirs: tuple[Path, ...]) -> Environment:
    # One per process and template folders: loading and compiling the page's
    # templates again for every lesson was a third of the page's cost.
    # Jinja2 still checks each theme template's modification time (lessonc serve).
    env = templating.environment("html", template_dirs)
    env.filters["md"] = lambda text: _PAGE_TEXT.get().block(text)
    env.filters["md_inline"] = lambda text: _PAGE_TEXT.get().inline(text)
    env.filters["link_terms"] = lambda text: _PAGE_TEXT.get().link_terms(text)
    env.filters["term_anchor"] = term_anchor
    env.filters["link_target"] = link_target
    # `{% if text is holding_blocks %}`: such text needs an element that takes flow content.
    env.tests["holding_blocks"] = markup.holds_blocks
    return env


def page_environment(template_dirs: tuple[Path, ...] = ()) -> Environment:
    """The environment pages render in (one per process and template folders), filters set."""
    return _environment(template_dirs)


class HtmlRenderer:
    """Renders ``index.html`` from ``templates/html/lesson.html.j2`` and its partials."""

    name = "html"

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterable[Artifact]:
        """The page, its CSS and JS, and the images its text shows."""
        media_artifacts, media_paths = collect_media(lesson, ctx)
        env = _environment(ctx.options.template_dirs)
        finish = MediaRewriter(media_paths)

        def block(text: str) -> Markup:
            return templating.sanitised(finish(markup.to_html(text)))

        def inline(text: str) -> Markup:
            return templating.sanitised(finish(markup.to_inline_html(text)))

        videos = [VideoView(v.title, v.url, embed_for(v.url)) for v in lesson.videos]
        audio = audio_view(lesson, ctx.options.audio_format) if ctx.options.with_audio else None
        words = i18n.for_language(lesson.language, lesson.ui)
        page_words = PageWords(words)
        assets = ASSETS + ((THEME_CSS,) if _has_template(env, THEME_CSS) else ())
        if media_paths and _shows_figures(lesson):
            # Only pages with figures link their stylesheet: every other page stays as it was.
            assets += (FIGURES_CSS,)
        files = {
            name: _asset_bytes(env, name)
            for name in (*assets, LMS_ADAPTER, *((AUDIO_SCRIPT,) if audio else ()))
        }
        if ctx.options.in_course:
            # The course writes one copy of each for all its pages (see course_page_assets).
            href = {name: f"../{shared_asset_path(name, data)}" for name, data in files.items()}
        else:
            href = {name: name for name in files}
        page = PageView(
            toc=table_of_contents(lesson, words),
            videos=videos,
            cards=_cards(lesson, block, finish),
            csp=content_security_policy(
                (v.embed.origin for v in videos if v.embed), media=audio is not None
            ),
            text_direction=lesson.direction or text_direction(lesson.language),
            speakers={s.id: s for s in lesson.dialogue.speakers} if lesson.dialogue else {},
            course=course_links(lesson.id) if ctx.options.in_course else None,
            lms_adapter=href[LMS_ADAPTER],
            audio_script=href.get(AUDIO_SCRIPT, AUDIO_SCRIPT),
            audio=audio,
            questions=question_views(lesson.practice, page_words, block, inline),
        )
        text = _PAGE_TEXT.set(_PageText(block, inline, TermLinker(lesson.glossary, term_anchor)))
        try:
            html = env.get_template("lesson.html.j2").render(
                lesson=lesson,
                page=page,
                assets=tuple(href[name] for name in assets),
                t=page_words.markup,
                tt=page_words.text,
                fold_ta_marbuta=answers.folds_ta_marbuta(lesson.language),
            )
        finally:
            _PAGE_TEXT.reset(text)
        yield Artifact(PAGE, html.encode("utf-8"))
        if not ctx.options.in_course:
            for name, data in files.items():
                yield Artifact(name, data)
        yield from media_artifacts


def _shows_figures(lesson: Lesson) -> bool:
    return any(markup.has_figure(text) for _, text in text_fields(lesson) if "![" in text)


_ASSETS_READ: dict[tuple[int, str], tuple[Callable[[], bool], bytes]] = {}
"""The static files read so far, by environment and name, with the check that they are
unchanged. The environments live as long as the process (see :func:`_environment`), so
their ids are never reused."""


def _asset_bytes(env: Environment, name: str) -> bytes:
    """A static file, looked up like a template (a theme's own first); read again only once
    it changed (``lessonc serve``), as Jinja2 does for templates: reading the same three
    files through the path checks for every page of a course was a twentieth of its cost."""
    key = (id(env), name)
    known = _ASSETS_READ.get(key)
    if known is not None and known[0]():
        return known[1]
    source, _, uptodate = env.loader.get_source(env, name)  # type: ignore[union-attr]
    data = source.encode("utf-8")
    if uptodate is not None:
        _ASSETS_READ[key] = (uptodate, data)
    return data


def _has_template(env: Environment, name: str) -> bool:
    try:
        env.loader.get_source(env, name)  # type: ignore[union-attr]
    except TemplateNotFound:
        return False
    return True


RENDERER = HtmlRenderer()
