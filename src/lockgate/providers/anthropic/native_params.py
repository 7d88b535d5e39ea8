"""``anthropic_params`` (Anthropic request fields carried verbatim) merged into a call's params.

``/v1/messages`` sends both the OpenAI translation of a request (for whichever provider the
router picks) and the original Anthropic fields in ``anthropic_params``. For an Anthropic
upstream the originals win, and the OpenAI parameters derived from them must not be
translated a second time:

====================================  ========================================
in ``anthropic_params``               OpenAI parameter left out
====================================  ========================================
``thinking``                          ``reasoning_effort``
``output_config``                     ``reasoning_effort`` (Anthropic's own
                                      ``effort`` is not a thinking budget)
``output_config.format``              ``response_format`` (no JSON-mode tool)
====================================  ========================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lockgate.errors import BadRequestError
from lockgate.providers.anthropic_extensions import ANTHROPIC_NATIVE_PARAMS, ANTHROPIC_PARAMS

__all__ = ["with_native_params"]


def _native(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadRequestError(f"{ANTHROPIC_PARAMS} must be an object", param=ANTHROPIC_PARAMS)
    unknown = sorted(str(name) for name in value if name not in ANTHROPIC_NATIVE_PARAMS)
    if unknown:
        allowed = ", ".join(sorted(ANTHROPIC_NATIVE_PARAMS))
        raise BadRequestError(
            f"{ANTHROPIC_PARAMS} may hold only {allowed}; got {', '.join(unknown)}",
            param=f"{ANTHROPIC_PARAMS}.{unknown[0]}",
        )
    return value


def with_native_params(params: Mapping[str, Any]) -> Mapping[str, Any]:
    """``params`` with ``anthropic_params`` unpacked (unchanged when there are none)."""
    if ANTHROPIC_PARAMS not in params:
        return params
    native = _native(params[ANTHROPIC_PARAMS])
    superseded = {ANTHROPIC_PARAMS}
    if "thinking" in native or "output_config" in native:
        superseded.add("reasoning_effort")
    output_config = native.get("output_config")
    if isinstance(output_config, Mapping) and "format" in output_config:
        superseded.add("response_format")
    merged = {name: value for name, value in params.items() if name not in superseded}
    merged.update(native)
    return merged
