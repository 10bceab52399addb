"""Image files checked by real decoders before any output carries them.

Raster images (PNG, JPEG, GIF, WebP, AVIF) are decoded in full by Pillow, with
a cap on their pixels, so a decompression bomb, a truncated file or random
bytes named ``.png`` is an error in ``validate`` rather than a blank in the page
or a failed PDF. SVGs are parsed by lxml (no entities, no DTD, no network) and
rebuilt from an allow-list of SVG elements and attributes: opened on its own
from the build folder, an SVG is a document that can run script and fetch URLs,
so nothing that could do either survives (scripts, event handlers,
``<foreignObject>``, animation, references and CSS ``url()`` that leave the file).
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import re
import warnings
from collections.abc import Iterable

import tinycss2
from lxml import etree
from PIL import Image, UnidentifiedImageError

from lessonc.sanitise import is_safe_link

MAX_PIXELS = 50_000_000
"""Pixels an image may have, all frames together: a large photo has 24 million; a
decompression bomb unpacks a few KiB into billions."""

RASTER_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".gif": "GIF",
    ".webp": "WEBP",
    ".avif": "AVIF",
}
"""Pillow's decoder for each raster suffix: a file must hold the format its name says, which is
how browsers, WeasyPrint and Anki all pick a decoder."""


_SAME_FORMAT = {"MPO": "JPEG"}

INVALID_HINT = (
    "open it in an image editor and save it again: images must be whole PNG, JPEG, GIF, "
    f"WebP, AVIF or SVG files of at most {MAX_PIXELS // 1_000_000} million pixels"
)
_SCALE_DOWN = "scale it down: a page shows an image a few hundred pixels wide"


class InvalidImage(ValueError):
    """An image file that no output could show safely: corrupt, a bomb or not what it says."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.hint = hint


def checked_image(data: bytes, suffix: str) -> bytes:
    """The bytes to publish for an image file: rasters as they are once decoded, SVGs sanitised."""
    if suffix == ".svg":
        return sanitise_svg(data)
    decode_raster(data, RASTER_FORMATS[suffix])
    return data


def decode_raster(data: bytes, expected: str) -> None:
    """Decode every frame of ``data``; raises :class:`InvalidImage` unless all is well."""
    with warnings.catch_warnings():
        # Pillow warns above its own (higher) limit; the cap below decides, as an error.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                found = image.format or "unknown"
                # Cameras write MPO: a JPEG with a second picture that every JPEG reader skips.
                if _SAME_FORMAT.get(found, found) != expected:
                    suffix = next((s for s, f in RASTER_FORMATS.items() if f == found), None)
                    raise InvalidImage(
                        f"holds {found} data, not {expected}",
                        f"rename it to {suffix}" if suffix else None,
                    )
                frames = getattr(image, "n_frames", 1)
                width, height = image.size
                if width * height * frames > MAX_PIXELS:
                    in_frames = f" in {frames} frames" if frames > 1 else ""
                    raise InvalidImage(
                        f"is {width}×{height} pixels{in_frames}; the limit is {MAX_PIXELS:,}",
                        _SCALE_DOWN,
                    )
                for frame in range(frames):
                    image.seek(frame)
                    image.load()
        except InvalidImage:
            raise
        except Image.DecompressionBombError:
            raise InvalidImage(f"has more than {MAX_PIXELS:,} pixels", _SCALE_DOWN) from None
        except UnidentifiedImageError:
            raise InvalidImage(f"is not a readable {expected} image (damaged or cut)") from None
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            # Pillow reports truncated and corrupt data as OSError or SyntaxError.
            raise InvalidImage(f"cannot be decoded: {error}") from None


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

SVG_ELEMENTS = frozenset(
    """svg g defs desc title symbol use switch a image path rect circle ellipse line polyline
    polygon text tspan textPath marker pattern clipPath mask linearGradient radialGradient stop
    style filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight
    feSpecularLighting feSpotLight feTile feTurbulence""".split()  # noqa: SIM905 (a word list)
)
"""Elements that draw or describe: no script, foreignObject, animation (which can rewrite an
href to ``javascript:``), feImage, iframe or anything of another namespace."""

SVG_ATTRIBUTES = frozenset(
    """id class style lang tabindex role x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d
    points pathLength transform viewBox preserveAspectRatio version baseProfile offset
    gradientUnits gradientTransform spreadMethod patternUnits patternContentUnits patternTransform
    clipPathUnits maskUnits maskContentUnits markerUnits markerWidth markerHeight refX refY orient
    dx dy rotate textLength lengthAdjust startOffset method spacing side path filterUnits
    primitiveUnits in in2 result stdDeviation mode operator k1 k2 k3 k4 type values tableValues
    slope intercept amplitude exponent surfaceScale diffuseConstant specularConstant
    specularExponent kernelMatrix order divisor bias targetX targetY edgeMode kernelUnitLength
    preserveAlpha radius scale xChannelSelector yChannelSelector baseFrequency numOctaves seed
    stitchTiles azimuth elevation pointsAtX pointsAtY pointsAtZ limitingConeAngle z
    requiredExtensions systemLanguage media href
    fill fill-opacity fill-rule stroke stroke-width stroke-linecap stroke-linejoin
    stroke-miterlimit stroke-dasharray stroke-dashoffset stroke-opacity opacity color display
    visibility clip-path clip-rule clip mask filter marker-start marker-mid marker-end
    font-family font-size font-size-adjust font-style font-weight font-variant font-stretch
    text-anchor text-decoration dominant-baseline alignment-baseline baseline-shift
    letter-spacing word-spacing writing-mode direction unicode-bidi paint-order vector-effect
    shape-rendering text-rendering image-rendering color-interpolation
    color-interpolation-filters overflow transform-origin mix-blend-mode isolation stop-color
    stop-opacity flood-color flood-opacity lighting-color""".split()  # noqa: SIM905
)
"""Geometry, presentation and accessibility attributes; nothing named ``on…``."""

_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]*)$", re.I)
_FETCHING_CSS_FUNCTIONS = frozenset(
    {"image-set", "-webkit-image-set", "image", "cross-fade", "element"}
)
"""CSS functions that load an image from a string as well as from url()."""


def sanitise_svg(data: bytes) -> bytes:
    """The SVG rebuilt from allowed elements and attributes; raises :class:`InvalidImage`."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as error:
        raise InvalidImage(f"is not well-formed XML: {error.msg}") from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # Entities are how XML bombs and external-file reads are spelt; a plain DOCTYPE
        # (as editors write) is harmless and left out of the rebuilt file.
        raise InvalidImage("declares entities; save it without a DOCTYPE")
    root = tree.getroot()
    if root.tag != f"{{{SVG_NS}}}svg":
        raise InvalidImage(f"is not an SVG document (its root is <{etree.QName(root).localname}>)")
    clean = etree.Element(root.tag, nsmap={None: SVG_NS})
    _copy_allowed(root, clean)
    rebuilt: bytes = etree.tostring(clean, encoding="utf-8", xml_declaration=True)
    return rebuilt + b"\n"


def _copy_allowed(element: etree._Element, copy: etree._Element) -> None:
    """Give ``copy`` the allowed attributes, text and (recursively) children of ``element``."""
    name = etree.QName(element).localname
    for attribute, value in element.attrib.items():
        kept = _clean_attribute(name, str(attribute), str(value))
        if kept is not None:
            copy.set(*kept)
    if name == "style":
        copy.text = _clean_stylesheet(element.text or "")
        return
    copy.text = element.text
    for child in element:
        # Entity references and elements of other namespaces are not SVG elements.
        if (
            isinstance(child.tag, str)
            and child.tag.startswith(f"{{{SVG_NS}}}")
            and etree.QName(child).localname in SVG_ELEMENTS
        ):
            child_copy = etree.SubElement(copy, child.tag)
            _copy_allowed(child, child_copy)
            child_copy.tail = child.tail
            if child_copy.tag in _NEEDS_HREF and child_copy.get("href") is None:
                # Nothing left to draw, and renderers fetch an empty reference (WeasyPrint
                # fails on it): the element goes, its text stays.
                _drop_keeping_tail(child_copy)


def _clean_attribute(element: str, attribute: str, value: str) -> tuple[str, str] | None:
    if attribute in (f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"):
        return attribute, value
    if attribute == f"{{{XLINK_NS}}}href":
        attribute = "href"  # SVG 2 spelling; the xlink: one means the same to every renderer
    if attribute not in SVG_ATTRIBUTES:
        return None
    if attribute == "href":
        return ("href", value) if _safe_href(element, value) else None
    if _MAY_FETCH.search(value) is None:
        return attribute, value  # most values (numbers, colours, paths): nothing to parse
    if attribute == "style":
        return attribute, _clean_style(value)
    return (attribute, value) if _value_is_local(value) else None


_MAY_FETCH = re.compile(r"url|image|element|cross-fade|src|\\", re.IGNORECASE)
"""What every CSS reference to another file contains (a backslash may escape any of it)."""


@functools.lru_cache(maxsize=1024)
def _value_is_local(value: str) -> bool:
    # Cached: drawings repeat the same fill="url(#gradient)" thousands of times.
    return _local_only(tinycss2.parse_component_value_list(value))


@functools.lru_cache(maxsize=1024)
def _clean_style(value: str) -> str:
    return _clean_declarations(value)


def _safe_href(element: str, value: str) -> bool:
    """Links may go to http(s), mail or a fragment; everything else only to this file's own ids,
    except an embedded raster image, which is decoded like any other."""
    target = value.strip()
    if element == "a":
        return is_safe_link(target)
    if element == "image":
        match = _DATA_IMAGE.match(target)
        if match is None:
            return False
        try:
            embedded = base64.b64decode("".join(match.group(2).split()), validate=True)
            decode_raster(embedded, match.group(1).upper())
        except (binascii.Error, InvalidImage):
            return False
        return True
    return target.startswith("#")


def _clean_stylesheet(css: str) -> str:
    """The style sheet's rules with only safe declarations; at-rules (@import, @font-face …)
    dropped, as each can fetch."""
    kept = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type == "qualified-rule":
            prelude = tinycss2.serialize(rule.prelude).strip()
            kept.append(f"{prelude} {{ {_clean_declarations(rule.content)} }}")
    return "\n".join(kept)


def _clean_declarations(css: str | list[object]) -> str:
    declarations = tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True)
    return "; ".join(
        f"{d.name}: {tinycss2.serialize(d.value).strip()}" + (" !important" if d.important else "")
        for d in declarations
        if d.type == "declaration" and _local_only(d.value)
    )


def _local_only(tokens: Iterable[object]) -> bool:
    """Whether CSS ``tokens`` reference nothing but fragments of this file (``url(#id)``)."""
    for token in tokens:
        kind = getattr(token, "type", "")
        if kind == "url" and not str(getattr(token, "value", "")).startswith("#"):
            return False
        if kind == "function":
            name = getattr(token, "lower_name", "")
            if name in _FETCHING_CSS_FUNCTIONS:
                return False
            arguments = list(getattr(token, "arguments", []))
            if name in ("url", "src"):
                strings = [a for a in arguments if getattr(a, "type", "") == "string"]
                if not strings or not all(str(s.value).startswith("#") for s in strings):
                    return False
            if not _local_only(arguments):
                return False
        if kind in ("() block", "[] block", "{} block") and not _local_only(
            getattr(token, "content", [])
        ):
            return False
    return True


_NEEDS_HREF = frozenset({f"{{{SVG_NS}}}image", f"{{{SVG_NS}}}use"})


def _drop_keeping_tail(element: etree._Element) -> None:
    parent = element.getparent()
    previous = element.getprevious()
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)
