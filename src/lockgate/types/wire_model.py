"""A small base for OpenAI-shaped data: attribute access, dict access and a JSON round trip.

Each concrete type is a dataclass. Fields a provider sends that the type does not declare are
kept in ``extra`` and written back by :meth:`WireModel.model_dump`, so nothing is lost when a
response passes through lockgate.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Self, TypeVar

import orjson

__all__ = ["PricedResponse", "WireModel"]

_M = TypeVar("_M", bound="WireModel")


@dataclasses.dataclass(slots=True)
class _FieldPlan:
    """How to convert one field from plain JSON data."""

    name: str
    model: type[WireModel] | None  # the field holds one WireModel
    list_model: type[WireModel] | None  # the field holds a list of WireModels


def _model_in(annotation: Any) -> tuple[type[WireModel] | None, type[WireModel] | None]:
    """Find a WireModel (or list of WireModel) inside an annotation such as ``X | None``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found != (None, None):
                return found
        return None, None
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        if isinstance(item, type) and issubclass(item, WireModel):
            return None, item
        return None, None
    if isinstance(annotation, type) and issubclass(annotation, WireModel):
        return annotation, None
    return None, None


@dataclasses.dataclass(frozen=True, slots=True)
class _Plan:
    owner: type[WireModel]  # a subclass inherits the attribute, not the plan
    fields: tuple[_FieldPlan, ...]  # declared fields, in order (for model_dump)
    names: tuple[str, ...]  # the same fields' names
    known: frozenset[str]
    # Only the fields that hold WireModels: name -> (model, list item model).
    nested: dict[str, tuple[type[WireModel] | None, type[WireModel] | None]]


def _plan(cls: type[WireModel]) -> _Plan:
    """The field plan of ``cls``, built on first use and kept on the class itself."""
    plan: _Plan | None = getattr(cls, "_wire_plan", None)
    if plan is None or plan.owner is not cls:
        plan = _build_plan(cls)
        cls._wire_plan = plan
    return plan


def _build_plan(cls: type[WireModel]) -> _Plan:
    hints = typing.get_type_hints(cls)
    plans = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]  # subclasses are dataclasses
        if field.name == "extra" or field.name.startswith("_"):
            continue  # extra is merged in; _private fields are never on the wire
        model, list_model = _model_in(hints[field.name])
        plans.append(_FieldPlan(field.name, model, list_model))
    nested = {p.name: (p.model, p.list_model) for p in plans if p.model or p.list_model}
    names = tuple(p.name for p in plans)
    return _Plan(cls, tuple(plans), names, frozenset(names), nested)


class WireModel:
    """Base of every OpenAI-shaped type (subclasses are dataclasses with an ``extra`` field)."""

    __slots__ = ()
    extra: dict[str, Any]
    _wire_plan: ClassVar[_Plan]
    # Fields left out of model_dump() when they are None (OpenAI omits them too).
    omit_when_none: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        plan = cls.__dict__.get("_wire_plan") or _plan(cls)  # the class's own, built once
        known, nested = plan.known, plan.nested
        if known.issuperset(data):
            # Only declared fields (the usual body): no per-key pass, only the nested ones.
            if not nested:
                return cls(**data)
            fields = dict(data)
            for key, models in nested.items():
                value = fields.get(key)
                if value is None:
                    continue
                model = models[0]
                # A nested object (dict, as decoded JSON is) is built here: no call for it.
                if model is not None and type(value) is dict:
                    fields[key] = model.from_dict(value)
                else:
                    fields[key] = _nested_value(models, value)
            return cls(**fields)
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for key, value in data.items():  # one pass: this runs for every response and chunk
            if key not in known:
                extra[key] = value
                continue
            if value is not None and key in nested:
                value = _nested_value(nested[key], value)
            kwargs[key] = value
        kwargs["extra"] = extra
        return cls(**kwargs)

    @classmethod
    def _wire_fields(cls) -> tuple[str, ...]:
        """The declared wire fields' names (not ``extra``, not the private ones)."""
        return _plan(cls).names

    @classmethod
    def model_validate_json(cls, raw: bytes | str) -> Self:
        data = orjson.loads(raw)
        if not isinstance(data, dict):
            raise ValueError(f"{cls.__name__} expects a JSON object")
        return cls.from_dict(data)

    def model_dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for plan in _plan(type(self)).fields:
            value = getattr(self, plan.name)
            if value is None and (exclude_none or plan.name in self.omit_when_none):
                continue
            out[plan.name] = _dump(value, exclude_none)
        for key, value in self.extra.items():
            if value is None and exclude_none:
                continue
            out[key] = _dump(value, exclude_none)
        return out

    def model_dump_json(self, *, exclude_none: bool = False) -> str:
        return self.to_json_bytes(exclude_none=exclude_none).decode()

    def to_json_bytes(self, *, exclude_none: bool = False) -> bytes:
        return orjson.dumps(self.model_dump(exclude_none=exclude_none))

    # Dict-style access, as LiteLLM users write ``response["choices"][0]["message"]``.
    def __getitem__(self, key: str) -> Any:
        if key in _plan(type(self)).known:
            return getattr(self, key)
        if key in self.extra:
            return self.extra[key]
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key in _plan(type(self)).known:
            setattr(self, key, value)
        else:
            self.extra[key] = value

    def __contains__(self, key: object) -> bool:
        return key in _plan(type(self)).known or key in self.extra

    def get(self, key: str, default: Any = None) -> Any:
        try:
            value = self[key]
        except KeyError:
            return default
        return value

    def keys(self) -> Iterator[str]:
        return iter(self.model_dump())

    def json(self) -> str:
        """LiteLLM-compatible alias of :meth:`model_dump_json`."""
        return self.model_dump_json()


def _nested_value(models: tuple[type[WireModel] | None, type[WireModel] | None], value: Any) -> Any:
    """A field holding a WireModel (or a list of them) from its decoded JSON."""
    model, item = models
    # dict first: decoded JSON is dicts, and the Mapping (ABC) check is slower.
    if model is not None and isinstance(value, (dict, Mapping)):
        return model.from_dict(value)
    if item is not None and isinstance(value, list):
        return [item.from_dict(v) if isinstance(v, (dict, Mapping)) else v for v in value]
    return value


def _dump(value: Any, exclude_none: bool) -> Any:
    if isinstance(value, WireModel):
        return value.model_dump(exclude_none=exclude_none)
    if isinstance(value, list):
        return [_dump(v, exclude_none) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v, exclude_none) for k, v in value.items()}
    return value


class PricedResponse(WireModel):
    """A response whose cost the client records in ``_hidden_params`` (LiteLLM's place)."""

    __slots__ = ()
    _hidden_params: dict[str, Any]

    @property
    def response_cost(self) -> float | None:
        """Cost of this call in USD, from the packaged price table (None if unknown)."""
        cost = self._hidden_params.get("response_cost")
        return float(cost) if cost is not None else None
