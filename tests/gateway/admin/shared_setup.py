"""Gateways sharing one PostgreSQL database and one Redis, as a deployment runs them."""

from __future__ import annotations

from lockgate.config import Config
from lockgate.mock import MockServer
from tests.gateway.harness import config_for_mock

SALT = "test-salt-shared-by-every-instance-0123456789"


def shared_config(mock: MockServer, database_url: str, prefix: str, extra: str = "") -> Config:
    """Model ``budgeted``: the mock replying 40 word pieces after 20 ms, priced in the config
    ($1 per million prompt tokens, $10 per million completion tokens)."""
    text = f"""
  - model_name: budgeted
    litellm_params:
      model: openai/mock-slow-20ms-tokens-40
      api_base: {mock.url}/v1
      api_key: sk-upstream
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.00001
general_settings:
  database_url: {database_url}
  proxy_batch_write_at: 0.2
router_settings:
  redis_url: redis://127.0.0.1:6379/0
lockgate_settings:
  redis_prefix: {prefix}
  salt_key: {SALT}
{extra}"""
    return config_for_mock(mock.url, text)
