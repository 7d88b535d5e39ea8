"""`create_mock_app`: one aiohttp application serving every mocked provider at once."""

from __future__ import annotations

from aiohttp import web

from lockgate.mock.anthropic_messages import count_tokens, messages
from lockgate.mock.azure_routes import azure_routes
from lockgate.mock.bedrock_routes import bedrock_routes
from lockgate.mock.cohere_routes import cohere_routes
from lockgate.mock.control_routes import control_routes
from lockgate.mock.gemini_routes import gemini_get_model, gemini_list_models, gemini_model_method
from lockgate.mock.model_listing import list_models, retrieve_model
from lockgate.mock.ollama_routes import ollama_routes
from lockgate.mock.openai_chat import chat_completions
from lockgate.mock.openai_completions import completions
from lockgate.mock.openai_embeddings import embeddings
from lockgate.mock.openai_responses import responses
from lockgate.mock.settings import MockSettings
from lockgate.mock.state import STATE_KEY, MockState
from lockgate.mock.vertex_routes import vertex_routes

__all__ = ["create_mock_app"]

# OpenAI and Anthropic paths; each is also served without the `/v1` prefix, since SDKs and
# gateways are configured both ways (base URL ending in /v1 or not).
_POST_ROUTES = (
    ("/chat/completions", chat_completions),
    ("/completions", completions),
    ("/embeddings", embeddings),
    ("/responses", responses),
    ("/messages", messages),
    ("/messages/count_tokens", count_tokens),
)


def create_mock_app(settings: MockSettings | None = None) -> web.Application:
    settings = settings or MockSettings()
    app = web.Application(client_max_size=settings.max_body_bytes)
    app[STATE_KEY] = MockState(settings)
    routes: list[web.RouteDef] = []
    for prefix in ("/v1", ""):
        routes += [web.post(prefix + path, handler) for path, handler in _POST_ROUTES]
        routes.append(web.get(prefix + "/models", list_models, allow_head=False))
        routes.append(web.get(prefix + "/models/{model}", retrieve_model, allow_head=False))
    for version in ("/v1beta", "/v1"):
        routes.append(web.post(version + "/models/{model}", gemini_model_method))
    routes.append(web.get("/v1beta/models", gemini_list_models, allow_head=False))
    routes.append(web.get("/v1beta/models/{model}", gemini_get_model, allow_head=False))
    routes += vertex_routes()
    routes += [*azure_routes(), *bedrock_routes(), *cohere_routes(), *ollama_routes()]
    routes += control_routes()
    app.add_routes(routes)
    return app
