"""The mock's own endpoints under `/__mock/`: script queue, recorded requests, reset, health.

They are never recorded and never need a provider key.
"""

from __future__ import annotations

import orjson
from aiohttp import web

from lockgate.mock.behaviour import BehaviourError
from lockgate.mock.scripting import parse_script
from lockgate.mock.state import STATE_KEY

__all__ = ["CONTROL_PREFIX", "control_routes"]

CONTROL_PREFIX = "/__mock"
_JSON = {"content-type": "application/json"}


def _json(value: object, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(value), status=status, headers=_JSON)


async def _post_script(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    try:
        entries = parse_script(orjson.loads(await request.read()))
    except orjson.JSONDecodeError:
        return _json({"error": "script must be JSON"}, 400)
    except BehaviourError as exc:
        return _json({"error": str(exc)}, 400)
    state.queue.push(entries)
    return _json({"queued": len(entries), "pending": state.queue.pending()})


async def _get_script(request: web.Request) -> web.Response:
    return _json({"pending": request.app[STATE_KEY].queue.pending()})


async def _get_requests(request: web.Request) -> web.Response:
    return _json(request.app[STATE_KEY].log.snapshot())


async def _reset(request: web.Request) -> web.Response:
    request.app[STATE_KEY].reset()
    return _json({"reset": True})


async def _health(request: web.Request) -> web.Response:
    return _json({"status": "ok"})


def control_routes() -> list[web.RouteDef]:
    return [
        web.post(f"{CONTROL_PREFIX}/script", _post_script),
        web.get(f"{CONTROL_PREFIX}/script", _get_script, allow_head=False),
        web.get(f"{CONTROL_PREFIX}/requests", _get_requests, allow_head=False),
        web.post(f"{CONTROL_PREFIX}/reset", _reset),
        web.get(f"{CONTROL_PREFIX}/health", _health, allow_head=False),
    ]
