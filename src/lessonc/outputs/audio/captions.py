"""WebVTT captions and the podcast feed of the audio lesson."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Cue:
    cue_id: str
    start: float
    end: float
    voice: str
    text: str


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02}:{minutes:02}:{rest // 1000:02}.{rest % 1000:03}"


def _vtt_text(text: str) -> str:
    # A cue's text may not hold "-->" nor a blank line; & and < start markup.
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def _vtt_voice(name: str) -> str:
    # The voice tag's annotation runs to the '>': keep it to plain words.
    return " ".join(_vtt_text(name).replace("&gt;", "").split()) or "Speaker"


def webvtt(cues: list[Cue]) -> bytes:
    """The captions: one cue per turn or sentence, the speaker as its voice tag."""
    lines = ["WEBVTT", ""]
    for cue in cues:
        lines += [cue.cue_id, f"{_timestamp(cue.start)} --> {_timestamp(cue.end)}",
                  f"<v {_vtt_voice(cue.voice)}>{_vtt_text(cue.text)}", ""]  # fmt: skip
    return "\n".join(lines).encode("utf-8")


@dataclass(frozen=True)
class FeedItem:
    title: str
    file_name: str
    size: int
    mime: str
    seconds: float
    guid: str


def feed(title: str, description: str, language: str, epoch: int, items: list[FeedItem]) -> bytes:
    """RSS 2.0 with one enclosure per file; URLs relative, so the folder can move anywhere."""
    date = format_datetime(datetime.fromtimestamp(epoch, UTC))
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">',
        "<channel>",
        f"<title>{escape(title)}</title>",
        "<link>../index.html</link>",
        f"<description>{escape(description)}</description>",
        f"<language>{escape(language)}</language>",
        f"<lastBuildDate>{date}</lastBuildDate>",
    ]
    for item in items:
        duration = round(item.seconds)
        parts += [
            "<item>",
            f"<title>{escape(item.title)}</title>",
            f'<enclosure url={quoteattr(item.file_name)} length="{item.size}" '
            f"type={quoteattr(item.mime)}/>",
            f'<guid isPermaLink="false">{escape(item.guid)}</guid>',
            f"<pubDate>{date}</pubDate>",
            f"<itunes:duration>{duration // 60}:{duration % 60:02}</itunes:duration>",
            "</item>",
        ]
    parts += ["</channel>", "</rss>", ""]
    return "\n".join(parts).encode("utf-8")
