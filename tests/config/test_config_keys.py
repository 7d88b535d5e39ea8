"""The key tables: every LiteLLM key lockgate does not implement is accepted with a warning."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from lockgate.config import parse_config
from lockgate.config.deployments import PARAMS_IMPLEMENTED, PARAMS_TYPED
from lockgate.config.general_section import GENERAL_IMPLEMENTED
from lockgate.config.litellm_keys import (
    GENERAL_SETTINGS,
    LITELLM_PARAMS,
    LITELLM_SETTINGS,
    PROVIDER_PARAMS,
    REFUSED,
    ROUTER_SETTINGS,
    TOP_LEVEL,
)
from lockgate.config.litellm_section import LITELLM_IMPLEMENTED
from lockgate.config.loader import TOP_IMPLEMENTED
from lockgate.config.router_section import ROUTER_IMPLEMENTED

SECTIONS: Mapping[str, tuple[frozenset[str], frozenset[str]]] = {
    "router_settings": (ROUTER_IMPLEMENTED, ROUTER_SETTINGS),
    "litellm_settings": (LITELLM_IMPLEMENTED, LITELLM_SETTINGS),
    "general_settings": (GENERAL_IMPLEMENTED, GENERAL_SETTINGS),
}


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_implemented_keys_are_litellm_keys(section: str) -> None:
    implemented, documented = SECTIONS[section]
    # router_settings.health_check_interval is read only to say it belongs elsewhere.
    assert implemented - {"health_check_interval"} <= documented
    assert set(REFUSED.get(section, {})) <= documented - implemented


def test_params_tables() -> None:
    assert PARAMS_TYPED <= LITELLM_PARAMS
    assert not PROVIDER_PARAMS & LITELLM_PARAMS
    assert PARAMS_IMPLEMENTED == PARAMS_TYPED | PROVIDER_PARAMS
    assert {"settings", "lockgate_settings"} == TOP_IMPLEMENTED - TOP_LEVEL


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_each_unimplemented_key_is_accepted_with_a_warning(section: str) -> None:
    implemented, documented = SECTIONS[section]
    keys = sorted(documented - implemented)
    text = f"{section}:\n" + "".join(f"  {key}: null\n" for key in keys)
    config = parse_config(text, source="c.yaml", env={})
    assert list(config.warnings) == [
        f"c.yaml:{line}: {section}.{key}: "
        "a LiteLLM setting lockgate does not implement: accepted and ignored"
        for line, key in enumerate(keys, start=2)
    ]


def test_unimplemented_litellm_params_and_top_level_keys_warn() -> None:
    keys = sorted(LITELLM_PARAMS - PARAMS_IMPLEMENTED)
    params = "".join(f"      {key}: 1\n" for key in keys)
    top = sorted(TOP_LEVEL - TOP_IMPLEMENTED)
    text = "model_list:\n  - model_name: m\n    litellm_params:\n      model: m\n" + params
    text += "".join(f"{key}: []\n" for key in top)
    config = parse_config(text, env={})
    warned = [w.split(": ")[1] for w in config.warnings]
    assert warned == top + [f"model_list[0].litellm_params.{key}" for key in keys]


def test_warned_values_are_not_read() -> None:
    # A LiteLLM-only key is dropped without resolving its environment reference.
    config = parse_config("general_settings:\n  litellm_license: os.environ/NOPE\n", env={})
    assert len(config.warnings) == 1
