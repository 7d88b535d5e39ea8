"""The admin API (LiteLLM's paths and fields). Every route declares its role policy here;
routes open to every caller check ownership themselves (see ``access.py``).

The handlers' modules (and the ORM queries, views and checks they pull in) are imported on
the first request to one of their routes, not when the gateway starts: serving never needs
them, and every module imported at start-up delays readiness.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable

from lockgate.gateway.auth import RoutePolicy
from lockgate.gateway.exchange import Exchange
from lockgate.gateway.routing_table import Handler, Route

__all__ = ["ADMIN_ROUTES", "LazyHandler", "admin_routes"]

_POST = frozenset({"POST"})
_GET = frozenset({"GET", "HEAD"})
_CALLER, _VIEW, _ADMIN = RoutePolicy.CALLER, RoutePolicy.ADMIN_VIEW, RoutePolicy.ADMIN


class LazyHandler:
    """``module.name`` of this package, imported when the route is first called."""

    __slots__ = ("_handler", "module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name
        self._handler: Handler | None = None

    def resolve(self) -> Handler:
        handler = self._handler
        if handler is None:
            module = importlib.import_module(f"{__name__}.{self.module}")
            handler = self._handler = getattr(module, self.name)
        return handler

    def __call__(self, exchange: Exchange) -> Awaitable[None]:
        return self.resolve()(exchange)


# path -> (methods, policy, handler)
ADMIN_ROUTES: dict[str, tuple[frozenset[str], RoutePolicy, Handler]] = {
    "/key/generate": (_POST, _CALLER, LazyHandler("keys", "generate_key")),
    "/key/update": (_POST, _CALLER, LazyHandler("keys", "update_key")),
    "/key/delete": (_POST, _CALLER, LazyHandler("keys", "delete_keys")),
    "/key/info": (_GET, _CALLER, LazyHandler("keys", "key_info")),
    "/key/list": (_GET, _CALLER, LazyHandler("keys", "list_keys")),
    "/key/regenerate": (_POST, _CALLER, LazyHandler("keys", "regenerate_key")),
    "/key/block": (_POST, _ADMIN, LazyHandler("keys", "block_key")),
    "/key/unblock": (_POST, _ADMIN, LazyHandler("keys", "unblock_key")),
    "/team/new": (_POST, _ADMIN, LazyHandler("teams", "new_team")),
    "/team/update": (_POST, _CALLER, LazyHandler("teams", "update_team")),
    "/team/delete": (_POST, _ADMIN, LazyHandler("teams", "delete_teams")),
    "/team/info": (_GET, _CALLER, LazyHandler("teams", "team_info")),
    "/team/list": (_GET, _CALLER, LazyHandler("teams", "list_teams")),
    "/team/member_add": (_POST, _CALLER, LazyHandler("teams", "member_add")),
    "/team/member_delete": (_POST, _CALLER, LazyHandler("teams", "member_delete")),
    "/team/block": (_POST, _ADMIN, LazyHandler("teams", "block_team")),
    "/team/unblock": (_POST, _ADMIN, LazyHandler("teams", "unblock_team")),
    "/user/new": (_POST, _ADMIN, LazyHandler("users", "new_user")),
    "/user/update": (_POST, _ADMIN, LazyHandler("users", "update_user")),
    "/user/delete": (_POST, _ADMIN, LazyHandler("users", "delete_users")),
    "/user/info": (_GET, _CALLER, LazyHandler("users", "user_info")),
    "/user/list": (_GET, _VIEW, LazyHandler("users", "list_users")),
    "/organization/new": (_POST, _ADMIN, LazyHandler("orgs", "new_org")),
    "/organization/update": (_POST, _ADMIN, LazyHandler("orgs", "update_org")),
    "/organization/delete": (_POST, _ADMIN, LazyHandler("orgs", "delete_orgs")),
    "/organization/info": (_GET, _VIEW, LazyHandler("orgs", "org_info")),
    "/organization/list": (_GET, _VIEW, LazyHandler("orgs", "list_orgs")),
    "/organization/member_add": (_POST, _ADMIN, LazyHandler("orgs", "org_member_add")),
    "/organization/member_delete": (_POST, _ADMIN, LazyHandler("orgs", "org_member_delete")),
    "/spend/logs": (_GET, _CALLER, LazyHandler("spend", "spend_logs")),
    "/global/spend/report": (_GET, _VIEW, LazyHandler("spend", "spend_report")),
    "/global/spend": (_GET, _VIEW, LazyHandler("spend", "global_spend")),
    "/model/info": (_GET, _CALLER, LazyHandler("models", "model_info")),
    "/v2/model/info": (_GET, _CALLER, LazyHandler("models", "model_info")),
    "/model/new": (_POST, _ADMIN, LazyHandler("models", "new_model")),
    "/model/update": (_POST, _ADMIN, LazyHandler("models", "update_model")),
    "/model/delete": (_POST, _ADMIN, LazyHandler("models", "delete_model")),
    "/budget/new": (_POST, _ADMIN, LazyHandler("budgets", "new_budget")),
    "/budget/update": (_POST, _ADMIN, LazyHandler("budgets", "update_budget")),
    "/budget/delete": (_POST, _ADMIN, LazyHandler("budgets", "delete_budget")),
    "/budget/info": (_POST, _VIEW, LazyHandler("budgets", "budget_info")),
    "/budget/list": (_GET, _VIEW, LazyHandler("budgets", "list_budgets")),
    "/budget/settings": (_GET, _VIEW, LazyHandler("budgets", "budget_settings")),
}
# End users: LiteLLM's /customer/* and its older /end_user/* names.
for _prefix in ("/customer", "/end_user"):
    ADMIN_ROUTES.update(
        {
            f"{_prefix}/new": (_POST, _ADMIN, LazyHandler("customers", "new_customer")),
            f"{_prefix}/update": (_POST, _ADMIN, LazyHandler("customers", "update_customer")),
            f"{_prefix}/delete": (_POST, _ADMIN, LazyHandler("customers", "delete_customers")),
            f"{_prefix}/block": (_POST, _ADMIN, LazyHandler("customers", "block_customers")),
            f"{_prefix}/unblock": (_POST, _ADMIN, LazyHandler("customers", "unblock_customers")),
            f"{_prefix}/info": (_GET, _VIEW, LazyHandler("customers", "customer_info")),
            f"{_prefix}/list": (_GET, _VIEW, LazyHandler("customers", "list_customers")),
        }
    )


def _name(path: str) -> str:
    return "admin" + path.replace("/", "_")


def admin_routes() -> dict[str, Route]:
    return {
        path: Route(_name(path), methods, policy, handler, reads_body="POST" in methods)
        for path, (methods, policy, handler) in ADMIN_ROUTES.items()
    }


def admin_prefix_routes() -> dict[str, Route]:
    """``/key/{key}/regenerate`` and ``PATCH /model/{id}/update`` (LiteLLM's path forms)."""
    return {
        "/key/": Route(
            "admin_key_regenerate",
            _POST,
            _CALLER,
            LazyHandler("keys", "regenerate_key"),
            reads_body=True,
        ),
        "/model/": Route(
            "admin_model_patch",
            frozenset({"PATCH"}),
            _ADMIN,
            LazyHandler("models", "patch_model"),
            reads_body=True,
        ),
    }
