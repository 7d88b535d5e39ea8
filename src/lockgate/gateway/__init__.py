"""The gateway: the ASGI app that serves the OpenAI- and Anthropic-format HTTP API."""
