"""The child side of PDF rendering: WeasyPrint with a fetcher that serves a fixed set of files.

This module runs in a separate process (see :mod:`lessonc.outputs.pdf.process`)
so a crafted document that makes layout loop can be killed. It must stay cheap
to import in the parent: WeasyPrint is imported inside :func:`render`, never at
module level. Nothing here reads the file system: the parent resolved every
allowed file through :mod:`lessonc.assets` and sends its bytes along.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import warnings
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname


@dataclass(frozen=True)
class RenderRequest:
    """Everything the child needs: the HTML, its base URL and the only files it may load."""

    html: str
    base_url: str
    """A ``file://`` URL of the lesson folder, ending in '/', so relative image paths join to it."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Allowed files by normalised absolute path (see :func:`normalise_path`)."""
    pdf_variant: str | None = None
    pdf_tags: bool = True


@dataclass(frozen=True)
class RenderResult:
    """The PDF, or why there is none; WeasyPrint's messages sorted by :mod:`.messages`."""

    pdf: bytes | None
    refused: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """Messages about the document (a resource, the CSS): any of them means no PDF."""
    error: str | None = None
    missing_glyphs: tuple[str, ...] = ()
    """Characters no installed font has (drawn as boxes): the PDF is still good otherwise."""
    environment: tuple[str, ...] = ()
    """Messages about the machine (an optional library missing): the PDF is still written."""
    unknown: tuple[str, ...] = ()
    """Messages no rule knows: shown as warnings, the PDF is still written."""


_IMPORT_MESSAGES: list[str] = []
"""Python warnings WeasyPrint gave while being imported (a missing optional library):
the import happens once per process, its messages belong to every render."""


def _import_weasyprint() -> ModuleType:
    """Import WeasyPrint, keeping the warnings its own modules give while loading."""
    loaded: ModuleType | None = sys.modules.get("weasyprint")
    if loaded is not None:
        return loaded
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")  # other packages' import warnings are not ours to show
        warnings.filterwarnings("always", module=r"weasyprint(\.|$)")
        module = importlib.import_module("weasyprint")
    _IMPORT_MESSAGES.extend(str(w.message) for w in caught)
    return module


def normalise_path(path: str) -> str:
    """One spelling per file, so the parent's allow-list and the child's look-ups agree."""
    return os.path.normpath(path)


def path_of_file_url(url: str) -> str | None:
    """The local path a ``file:`` URL names, or None for any other scheme."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        return None
    return normalise_path(url2pathname(unquote(parts.path)))


class _Capture(logging.Handler):
    """Collects WeasyPrint's warnings: a missing resource must fail the build, not vanish."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render(request: RenderRequest) -> RenderResult:
    """Render ``request.html`` to PDF bytes, reporting refused fetches and WeasyPrint's messages."""
    from lessonc.outputs.pdf.messages import sort_messages

    weasyprint = _import_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    refused: list[str] = []

    class AllowListFetcher(URLFetcher):  # type: ignore[misc]
        """Serves the allowed files from memory and refuses every other URL, of any scheme."""

        def __init__(self) -> None:
            # fail_on_errors turns a refusal into FatalURLFetchingError, which
            # stops rendering instead of leaving a hole in the PDF.
            super().__init__(
                allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True
            )

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = path_of_file_url(url)
            if path is None or path not in request.files:
                refused.append(url)
                raise PermissionError(f"lessonc serves only the lesson's own files, not {url}")
            return URLFetcherResponse(url, body=request.files[path])

    logger = logging.getLogger("weasyprint")
    capture = _Capture()
    logger.addHandler(capture)
    try:
        document = weasyprint.HTML(
            string=request.html, base_url=request.base_url, url_fetcher=AllowListFetcher()
        )
        options: dict[str, Any] = {"pdf_tags": request.pdf_tags, "pdf_identifier": True}
        if request.pdf_variant:
            options["pdf_variant"] = request.pdf_variant
        pdf = document.write_pdf(**options)
    except BaseException as error:  # FatalURLFetchingError derives from BaseException
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        found = sort_messages(capture.messages)
        return RenderResult(None, tuple(refused), (*found.document, *found.unknown), f"{error}")
    finally:
        logger.removeHandler(capture)
    # Only the document's own problems cost the PDF; the machine's (a library
    # missing), a glyph no font has and unjudged messages become warnings.
    found = sort_messages([*_IMPORT_MESSAGES, *capture.messages])
    if refused or found.document:
        return RenderResult(None, tuple(refused), found.document)
    return RenderResult(
        bytes(pdf),
        missing_glyphs=found.glyphs,
        environment=found.environment,
        unknown=found.unknown,
    )
