"""SCORM packages: the lesson page as one SCO an LMS plays and grades.

``scorm12`` and ``scorm2004`` write ``<id>-scorm12.zip`` and ``<id>-scorm2004.zip``:
the page exactly as the ``html`` format writes it (``index.html``, its assets and
media; the page's ``assets/scorm.js`` reports answers, score and time when an
LMS offers the SCORM API, and does nothing elsewhere) and ``imsmanifest.xml``
with one organisation, one item and one resource that lists every file.

The manifest carries the lesson's metadata inline (LOM: title, language,
description, keywords, typical learning time) and the pass mark (SCORM 1.2's
``adlcp:masteryscore``; SCORM 2004's primary objective, satisfied by measure).
It references no schema files: the XSDs of IMS and ADL are not ours to ship,
and the LMSs lessonc is tested for read a package without them (docs/lms.md).

Identifiers derive from the lesson id only, so a re-upload updates the same
activity; the zip is reproducible (sorted entries, the build's date).
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from lessonc.model import Lesson
from lessonc.outputs import Artifact, BuildContext, RenderError
from lessonc.outputs.qti import reproducible_zip

MANIFEST = "imsmanifest.xml"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class Version:
    """What differs between SCORM 1.2 and SCORM 2004 in a manifest."""

    name: str
    """The format name, also the package's file name suffix: 'scorm12' or 'scorm2004'."""
    schema_version: str
    namespaces: dict[str, str]
    scorm_type: str
    """The attribute that makes a resource a SCO (its case differs between versions)."""
    lom: str
    """Prefix of the metadata's elements."""


SCORM12 = Version(
    name="scorm12",
    schema_version="1.2",
    namespaces={
        "xmlns": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
        "xmlns:adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
        "xmlns:imsmd": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1",
    },
    scorm_type="adlcp:scormtype",
    lom="imsmd",
)
SCORM2004 = Version(
    name="scorm2004",
    schema_version="2004 4th Edition",
    namespaces={
        "xmlns": "http://www.imsglobal.org/xsd/imscp_v1p1",
        "xmlns:adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
        "xmlns:imsss": "http://www.imsglobal.org/xsd/imsss",
        "xmlns:lom": "http://ltsc.ieee.org/xsd/LOM",
    },
    scorm_type="adlcp:scormType",
    lom="lom",
)


@dataclass(frozen=True)
class Sco:
    """One lesson in a package: its item and resource."""

    key: str
    """The lesson id: every identifier of the SCO derives from it."""
    title: str
    href: str
    """The page the LMS opens, relative to the package root."""
    files: tuple[str, ...]
    pass_percent: int | None
    """The pass mark, or None for a lesson without questions (nothing to pass)."""


@dataclass(frozen=True)
class Metadata:
    """What the manifest tells an LMS's catalogue about the package."""

    title: str
    language: str
    description: str
    keywords: tuple[str, ...]
    minutes: int


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _lang_string(parent: ET.Element, version: Version, text: str, language: str) -> None:
    if version is SCORM12:
        _sub(parent, "imsmd:langstring", text, **{"xml:lang": language})
    else:
        _sub(parent, "lom:string", text, language=language)


def _lom(parent: ET.Element, version: Version, meta: Metadata) -> None:
    p = version.lom
    lom = _sub(parent, f"{p}:lom")
    general = _sub(lom, f"{p}:general")
    _lang_string(_sub(general, f"{p}:title"), version, meta.title, meta.language)
    _sub(general, f"{p}:language", meta.language)
    _lang_string(_sub(general, f"{p}:description"), version, meta.description, meta.language)
    for keyword in meta.keywords:
        _lang_string(_sub(general, f"{p}:keyword"), version, keyword, meta.language)
    educational = _sub(lom, f"{p}:educational")
    duration = f"PT{meta.minutes // 60}H{meta.minutes % 60}M"
    if version is SCORM12:
        _sub(_sub(educational, "imsmd:typicallearningtime"), "imsmd:datetime", duration)
    else:
        _sub(_sub(educational, "lom:typicalLearningTime"), "lom:duration", duration)


def _item(organisation: ET.Element, version: Version, sco: Sco) -> None:
    item = _sub(
        organisation, "item",
        identifier=f"item-{sco.key}", identifierref=f"resource-{sco.key}", isvisible="true",
    )  # fmt: skip
    _sub(item, "title", sco.title)
    if sco.pass_percent is None:
        return
    if version is SCORM12:
        _sub(item, "adlcp:masteryscore", str(sco.pass_percent))
        return
    # The LMS then hands the SCO the same pass mark as cmi.scaled_passing_score.
    objectives = _sub(_sub(item, "imsss:sequencing"), "imsss:objectives")
    primary = _sub(
        objectives, "imsss:primaryObjective",
        objectiveID=f"pass-{sco.key}", satisfiedByMeasure="true",
    )  # fmt: skip
    _sub(primary, "imsss:minNormalizedMeasure", f"{sco.pass_percent / 100:.2f}")


def manifest(version: Version, ident: str, meta: Metadata, scos: Sequence[Sco]) -> bytes:
    """``imsmanifest.xml``: one organisation with an item and a resource per SCO."""
    root = ET.Element("manifest", {"identifier": ident, "version": "1", **version.namespaces})
    metadata = _sub(root, "metadata")
    _sub(metadata, "schema", "ADL SCORM")
    _sub(metadata, "schemaversion", version.schema_version)
    _lom(metadata, version, meta)
    organisations = _sub(root, "organizations", default=f"{ident}-organisation")
    organisation = _sub(organisations, "organization", identifier=f"{ident}-organisation")
    _sub(organisation, "title", meta.title)
    for sco in scos:
        _item(organisation, version, sco)
    resources = _sub(root, "resources")
    for sco in scos:
        resource = _sub(
            resources, "resource",
            identifier=f"resource-{sco.key}", type="webcontent", href=sco.href,
            **{version.scorm_type: "sco"},
        )  # fmt: skip
        for name in sco.files:
            _sub(resource, "file", href=name)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'.encode()


def lesson_metadata(lesson: Lesson) -> Metadata:
    """The lesson's catalogue entry: its quick summary, as plain text, is the description."""
    from lessonc import markup

    return Metadata(
        title=lesson.title,
        language=lesson.language,
        description=markup.to_plain(lesson.summary.quick),
        keywords=tuple(lesson.tags),
        minutes=lesson.estimated_minutes,
    )


def page_files(lesson: Lesson, ctx: BuildContext) -> list[Artifact]:
    """The lesson page as the html format writes it for a lesson on its own.

    Built in a course, the html format links the page to the course's files, which
    are not in a lesson's package; the package gets the page of a lone lesson.
    """
    from lessonc.outputs.html import RENDERER as HTML

    options = dataclasses.replace(ctx.options, in_course=False)
    own = BuildContext(source=ctx.source, options=options)
    try:
        return list(HTML.render(lesson, own))
    finally:
        # The html format, when built too, reports the same problems: say each once.
        ctx.diagnostics.extend(d for d in own.diagnostics if d not in ctx.diagnostics)


def package_name(lesson_id: str, version: Version) -> str:
    """The package's file name in the lesson's output folder."""
    return f"{lesson_id}-{version.name}.zip"


class ScormRenderer:
    """Writes ``<id>-scorm12.zip`` or ``<id>-scorm2004.zip``."""

    def __init__(self, version: Version) -> None:
        self.version = version
        self.name = version.name

    def render(self, lesson: Lesson, ctx: BuildContext) -> Iterator[Artifact]:
        """One artifact: the package of the page and its manifest."""
        files = {artifact.path: artifact.data for artifact in page_files(lesson, ctx)}
        if MANIFEST in files:  # pragma: no cover - the html format writes no such file
            raise RenderError(f"the page has a file named {MANIFEST}")
        sco = Sco(
            key=lesson.id,
            title=lesson.title,
            href="index.html",
            files=tuple(sorted(files)),
            pass_percent=lesson.pass_percent if lesson.practice else None,
        )
        ident = f"lessonc-{lesson.id}-{self.version.name}"
        files[MANIFEST] = manifest(self.version, ident, lesson_metadata(lesson), [sco])
        data = reproducible_zip(files, ctx.options.source_date_epoch)
        yield Artifact(package_name(lesson.id, self.version), data)
