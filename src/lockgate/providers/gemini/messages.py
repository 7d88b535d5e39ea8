"""OpenAI chat messages to Gemini ``systemInstruction`` and ``contents``.

* ``system`` / ``developer`` messages → ``systemInstruction.parts`` (text), in order.
* ``user`` → role ``user``; ``assistant`` → role ``model``; consecutive turns of one role are
  merged (parallel function responses share one turn, as Gemini expects).
* Images and files: data URLs → ``inlineData``; other URLs → ``fileData`` with a media type
  guessed from the file name (Gemini fetches Files API, Cloud Storage and YouTube URIs;
  lockgate never downloads anything). ``input_audio`` → ``inlineData`` (``audio/<format>``).
* ``tool_calls`` → ``functionCall`` parts; the thought signature a Gemini 3 model attached to
  a call travels inside the OpenAI tool-call id (``<id>__thought__<signature>``, LiteLLM's
  convention) and is sent back as the part's ``thoughtSignature``.
* ``tool`` messages → ``functionResponse`` parts in a user turn, named after the call they
  answer; a JSON-object result is the ``response``, anything else ``{"content": ...}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from lockgate.errors import BadRequestError
from lockgate.providers.media import media_ref

__all__ = [
    "THOUGHT_SEPARATOR",
    "gemini_contents",
    "gemini_system_instruction",
    "split_tool_call_id",
]

THOUGHT_SEPARATOR = "__thought__"
Part = dict[str, Any]


def split_tool_call_id(call_id: str) -> tuple[str, str | None]:
    """``call_x__thought__SIG`` → (``call_x``, ``SIG``)."""
    plain, sep, signature = call_id.partition(THOUGHT_SEPARATOR)
    return plain, (signature or None) if sep else None


def _param(index: int) -> str:
    return f"messages[{index}]"


def _media_part(part: Mapping[str, Any], param: str) -> Part:
    ref = media_ref(part, param=param)
    if ref.url is not None:
        return {"fileData": {"mimeType": ref.media_type, "fileUri": ref.url}}
    return {"inlineData": {"mimeType": ref.media_type, "data": ref.data}}


def _audio_part(part: Mapping[str, Any], param: str) -> Part:
    audio = part.get("input_audio")
    if not isinstance(audio, Mapping) or not isinstance(audio.get("data"), str):
        raise BadRequestError("an input_audio part needs data", param=param)
    fmt = audio.get("format") if isinstance(audio.get("format"), str) else "wav"
    return {"inlineData": {"mimeType": f"audio/{fmt}", "data": audio["data"]}}


def _parts(content: Any, param: str) -> list[Part]:
    if content is None:
        return []
    if isinstance(content, str):
        return [{"text": content}] if content else []
    if not isinstance(content, list):
        raise BadRequestError("message content must be a string or a list of parts", param=param)
    parts: list[Part] = []
    for part in content:
        if isinstance(part, str):
            if part:
                parts.append({"text": part})
            continue
        if not isinstance(part, Mapping):
            raise BadRequestError("content parts must be objects", param=param)
        kind = part.get("type")
        if kind in ("text", "refusal"):
            text = part.get("text", part.get("refusal"))
            if isinstance(text, str) and text:
                parts.append({"text": text})
        elif kind in ("image_url", "file"):
            parts.append(_media_part(part, param))
        elif kind == "input_audio":
            parts.append(_audio_part(part, param))
        else:
            raise BadRequestError(f"Gemini does not accept {kind!r} content parts", param=param)
    return parts


def gemini_system_instruction(messages: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    parts: list[Part] = []
    for index, message in enumerate(messages):
        if message.get("role") in ("system", "developer"):
            parts.extend(p for p in _parts(message.get("content"), _param(index)) if "text" in p)
    return {"parts": parts} if parts else None


def _arguments(value: Any, param: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    try:
        parsed = orjson.loads(value) if isinstance(value, str) else None
    except orjson.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        raise BadRequestError("tool call arguments must be a JSON object", param=param)
    return parsed


def _model_parts(message: Mapping[str, Any], index: int, names: dict[str, str]) -> list[Part]:
    param = _param(index)
    parts = _parts(message.get("content"), param)
    for call in message.get("tool_calls") or ():
        if not isinstance(call, Mapping) or not isinstance(call.get("function"), Mapping):
            raise BadRequestError("tool_calls entries need a function", param=param)
        function = call["function"]
        name = str(function.get("name") or "")
        call_id = str(call.get("id") or "")
        names[call_id] = name
        part: Part = {
            "functionCall": {
                "name": name,
                "args": _arguments(function.get("arguments"), f"{param}.tool_calls"),
            }
        }
        signature = split_tool_call_id(call_id)[1]
        if signature:
            part["thoughtSignature"] = signature
        parts.append(part)
    return parts


def _function_response(message: Mapping[str, Any], index: int, names: Mapping[str, str]) -> Part:
    call_id = message.get("tool_call_id")
    name = names.get(call_id) if isinstance(call_id, str) else None
    name = name or message.get("name")
    if not isinstance(name, str) or not name:
        raise BadRequestError(
            "a tool message must answer a tool call of an earlier assistant message "
            "(Gemini needs the function name)",
            param=_param(index),
        )
    content = message.get("content")
    if isinstance(content, list):
        content = "".join(
            str(p.get("text", "")) for p in content if isinstance(p, Mapping) and "text" in p
        )
    response: Any = content if content is not None else ""
    if isinstance(content, str):
        try:
            response = orjson.loads(content)
        except orjson.JSONDecodeError:
            response = content
    if not isinstance(response, dict):
        response = {"content": response}
    return {"functionResponse": {"name": name, "response": response}}


def gemini_contents(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    contents: list[dict[str, Any]] = []
    names: dict[str, str] = {}  # tool call id -> function name

    def add(role: str, parts: list[Part]) -> None:
        if not parts:
            return
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})

    for index, message in enumerate(messages):
        role = message.get("role")
        if role in ("system", "developer"):
            continue
        if role == "user":
            add("user", _parts(message.get("content"), _param(index)))
        elif role == "assistant":
            add("model", _model_parts(message, index, names))
        elif role == "tool":
            add("user", [_function_response(message, index, names)])
        else:
            raise BadRequestError(
                f"message role {role!r} is not supported for Gemini", param=_param(index)
            )
    return contents
