"""``lockgate models``: the model groups a config serves, or the providers lockgate knows."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

__all__ = ["register"]


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "models",
        help="list the model groups of a config (or, without one, the providers)",
        description="Without --config, lists every provider with its protocol and key variable.",
    )
    parser.add_argument("--config", "-c", help="LiteLLM-style YAML config file")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from lockgate.config import ConfigError, load_config
    from lockgate.providers import PROVIDERS

    if args.config is None:
        for name in sorted(PROVIDERS):
            spec = PROVIDERS[name]
            keys = ", ".join(spec.api_key_env) or "-"
            print(f"{name:20} {spec.protocol:10} {keys}")
        return 0
    try:
        config = load_config(args.config, env=os.environ)
    except ConfigError as exc:
        print(f"lockgate: {exc}", file=sys.stderr)
        return 2
    for deployment in config.model_list:
        params = deployment.params
        # Hosts only: an api_base may carry credentials in its user-info part.
        host = urlsplit(params.api_base).hostname if params.api_base else "(provider default)"
        print(f"{deployment.model_name:30} {params.model:45} {host}")
    for alias, target in sorted(config.router.model_group_alias.items()):
        if not target.hidden:
            print(f"{alias:30} -> {target.model}")
    return 0
