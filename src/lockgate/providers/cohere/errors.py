"""Cohere errors: ``{"message": ...}`` (sometimes with an ``id``) and the HTTP status.

Cohere's own statuses 498 (invalid token) and 499 (request cancelled) are reported as 401
and 408. "too many tokens" messages are context-window errors.
"""

from __future__ import annotations

import dataclasses

from lockgate.errors import LockgateError
from lockgate.providers.openai.errors import map_openai_error
from lockgate.transport.messages import UpstreamResponse

__all__ = ["map_cohere_error"]

_STATUS = {498: 401, 499: 408}


def map_cohere_error(response: UpstreamResponse) -> LockgateError:
    if response.status in _STATUS:
        response = dataclasses.replace(response, status=_STATUS[response.status])
    return map_openai_error(response)
