"""Deployments: ``/model/info`` and ``/v2/model/info`` (any caller; credentials redacted; a
key restricted to some models, by its own ``models`` or its team's, organisation's or
user's, sees only those) and, for proxy admins, ``/model/new``,
``/model/update`` (also ``PATCH /model/{id}/update``) and ``/model/delete``.

Deployments added here are stored with their ``litellm_params`` encrypted, apply on this
instance at once and on the others through the invalidation channel. No route returns a
credential: answers, audit rows and errors show the redacted view only.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Final, NoReturn

from lockgate.errors import BadRequestError, LockgateError, NotFoundError
from lockgate.gateway.control_plane import ControlPlane
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routes.admin.common import (
    audit,
    caller,
    control_of,
    json_body,
    query,
    respond,
)
from lockgate.gateway.routes.admin.model_checks import checked_deployment, redacted_view
from lockgate.keys.credential_cipher import CredentialDecryptError
from lockgate.keys.deployment_store import StoredDeployment
from lockgate.keys.model_scope import refusing_level
from lockgate.providers.registry import ProviderRegistry

__all__ = ["delete_model", "model_info", "new_model", "patch_model", "update_model"]

_FIELDS: Final = frozenset({"model_name", "litellm_params", "model_info"})
_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}")
_DERIVED_INFO: Final = frozenset({"id", "db_model"})  # set by the gateway, never stored
_PATCH_SUFFIX: Final = "/update"


class ConfigDeploymentError(LockgateError):
    default_status = 400
    default_type = "invalid_request_error"


# ------------------------------------------------------------------ reading
async def model_info(exchange: Exchange) -> None:
    principal = caller(exchange)
    state = exchange.state
    listing = getattr(state.dispatcher, "get_model_list", None)
    deployments: list[dict[str, Any]] = (
        listing() if callable(listing) else list(state.config.to_redacted_dict()["model_list"])  # type: ignore[call-overload]
    )
    if principal.virtual:
        deployments = _callable_by(state.control, principal.key_id, deployments)
    params = query(exchange)
    wanted_id = params.get("litellm_model_id") or params.get("model_id")
    if wanted_id:
        deployments = [d for d in deployments if d["model_info"].get("id") == wanted_id]
    wanted_name = params.get("model")
    if wanted_name:
        deployments = [d for d in deployments if d["model_name"] == wanted_name]
    await respond(exchange, {"data": deployments})


# ------------------------------------------------------------------ helpers
def _callable_by(
    control: ControlPlane | None, key_id: str, deployments: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The deployments a virtual key may call, as admission decides: its own ``models``,
    its team's and organisation's (or its user's)."""
    key = control.cache.key(key_id) if control is not None else None
    if control is None or key is None:
        return []  # the key was deleted meanwhile
    return [
        d for d in deployments if refusing_level(control.cache, key, str(d["model_name"])) is None
    ]


def _fields(body: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadRequestError(f"unknown field {unknown[0]!r}", param=unknown[0])


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequestError(f"{name} must be an object", param=name)
    return value


def _is_config_deployment(exchange: Exchange, ident: str) -> bool:
    base = exchange.state.base_config or exchange.state.config
    finder = getattr(exchange.state.dispatcher, "get_deployment", None)
    found = finder(ident) if callable(finder) else None
    config = getattr(found, "config", None)
    return config is not None and any(config is d for d in base.model_list)


async def _checked(exchange: Exchange, stored: StoredDeployment) -> dict[str, Any]:
    """The redacted view of ``stored`` once it passed every check (400 otherwise)."""
    deployment = await checked_deployment(
        stored, exchange.state.client.transport.policy, ProviderRegistry()
    )
    view = deployment.to_dict()
    return {"model_id": stored.id, **view}


async def _load(control: ControlPlane, ident: str) -> StoredDeployment | None:
    try:
        return await control.deployments.get(ident)
    except CredentialDecryptError as error:
        raise ConfigDeploymentError(
            f"deployment {ident!r}: its credentials {error}; it cannot be changed here "
            "(delete it, or re-encrypt with `lockgate keys rotate-encryption`)",
            param="id",
        ) from None


async def _not_stored(exchange: Exchange, ident: str) -> NoReturn:
    if _is_config_deployment(exchange, ident):
        raise ConfigDeploymentError(
            f"deployment {ident!r} is defined in the config file: change it there",
            param="id",
        )
    raise NotFoundError(f"no deployment with id {ident!r}", param="id", code="model_not_found")


def _merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """LiteLLM's update: the given keys replace the stored ones; ``null`` removes a key."""
    out = dict(current)
    for key, value in changes.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


# ------------------------------------------------------------------ changing
async def new_model(exchange: Exchange) -> None:
    control = control_of(exchange)
    body = json_body(exchange)
    _fields(body, _FIELDS)
    info = _object(body, "model_info")
    ident = info.get("id")
    if ident is None:
        ident = uuid.uuid4().hex
    elif not isinstance(ident, str) or not _ID.fullmatch(ident):
        raise BadRequestError(
            "model_info.id must be 1-64 letters, digits, '.', '_', ':' or '-'",
            param="model_info.id",
        )
    elif await control.deployments.exists(ident) or _is_config_deployment(exchange, ident):
        raise BadRequestError(f"a deployment with id {ident!r} exists", param="model_info.id")
    stored = StoredDeployment(
        id=ident,
        model_name=body.get("model_name"),  # type: ignore[arg-type]  # checked next
        litellm_params=_object(body, "litellm_params"),
        model_info={k: v for k, v in info.items() if k not in _DERIVED_INFO},
        created_by=caller(exchange).key_id,
    )
    if "litellm_params" not in body:
        raise BadRequestError("litellm_params is required", param="litellm_params")
    view = await _checked(exchange, stored)
    await control.deployments.add(stored)
    await audit(exchange, "model.new", "model", ident, after=view)
    await control.changed("model", ident)
    await respond(exchange, view)


async def _update(exchange: Exchange, ident: Any, body: dict[str, Any]) -> None:
    control = control_of(exchange)
    if not isinstance(ident, str) or not ident:
        raise BadRequestError("model_info.id is required (the deployment to change)", param="id")
    current = await _load(control, ident)
    if current is None:
        await _not_stored(exchange, ident)
    before = redacted_view(current)
    info = _object(body, "model_info")
    changed = StoredDeployment(
        id=ident,
        model_name=body.get("model_name") or current.model_name,
        litellm_params=_merged(current.litellm_params, _object(body, "litellm_params")),
        model_info=_merged(
            current.model_info, {k: v for k, v in info.items() if k not in _DERIVED_INFO}
        ),
        created_by=current.created_by,
        created_at=current.created_at,
    )
    after = await _checked(exchange, changed)
    if not await control.deployments.replace(changed):
        await _not_stored(exchange, ident)
    await audit(exchange, "model.update", "model", ident, before=before, after=after)
    await control.changed("model", ident)
    await respond(exchange, after)


async def update_model(exchange: Exchange) -> None:
    """``POST /model/update``: ``{"model_info": {"id": ...}, "litellm_params": {...}}``."""
    body = json_body(exchange)
    _fields(body, _FIELDS)
    await _update(exchange, _object(body, "model_info").get("id"), body)


async def patch_model(exchange: Exchange) -> None:
    """``PATCH /model/{id}/update``: the same change, the id in the path."""
    path = exchange.request.path
    ident = path.removeprefix("/model/").removesuffix(_PATCH_SUFFIX)
    if not path.endswith(_PATCH_SUFFIX) or not ident or "/" in ident:
        raise NotFoundError(f"no route for {exchange.request.raw_path}", code="not_found")
    body = json_body(exchange)
    _fields(body, _FIELDS)
    given = _object(body, "model_info").get("id")
    if given is not None and given != ident:
        raise BadRequestError("model_info.id differs from the id in the path", param="id")
    await _update(exchange, ident, body)


async def delete_model(exchange: Exchange) -> None:
    """``POST /model/delete``: ``{"id": ...}``."""
    control = control_of(exchange)
    body = json_body(exchange)
    _fields(body, frozenset({"id"}))
    ident = body.get("id")
    if not isinstance(ident, str) or not ident:
        raise BadRequestError("id is required (the deployment's model_info.id)", param="id")
    try:
        current = await control.deployments.get(ident)
        before = redacted_view(current) if current is not None else None
    except CredentialDecryptError:  # still deletable: the audit row shows no parameters
        before = await control.deployments.summary(ident)
    if before is None or not await control.deployments.delete(ident):
        await _not_stored(exchange, ident)
    await audit(exchange, "model.delete", "model", ident, before=before)
    await control.changed("model", ident)
    await respond(exchange, {"message": f"Model: {ident} deleted successfully"})
