"""Which Vertex AI project and location a call goes to, and the URL root that names them.

Vertex URLs are ``https://{location}-aiplatform.googleapis.com/v1/projects/{project}/
locations/{location}/publishers/{publisher}/models/{model}:{method}`` (the ``global``
location uses ``aiplatform.googleapis.com``). The project and location come from, first
to last:

1. an ``api_base`` that already names them (``.../v1/projects/P/locations/L``, anything
   after that is ignored): the simplest way for a gateway deployment;
2. ``Credentials.vertex_project`` / ``.vertex_location``: the ``vertex_project`` /
   ``vertex_location`` call options (LiteLLM's names), else ``VERTEXAI_PROJECT`` /
   ``VERTEXAI_LOCATION`` (also ``VERTEX_*``, ``GOOGLE_CLOUD_*``), else for the project the
   ``project_id`` of the service account the token was minted from;
3. for the location only: the regional host of ``api_base``
   (``europe-west4-aiplatform.googleapis.com``), else ``us-central1``.

When ``api_base`` is the default global host, the host follows the location. Any other
``api_base`` host (a private endpoint, a test server) is kept as it is. Project and
location must look like Google identifiers, so a parameter cannot rewrite the URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from lockgate.errors import BadRequestError
from lockgate.providers.call import Credentials
from lockgate.providers.spec import ProviderSpec

__all__ = ["DEFAULT_LOCATION", "GLOBAL_HOST", "vertex_root"]

GLOBAL_HOST = "aiplatform.googleapis.com"
DEFAULT_LOCATION = "us-central1"
_REGIONAL_SUFFIX = "-aiplatform.googleapis.com"
_NAMED = re.compile(r"^(?P<prefix>.*?)/projects/(?P<project>[^/]+)/locations/(?P<location>[^/?]+)")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_VERSIONS = ("/v1", "/v1beta1")


def _checked(value: str, what: str) -> str:
    if not _IDENTIFIER.match(value):
        raise BadRequestError(f"invalid Vertex AI {what} {value!r}", param=f"vertex_{what}")
    return value


def vertex_root(spec: ProviderSpec, credentials: Credentials, params: Mapping[str, Any]) -> str:
    """``https://HOST/v1/projects/P/locations/L`` for this call."""
    base = (credentials.api_base or spec.default_api_base or "").split("?", 1)[0].rstrip("/")
    parts = urlsplit(base)
    named = _NAMED.match(parts.path)
    origin = f"{parts.scheme}://{parts.netloc}"
    if named is not None:
        _checked(named["project"], "project")
        _checked(named["location"], "location")
        return origin + named.group(0)
    project = credentials.vertex_project
    if project is None:
        raise BadRequestError(
            "Vertex AI needs a project: pass vertex_project=..., or an api_base such as "
            "https://us-central1-aiplatform.googleapis.com/v1/projects/PROJECT/locations/"
            "us-central1",
            param="vertex_project",
        )
    host = parts.hostname or ""
    location = credentials.vertex_location
    if location is None:
        location = host[: -len(_REGIONAL_SUFFIX)] if host.endswith(_REGIONAL_SUFFIX) else None
    location = _checked(location or DEFAULT_LOCATION, "location")
    _checked(project, "project")
    if host == GLOBAL_HOST and location != "global":
        origin = f"https://{location}{_REGIONAL_SUFFIX}"
    path = parts.path
    version = "/v1"
    for candidate in _VERSIONS:
        if path.endswith(candidate):
            path, version = path[: -len(candidate)], candidate
    return f"{origin}{path}{version}/projects/{project}/locations/{location}"
