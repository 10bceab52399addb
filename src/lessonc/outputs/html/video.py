"""Video links and the privacy-friendly embeds a reader may load with a click."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

YOUTUBE_EMBED_HOST = "https://www.youtube-nocookie.com"
VIMEO_EMBED_HOST = "https://player.vimeo.com"
_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"})
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com"})
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")


@dataclass(frozen=True)
class VideoEmbed:
    """Where the player lives once a reader asks for it, and the origin CSP must allow."""

    src: str
    origin: str


def embed_for(url: str) -> VideoEmbed | None:
    """The embed of a YouTube or Vimeo video page, or None for any other link."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = [segment for segment in parts.path.split("/") if segment]
    if host in _YOUTUBE_HOSTS:
        candidate = None
        if path == ["watch"]:
            candidate = parse_qs(parts.query).get("v", [""])[0]
        elif len(path) == 2 and path[0] in ("embed", "shorts", "live"):
            candidate = path[1]
        return _youtube(candidate)
    if host == "youtu.be" and len(path) == 1:
        return _youtube(path[0])
    if host in _VIMEO_HOSTS and len(path) == 1 and _VIMEO_ID.match(path[0]):
        return VideoEmbed(f"{VIMEO_EMBED_HOST}/video/{path[0]}?dnt=1", VIMEO_EMBED_HOST)
    return None


def _youtube(video_id: str | None) -> VideoEmbed | None:
    # Only a well-formed id is copied into the embed URL: nothing else of the
    # author's URL reaches the iframe.
    if video_id is None or not _YOUTUBE_ID.match(video_id):
        return None
    return VideoEmbed(f"{YOUTUBE_EMBED_HOST}/embed/{video_id}", YOUTUBE_EMBED_HOST)
