"""Forwarding OpenAI routes that lockgate does not translate (images, audio, moderations,
responses, rerank): the body goes on unchanged except for the model name."""

from __future__ import annotations

import re

import orjson

from lockgate.errors import BadRequestError
from lockgate.providers.call import Credentials
from lockgate.providers.openai.chat import openai_headers, url_for
from lockgate.providers.spec import ProviderSpec
from lockgate.transport.messages import UpstreamRequest

__all__ = ["build_passthrough_request", "replace_multipart_model"]

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?')
_MODEL_PART = re.compile(
    rb'(content-disposition:[^\r\n]*name="model"[^\r\n]*\r\n\r\n)([^\r\n]*)', re.I
)


def replace_multipart_model(body: bytes, content_type: str, model: str) -> bytes:
    """Rewrite only the ``model`` field of a multipart form; file parts are left as bytes."""
    match = _BOUNDARY.search(content_type)
    if match is None:
        raise BadRequestError("multipart body without a boundary", param="content-type")
    rewritten, count = _MODEL_PART.subn(lambda m: m.group(1) + model.encode(), body, count=1)
    if count == 0:
        raise BadRequestError("multipart body has no 'model' field", param="model")
    return rewritten


def build_passthrough_request(
    spec: ProviderSpec,
    credentials: Credentials,
    endpoint: str,
    model: str,
    body: bytes,
    content_type: str,
) -> UpstreamRequest:
    headers = openai_headers(credentials)
    if content_type.startswith("multipart/form-data"):
        payload = replace_multipart_model(body, content_type, model)
        headers["Content-Type"] = content_type
    else:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise BadRequestError("request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise BadRequestError("request body must be a JSON object")
        data["model"] = model
        payload = orjson.dumps(data)
        if data.get("stream") is True:
            headers["Accept"] = "text/event-stream"
    return UpstreamRequest("POST", url_for(spec, credentials, endpoint), headers, payload)
