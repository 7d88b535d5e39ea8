"""Request fields of the admin API, with LiteLLM's names, validated one by one.

An unknown field is a 400 naming it (never silently applied); LiteLLM fields lockgate does
not implement are listed in ``IGNORED`` and accepted without effect.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from lockgate.errors import BadRequestError
from lockgate.limits.windows import duration_seconds

__all__ = [
    "IGNORED",
    "LIMIT_FIELDS",
    "Parser",
    "expires_from",
    "opt_str",
    "parse_fields",
    "str_list",
]

Parser = Callable[[Any, str], Any]

_DURATION: Final = re.compile(r"[1-9][0-9]*(s|m|h|d|w|mo)")
# LiteLLM fields accepted and ignored (UI and integrations send them).
IGNORED: Final = frozenset(
    {
        "send_invite_email",
        "config",
        "permissions",
        "guardrails",
        "allowed_cache_controls",
        "spend",
        "object_permission",
        "team_member_permissions",
        "enforced_params",
        "prompts",
        "model_max_budget",
        "budget_id",
        "key_type",
        "allowed_routes",
    }
)


def _fail(name: str, what: str) -> BadRequestError:
    return BadRequestError(f"'{name}' must be {what}", param=name)


def opt_float(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _fail(name, "a number >= 0 or null")
    return float(value)


def opt_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(name, "an integer >= 0 or null")
    return value


def opt_str(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 256:
        raise _fail(name, "a string of at most 256 characters or null")
    return value


def opt_duration(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _DURATION.fullmatch(value):
        raise _fail(name, "a duration such as 30s, 12h, 30d or 1mo, or null")
    return value


def str_list(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(name, "a list of strings")
    return list(value)


def json_object(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(name, "a JSON object")
    return dict(value)


def str_map(value: Any, name: str) -> dict[str, str]:
    data = json_object(value, name)
    if not all(isinstance(v, str) for v in data.values()):
        raise _fail(name, "an object of strings")
    return data


def int_map(value: Any, name: str) -> dict[str, int]:
    data = json_object(value, name)
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in data.values()):
        raise _fail(name, "an object of integers >= 0")
    return data


def flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise _fail(name, "true or false")
    return value


# LiteLLM field -> (attribute of the row, parser), shared by keys, teams, users, orgs.
LIMIT_FIELDS: Final[dict[str, tuple[str, Parser]]] = {
    "max_budget": ("max_budget", opt_float),
    "soft_budget": ("soft_budget", opt_float),
    "budget_duration": ("budget_duration", opt_duration),
    "tpm_limit": ("tpm_limit", opt_int),
    "rpm_limit": ("rpm_limit", opt_int),
    "max_parallel_requests": ("max_parallel_requests", opt_int),
    "models": ("models", str_list),
    "metadata": ("metadata_", json_object),
}


def parse_fields(
    body: Mapping[str, Any],
    fields: Mapping[str, tuple[str, Parser]],
    *,
    consumed: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Attribute values for the fields present in ``body``; unknown fields are a 400."""
    values: dict[str, Any] = {}
    for name, value in body.items():
        if name in fields:
            attribute, parse = fields[name]
            values[attribute] = parse(value, name)
        elif name not in consumed and name not in IGNORED:
            raise BadRequestError(f"unknown field '{name}'", param=name)
    return values


def expires_from(duration: Any, name: str = "duration") -> datetime | None:
    """LiteLLM's ``duration`` ("30d"; null: never) as an expiry time."""
    text = opt_duration(duration, name)
    if text is None:
        return None
    return datetime.now(UTC) + timedelta(seconds=duration_seconds(text))
