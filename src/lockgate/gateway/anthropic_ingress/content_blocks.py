"""Anthropic user-side content blocks (text, image, document) to OpenAI content parts.

``cache_control`` is kept on the part it marks (LiteLLM's convention for OpenAI-format
messages), so an Anthropic-protocol upstream can cache the same prefix; see
:mod:`lockgate.gateway.anthropic_ingress.extensions` for removing it elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.gateway.anthropic_ingress.fields import (
    fail,
    join,
    json_type,
    opt_object,
    opt_str,
    req_object,
    req_str,
)

__all__ = ["content_parts", "media_parts", "text_part"]


def _with_cache_control(part: dict[str, Any], block: Mapping[str, Any], path: str) -> None:
    marker = opt_object(block, "cache_control", path)
    if marker is not None:
        part["cache_control"] = dict(marker)


def text_part(block: Mapping[str, Any], path: str) -> dict[str, Any]:
    part: dict[str, Any] = {"type": "text", "text": req_str(block, "text", path)}
    _with_cache_control(part, block, path)
    return part


def _image_part(block: Mapping[str, Any], path: str) -> dict[str, Any]:
    source_path = join(path, "source")
    source = req_object(block.get("source"), source_path)
    kind = req_str(source, "type", source_path)
    if kind == "base64":
        media_type = req_str(source, "media_type", source_path)
        data = req_str(source, "data", source_path)
        url = f"data:{media_type};base64,{data}"
    elif kind == "url":
        url = req_str(source, "url", source_path)
    else:
        # "file" sources name an upload in Anthropic's Files API, which no other provider has.
        fail(join(source_path, "type"), f"unsupported image source type '{kind}'")
    part: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
    _with_cache_control(part, block, path)
    return part


def _document_parts(block: Mapping[str, Any], path: str) -> list[dict[str, Any]]:
    source_path = join(path, "source")
    source = req_object(block.get("source"), source_path)
    kind = req_str(source, "type", source_path)
    parts: list[dict[str, Any]]
    if kind == "base64":
        media_type = req_str(source, "media_type", source_path)
        data = req_str(source, "data", source_path)
        title = opt_str(block, "title", path)
        file: dict[str, Any] = {"file_data": f"data:{media_type};base64,{data}"}
        file["filename"] = title or "document.pdf"
        parts = [{"type": "file", "file": file}]
    elif kind == "text":
        parts = [{"type": "text", "text": req_str(source, "data", source_path)}]
    elif kind == "content":
        inner = source.get("content")
        if isinstance(inner, str):
            parts = [{"type": "text", "text": inner}]
        else:
            parts = media_parts(inner, join(source_path, "content"), allow_documents=False)
    else:
        # "url" (a PDF the provider fetches) and "file" have no OpenAI-format equivalent.
        fail(join(source_path, "type"), f"unsupported document source type '{kind}'")
    if parts:
        _with_cache_control(parts[-1], block, path)
    return parts


def content_parts(block: Mapping[str, Any], path: str) -> list[dict[str, Any]] | None:
    """OpenAI parts for a text, image or document block; None for any other type."""
    kind = req_str(block, "type", path)
    if kind == "text":
        return [text_part(block, path)]
    if kind == "image":
        return [_image_part(block, path)]
    if kind == "document":
        return _document_parts(block, path)
    return None


def media_parts(blocks: Any, path: str, *, allow_documents: bool = True) -> list[dict[str, Any]]:
    """Parts for a list that may hold only text, image and (optionally) document blocks."""
    if not isinstance(blocks, list):
        fail(path, f"expected a string or an array of content blocks, got {json_type(blocks)}")
    parts: list[dict[str, Any]] = []
    for i, raw in enumerate(blocks):
        block_path = join(path, i)
        block = req_object(raw, block_path)
        kind = req_str(block, "type", block_path)
        if kind == "document" and not allow_documents:
            fail(join(block_path, "type"), "block type 'document' is not allowed here")
        converted = content_parts(block, block_path)
        if converted is None:
            fail(join(block_path, "type"), f"unknown block type '{kind}'")
        parts.extend(converted)
    return parts
