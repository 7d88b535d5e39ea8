"""The admin API (LiteLLM's paths and fields). Every route declares its role policy here;
routes open to every caller check ownership themselves (see ``access.py``)."""

from __future__ import annotations

from lockgate.gateway.auth import RoutePolicy
from lockgate.gateway.routes.admin import (
    budgets,
    customers,
    keys,
    models,
    orgs,
    spend,
    teams,
    users,
)
from lockgate.gateway.routing_table import Handler, Route

__all__ = ["ADMIN_ROUTES", "admin_routes"]

_POST = frozenset({"POST"})
_GET = frozenset({"GET", "HEAD"})
_CALLER, _VIEW, _ADMIN = RoutePolicy.CALLER, RoutePolicy.ADMIN_VIEW, RoutePolicy.ADMIN

# path -> (methods, policy, handler)
ADMIN_ROUTES: dict[str, tuple[frozenset[str], RoutePolicy, Handler]] = {
    "/key/generate": (_POST, _CALLER, keys.generate_key),
    "/key/update": (_POST, _CALLER, keys.update_key),
    "/key/delete": (_POST, _CALLER, keys.delete_keys),
    "/key/info": (_GET, _CALLER, keys.key_info),
    "/key/list": (_GET, _CALLER, keys.list_keys),
    "/key/regenerate": (_POST, _CALLER, keys.regenerate_key),
    "/key/block": (_POST, _ADMIN, keys.block_key),
    "/key/unblock": (_POST, _ADMIN, keys.unblock_key),
    "/team/new": (_POST, _ADMIN, teams.new_team),
    "/team/update": (_POST, _CALLER, teams.update_team),
    "/team/delete": (_POST, _ADMIN, teams.delete_teams),
    "/team/info": (_GET, _CALLER, teams.team_info),
    "/team/list": (_GET, _CALLER, teams.list_teams),
    "/team/member_add": (_POST, _CALLER, teams.member_add),
    "/team/member_delete": (_POST, _CALLER, teams.member_delete),
    "/team/block": (_POST, _ADMIN, teams.block_team),
    "/team/unblock": (_POST, _ADMIN, teams.unblock_team),
    "/user/new": (_POST, _ADMIN, users.new_user),
    "/user/update": (_POST, _ADMIN, users.update_user),
    "/user/delete": (_POST, _ADMIN, users.delete_users),
    "/user/info": (_GET, _CALLER, users.user_info),
    "/user/list": (_GET, _VIEW, users.list_users),
    "/organization/new": (_POST, _ADMIN, orgs.new_org),
    "/organization/update": (_POST, _ADMIN, orgs.update_org),
    "/organization/delete": (_POST, _ADMIN, orgs.delete_orgs),
    "/organization/info": (_GET, _VIEW, orgs.org_info),
    "/organization/list": (_GET, _VIEW, orgs.list_orgs),
    "/organization/member_add": (_POST, _ADMIN, orgs.org_member_add),
    "/organization/member_delete": (_POST, _ADMIN, orgs.org_member_delete),
    "/spend/logs": (_GET, _CALLER, spend.spend_logs),
    "/global/spend/report": (_GET, _VIEW, spend.spend_report),
    "/global/spend": (_GET, _VIEW, spend.global_spend),
    "/model/info": (_GET, _CALLER, models.model_info),
    "/v2/model/info": (_GET, _CALLER, models.model_info),
    "/model/new": (_POST, _ADMIN, models.new_model),
    "/model/update": (_POST, _ADMIN, models.update_model),
    "/model/delete": (_POST, _ADMIN, models.delete_model),
    "/budget/new": (_POST, _ADMIN, budgets.new_budget),
    "/budget/update": (_POST, _ADMIN, budgets.update_budget),
    "/budget/delete": (_POST, _ADMIN, budgets.delete_budget),
    "/budget/info": (_POST, _VIEW, budgets.budget_info),
    "/budget/list": (_GET, _VIEW, budgets.list_budgets),
    "/budget/settings": (_GET, _VIEW, budgets.budget_settings),
}
# End users: LiteLLM's /customer/* and its older /end_user/* names.
for _prefix in ("/customer", "/end_user"):
    ADMIN_ROUTES.update(
        {
            f"{_prefix}/new": (_POST, _ADMIN, customers.new_customer),
            f"{_prefix}/update": (_POST, _ADMIN, customers.update_customer),
            f"{_prefix}/delete": (_POST, _ADMIN, customers.delete_customers),
            f"{_prefix}/block": (_POST, _ADMIN, customers.block_customers),
            f"{_prefix}/unblock": (_POST, _ADMIN, customers.unblock_customers),
            f"{_prefix}/info": (_GET, _VIEW, customers.customer_info),
            f"{_prefix}/list": (_GET, _VIEW, customers.list_customers),
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
            "admin_key_regenerate", _POST, _CALLER, keys.regenerate_key, reads_body=True
        ),
        "/model/": Route(
            "admin_model_patch", frozenset({"PATCH"}), _ADMIN, models.patch_model, reads_body=True
        ),
    }
