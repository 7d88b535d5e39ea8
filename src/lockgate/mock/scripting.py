"""Where a request's behaviour comes from: headers, the script queue, the model name.

Precedence, strongest first: `x-mock-*` headers, the next queued script entry (for this model,
else the global queue), directives in a `mock-...` model name, `MockSettings` defaults.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lockgate.mock.behaviour import ERROR_KINDS, Behaviour, BehaviourError

__all__ = [
    "HEADER_FIELDS",
    "MODEL_PREFIX",
    "ModelNameCache",
    "ScriptQueue",
    "behaviour_from_headers",
    "behaviour_from_model",
    "parse_script",
]

MODEL_PREFIX = "mock-"


def _split_usage(raw: str) -> tuple[int, int]:
    prompt, sep, completion = raw.partition(",")
    if not sep:
        raise ValueError(raw)
    return int(prompt), int(completion)


# Header name -> (Behaviour field, parser). Parsers raise ValueError on bad input.
HEADER_FIELDS: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("x-mock-status", "status", int),
    ("x-mock-error", "error", str.strip),
    ("x-mock-retry-after", "retry_after_s", float),
    ("x-mock-latency-ms", "latency_ms", float),
    ("x-mock-tokens-per-second", "tokens_per_second", float),
    ("x-mock-break-after", "break_after", int),
    ("x-mock-stream-error-after", "stream_error_after", int),
    ("x-mock-content", "content", str),
    ("x-mock-reply-tokens", "reply_tokens", int),
    ("x-mock-usage", "usage", _split_usage),
)


def behaviour_from_headers(headers: Mapping[str, str]) -> Behaviour | None:
    """The behaviour scripted by `x-mock-*` headers, or None when there are none."""
    values: dict[str, Any] = {}
    for header, field, parse in HEADER_FIELDS:
        raw = headers.get(header)
        if raw is None:
            continue
        try:
            values[field] = parse(raw)
        except ValueError:
            raise BehaviourError(f"invalid {header} header: {raw!r}") from None
    if not values:
        return None
    return Behaviour(**values).checked()


def _duration_ms(raw: str) -> float:
    """`200ms`, `1.5s` or a bare number of milliseconds."""
    if raw.endswith("ms"):
        return float(raw[:-2])
    if raw.endswith("s"):
        return float(raw[:-1]) * 1000.0
    return float(raw)


def _seconds(raw: str) -> float:
    """`2s`, `500ms` or a bare number of seconds."""
    return _duration_ms(raw if raw.endswith("s") else raw + "s") / 1000.0


# Model-name directive -> (Behaviour field, parser of the word that follows it).
_MODEL_DIRECTIVES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "slow": ("latency_ms", _duration_ms),
    "latency": ("latency_ms", _duration_ms),
    "tps": ("tokens_per_second", float),
    "break": ("break_after", int),
    "midstream": ("stream_error_after", int),
    "tokens": ("reply_tokens", int),
    "retry": ("retry_after_s", _seconds),
}


def behaviour_from_model(model: str) -> Behaviour | None:
    """Directives in a model name such as `mock-error-429-retry-2s` or `mock-a-slow-200ms-tps-50`.

    Words that are not directives are ignored, so names can carry labels
    (`mock-east-slow-50ms` and `mock-west-slow-50ms` are distinct deployments).
    """
    if not model.startswith(MODEL_PREFIX):
        return None
    words = model[len(MODEL_PREFIX) :].split("-")
    values: dict[str, Any] = {}
    i = 0
    while i < len(words) - 1:
        word, arg = words[i], words[i + 1]
        try:
            if word == "error":
                if arg.isdigit():
                    values["status"] = int(arg)
                elif arg in ERROR_KINDS:
                    values["error"] = arg
                else:
                    raise ValueError(arg)
            elif word in _MODEL_DIRECTIVES:
                field, parse = _MODEL_DIRECTIVES[word]
                values[field] = parse(arg)
            else:
                i += 1
                continue
        except ValueError:
            raise BehaviourError(f"invalid directive {word}-{arg} in model {model!r}") from None
        i += 2
    return Behaviour(**values).checked() if values else None


class ModelNameCache:
    """Parsed model-name directives, so a benchmark's hot path parses each name once."""

    _LIMIT = 4096

    def __init__(self) -> None:
        self._parsed: dict[str, Behaviour | None] = {}

    def get(self, model: str) -> Behaviour | None:
        try:
            return self._parsed[model]
        except KeyError:
            pass
        behaviour = behaviour_from_model(model)
        if len(self._parsed) >= self._LIMIT:
            self._parsed.clear()
        self._parsed[model] = behaviour
        return behaviour


ScriptEntry = tuple[str | None, Behaviour]


def parse_script(payload: Any) -> list[ScriptEntry]:
    """Entries of `POST /__mock/script`.

    Accepts a list of behaviour objects (each may carry `"model"` and `"times"`) or an
    object mapping a model name to such a list.
    """
    if isinstance(payload, Mapping):
        entries: list[ScriptEntry] = []
        for model, items in payload.items():
            if not isinstance(items, list):
                raise BehaviourError(f"script for model {model!r} must be a list")
            entries.extend(_entries(items, default_model=str(model)))
        return entries
    if isinstance(payload, list):
        return _entries(payload, default_model=None)
    raise BehaviourError("script must be a JSON list of behaviours or an object of lists")


def _entries(items: Iterable[Any], default_model: str | None) -> list[ScriptEntry]:
    entries: list[ScriptEntry] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise BehaviourError("each script entry must be a JSON object")
        model = item.get("model", default_model)
        if model is not None and not isinstance(model, str):
            raise BehaviourError("script entry 'model' must be a string")
        times = item.get("times", 1)
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise BehaviourError("script entry 'times' must be a positive integer")
        behaviour = Behaviour.from_mapping(item)
        entries.extend([(model, behaviour)] * times)
    return entries


class ScriptQueue:
    """Behaviours consumed one per request: a queue per model name, then a global one."""

    def __init__(self) -> None:
        self._global: deque[Behaviour] = deque()
        self._by_model: dict[str, deque[Behaviour]] = {}
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def push(self, entries: Iterable[ScriptEntry]) -> None:
        for model, behaviour in entries:
            if model is None:
                self._global.append(behaviour)
            else:
                self._by_model.setdefault(model, deque()).append(behaviour)
            self._size += 1

    def pop(self, model: str) -> Behaviour | None:
        if not self._size:
            return None
        queue = self._by_model.get(model)
        if queue:
            self._size -= 1
            return queue.popleft()
        if self._global:
            self._size -= 1
            return self._global.popleft()
        return None

    def pending(self) -> dict[str, int]:
        counts = {model: len(q) for model, q in self._by_model.items() if q}
        if self._global:
            counts["*"] = len(self._global)
        return counts

    def clear(self) -> None:
        self._global.clear()
        self._by_model.clear()
        self._size = 0
