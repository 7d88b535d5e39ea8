"""Every admin route under every role: a table of route x role -> allowed or 403.

Roles: the master key, a proxy admin user's key, a proxy admin viewer's key, a team admin's
key, a team member's key (internal users), and a key without a user.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from lockgate.gateway.routes.admin import ADMIN_ROUTES
from tests.gateway.admin.admin_client import AdminClient

ROLES = ("master", "admin", "viewer", "team_admin", "member", "bare")


@dataclass
class World:
    master: AdminClient
    keys: dict[str, str]  # role -> key
    team: str
    member_id: str
    member_key_id: str


Body = Callable[[World], Awaitable[dict[str, Any]]]


async def _fresh_team_key(w: World) -> dict[str, Any]:
    made = await w.master.ok("/key/generate", {"team_id": w.team, "user_id": w.member_id})
    return {"key": made["token_id"]}


async def _fresh_team_keys(w: World) -> dict[str, Any]:
    return {"keys": [(await _fresh_team_key(w))["key"]]}


async def _fresh_team(w: World) -> dict[str, Any]:
    return {"team_ids": [(await w.master.ok("/team/new", {}))["team_id"]]}


async def _fresh_user(w: World) -> dict[str, Any]:
    return {"user_ids": [(await w.master.ok("/user/new", {"auto_create_key": False}))["user_id"]]}


async def _fresh_org(w: World) -> dict[str, Any]:
    return {"organization_id": (await w.master.ok("/organization/new", {}))["organization_id"]}


async def _fresh_orgs(w: World) -> dict[str, Any]:
    return {"organization_ids": [(await _fresh_org(w))["organization_id"]]}


def const(value: dict[str, Any]) -> Body:
    async def make(w: World) -> dict[str, Any]:
        return value

    return make


def team(extra: dict[str, Any] | None = None) -> Body:
    async def make(w: World) -> dict[str, Any]:
        return {"team_id": w.team, **(extra or {})}

    return make


def with_org(extra: dict[str, Any]) -> Body:
    async def make(w: World) -> dict[str, Any]:
        return {**(await _fresh_org(w)), **extra}

    return make


async def _member_user(w: World) -> dict[str, Any]:
    return {"user_id": w.member_id}


async def _fresh_customer(w: World) -> str:
    user_id = f"customer-{uuid.uuid4().hex[:8]}"
    await w.master.ok("/customer/new", {"user_id": user_id})
    return user_id


def customer(field: str, extra: dict[str, Any] | None = None, *, many: bool = False) -> Body:
    async def make(w: World) -> dict[str, Any]:
        user_id = await _fresh_customer(w)
        return {field: [user_id] if many else user_id, **(extra or {})}

    return make


async def _new_customer(w: World) -> dict[str, Any]:
    return {"user_id": f"customer-{uuid.uuid4().hex[:8]}"}


def budget(field: str, *, many: bool = False) -> Body:
    async def make(w: World) -> dict[str, Any]:
        budget_id = (await w.master.ok("/budget/new", {}))["budget_id"]
        return {field: [budget_id] if many else budget_id}

    return make


_NEW_MODEL: dict[str, Any] = {
    "model_name": "role-table-model",
    "litellm_params": {"model": "openai/gpt-4o-mini", "api_key": "sk-role-table"},
}


def fresh_model(field: str) -> Body:
    async def make(w: World) -> dict[str, Any]:
        ident = (await w.master.ok("/model/new", _NEW_MODEL))["model_id"]
        if field == "model_info":
            return {"model_info": {"id": ident}, "litellm_params": {"rpm": 10}}
        return {field: ident}

    return make


A, D = True, False  # allowed, denied (403)
_ADMIN_ONLY, _ADMIN_VIEW = (A, A, D, D, D, D), (A, A, A, D, D, D)
# route -> (body or query, {role: allowed}) in ROLES order.
TABLE: dict[str, tuple[Body, tuple[bool, ...]]] = {
    "/key/generate": (const({}), (A, A, D, A, A, D)),
    "/key/update": (_fresh_team_key, (A, A, D, A, A, D)),
    "/key/delete": (_fresh_team_keys, (A, A, D, A, A, D)),
    "/key/info": (_fresh_team_key, (A, A, A, A, A, D)),
    "/key/list": (const({}), (A, A, A, A, A, A)),
    "/key/regenerate": (_fresh_team_key, (A, A, D, A, A, D)),
    "/key/block": (_fresh_team_key, (A, A, D, D, D, D)),
    "/key/unblock": (_fresh_team_key, (A, A, D, D, D, D)),
    "/team/new": (const({}), (A, A, D, D, D, D)),
    "/team/update": (team({"team_alias": "renamed"}), (A, A, D, A, D, D)),
    "/team/delete": (_fresh_team, (A, A, D, D, D, D)),
    "/team/info": (team(), (A, A, A, A, A, D)),
    "/team/list": (const({}), (A, A, A, A, A, A)),
    "/team/member_add": (
        team({"member": {"user_id": "newcomer", "role": "user"}}),
        (A, A, D, A, D, D),
    ),
    "/team/member_delete": (team({"user_id": "nobody"}), (A, A, D, A, D, D)),
    "/team/block": (team(), (A, A, D, D, D, D)),
    "/team/unblock": (team(), (A, A, D, D, D, D)),
    "/user/new": (const({"auto_create_key": False}), (A, A, D, D, D, D)),
    "/user/update": (_member_user, (A, A, D, D, D, D)),
    "/user/delete": (_fresh_user, (A, A, D, D, D, D)),
    "/user/info": (_member_user, (A, A, A, D, A, D)),
    "/user/list": (const({}), (A, A, A, D, D, D)),
    "/organization/new": (const({}), (A, A, D, D, D, D)),
    "/organization/update": (with_org({"organization_alias": "x"}), (A, A, D, D, D, D)),
    "/organization/delete": (_fresh_orgs, (A, A, D, D, D, D)),
    "/organization/info": (_fresh_org, (A, A, A, D, D, D)),
    "/organization/list": (const({}), (A, A, A, D, D, D)),
    "/organization/member_add": (with_org({"member": {"user_id": "orgling"}}), (A, A, D, D, D, D)),
    "/organization/member_delete": (with_org({"user_id": "nobody"}), (A, A, D, D, D, D)),
    "/spend/logs": (const({}), (A, A, A, A, A, A)),
    "/global/spend/report": (const({}), (A, A, A, D, D, D)),
    "/global/spend": (const({}), (A, A, A, D, D, D)),
    "/model/info": (const({}), (A, A, A, A, A, A)),
    "/v2/model/info": (const({}), (A, A, A, A, A, A)),
    "/model/new": (const(_NEW_MODEL), (A, A, D, D, D, D)),
    "/model/update": (fresh_model("model_info"), (A, A, D, D, D, D)),
    "/model/delete": (fresh_model("id"), (A, A, D, D, D, D)),
    "/budget/new": (const({}), _ADMIN_ONLY),
    "/budget/update": (budget("budget_id"), _ADMIN_ONLY),
    "/budget/delete": (budget("id"), _ADMIN_ONLY),
    "/budget/info": (budget("budgets", many=True), _ADMIN_VIEW),
    "/budget/list": (const({}), _ADMIN_VIEW),
    "/budget/settings": (budget("budget_id"), _ADMIN_VIEW),
    **{
        f"{prefix}/{route}": rule
        for prefix in ("/customer", "/end_user")
        for route, rule in {
            "new": (_new_customer, _ADMIN_ONLY),
            "update": (customer("user_id", {"alias": "renamed"}), _ADMIN_ONLY),
            "delete": (customer("user_ids", many=True), _ADMIN_ONLY),
            "block": (customer("user_ids", many=True), _ADMIN_ONLY),
            "unblock": (customer("user_ids", many=True), _ADMIN_ONLY),
            "info": (customer("end_user_id"), _ADMIN_VIEW),
            "list": (const({}), _ADMIN_VIEW),
        }.items()
    },
}


def test_the_table_covers_every_admin_route() -> None:
    assert set(TABLE) == set(ADMIN_ROUTES)


@pytest.fixture
async def world(admin: AdminClient) -> World:
    team_id = (await admin.ok("/team/new", {"team_alias": "t"}))["team_id"]
    keys = {"master": admin.key}
    for role, user_role in (("admin", "proxy_admin"), ("viewer", "proxy_admin_viewer")):
        made = await admin.ok("/user/new", {"user_role": user_role})
        keys[role] = made["key"]
    lead = await admin.ok("/user/new", {"user_id": "lead"})
    member = await admin.ok("/user/new", {"user_id": "member"})
    await admin.ok(
        "/team/member_add",
        {
            "team_id": team_id,
            "member": [{"user_id": "lead", "role": "admin"}, {"user_id": "member"}],
        },
    )
    keys["team_admin"], keys["member"] = lead["key"], member["key"]
    keys["bare"] = (await admin.ok("/key/generate", {}))["key"]
    return World(admin, keys, team_id, "member", member["token_id"])


async def test_every_route_under_every_role(world: World) -> None:
    from lockgate.gateway.routes.admin import ADMIN_ROUTES as routes

    wrong: list[str] = []
    for path, (make_body, allowed) in TABLE.items():
        methods = routes[path][0]
        for role, expected in zip(ROLES, allowed, strict=True):
            body = await make_body(world)
            client = world.master.as_key(world.keys[role])
            if "POST" in methods:
                status, answer = await client.post(path, body)
            else:
                status, answer = await client.get(path, {k: str(v) for k, v in body.items()})
            ok = status not in (401, 403)
            if ok != expected or (expected and status >= 400 and status != 404):
                wrong.append(f"{path} as {role}: {status} {str(answer)[:120]}")
    assert not wrong, "\n".join(wrong)


async def test_a_key_never_gets_more_than_its_team(world: World, admin: AdminClient) -> None:
    await admin.ok(
        "/team/update", {"team_id": world.team, "models": ["gpt-4o-mini"], "max_budget": 5}
    )
    lead = admin.as_key(world.keys["team_admin"])
    status, body = await lead.post("/key/generate", {"team_id": world.team, "models": ["gpt-4o"]})
    assert status == 400 and body["error"]["param"] == "models"
    status, body = await lead.post(
        "/key/generate", {"team_id": world.team, "models": ["gpt-4o-mini"], "max_budget": 50}
    )
    assert status == 400 and body["error"]["param"] == "max_budget"
    await lead.ok(
        "/key/generate", {"team_id": world.team, "models": ["gpt-4o-mini"], "max_budget": 5}
    )
    # A team admin cannot raise the team's own budget.
    status, _ = await lead.post("/team/update", {"team_id": world.team, "max_budget": 500})
    assert status == 403
