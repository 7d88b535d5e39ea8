"""Images and files in OpenAI content parts: data URLs, remote URLs and their media types.

Shared by the adapters whose providers take media in their own shapes (Anthropic image and
document blocks, Gemini ``inlineData`` / ``fileData``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from lockgate.errors import BadRequestError

__all__ = ["DataUrl", "MediaRef", "guess_media_type", "media_ref", "parse_data_url"]

_MEDIA_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "gif": "image/gif",
        "webp": "image/webp",
        "heic": "image/heic",
        "heif": "image/heif",
        "pdf": "application/pdf",
        "txt": "text/plain",
        "html": "text/html",
        "csv": "text/csv",
        "md": "text/markdown",
        "mp3": "audio/mpeg",
        "wav": "audio/wav",
        "flac": "audio/flac",
        "ogg": "audio/ogg",
        "mp4": "video/mp4",
        "mov": "video/quicktime",
        "webm": "video/webm",
    }
)


@dataclass(frozen=True, slots=True)
class DataUrl:
    media_type: str
    data: str  # base64, as it was in the URL


@dataclass(frozen=True, slots=True)
class MediaRef:
    """An image or file a content part points at: inline base64 data or a remote URL."""

    media_type: str
    data: str | None = None  # base64, for inline media
    url: str | None = None  # for remote media


def parse_data_url(url: str, *, param: str = "messages") -> DataUrl:
    """``data:image/png;base64,iVBOR...`` → (``image/png``, ``iVBOR...``)."""
    header, sep, data = url.partition(",")
    if not sep or not header.startswith("data:"):
        raise BadRequestError("malformed data URL in a content part", param=param)
    meta = header[len("data:") :].split(";")
    if "base64" not in meta[1:]:
        raise BadRequestError("data URLs in content parts must be base64-encoded", param=param)
    media_type = meta[0].strip().lower() or "application/octet-stream"
    return DataUrl(media_type, data)


def guess_media_type(url: str, default: str = "image/jpeg") -> str:
    """The media type a remote file's name suggests (``.png`` → ``image/png``).

    A fixed table rather than :mod:`mimetypes`, which reads the system's type files.
    """
    path = urlsplit(url).path.lower()
    _, dot, extension = path.rpartition(".")
    return _MEDIA_TYPES.get(extension, default) if dot else default


def _url_of(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("url"), str):
        url: str = value["url"]
        return url
    return None


def media_ref(part: Mapping[str, Any], *, param: str = "messages") -> MediaRef:
    """The media of an OpenAI ``image_url`` or ``file`` content part."""
    kind = part.get("type")
    if kind == "image_url":
        url = _url_of(part.get("image_url"))
        if not url:
            raise BadRequestError("an image_url part needs a url", param=param)
        if url.startswith("data:"):
            parsed = parse_data_url(url, param=param)
            return MediaRef(parsed.media_type, data=parsed.data)
        return MediaRef(guess_media_type(url), url=url)
    if kind == "file":
        file = part.get("file")
        if not isinstance(file, Mapping):
            raise BadRequestError("a file part needs a file object", param=param)
        data = file.get("file_data")
        if isinstance(data, str) and data.startswith("data:"):
            parsed = parse_data_url(data, param=param)
            return MediaRef(parsed.media_type, data=parsed.data)
        if isinstance(data, str) and data:
            name = file.get("filename")
            media_type = guess_media_type(name, "application/pdf") if isinstance(name, str) else ""
            return MediaRef(media_type or "application/pdf", data=data)
        raise BadRequestError(
            "file parts need file_data (uploaded file ids are OpenAI-only)", param=param
        )
    raise BadRequestError(f"content part type {kind!r} carries no media", param=param)
