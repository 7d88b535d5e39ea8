"""A small JSON client for the admin API."""

from __future__ import annotations

from typing import Any

import aiohttp


class AdminClient:
    def __init__(self, session: aiohttp.ClientSession, url: str, key: str) -> None:
        self.session = session
        self.url = url
        self.key = key

    def as_key(self, key: str) -> AdminClient:
        return AdminClient(self.session, self.url, key)

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        async with self.session.post(
            self.url + path, json=body or {}, headers={"Authorization": f"Bearer {self.key}"}
        ) as response:
            return response.status, await response.json(content_type=None)

    async def get(self, path: str, params: dict[str, str] | None = None) -> tuple[int, Any]:
        async with self.session.get(
            self.url + path, params=params or {}, headers={"Authorization": f"Bearer {self.key}"}
        ) as response:
            return response.status, await response.json(content_type=None)

    async def ok(self, path: str, body: dict[str, Any] | None = None) -> Any:
        status, data = await self.post(path, body)
        assert status == 200, (path, status, data)
        return data

    async def read(self, path: str, params: dict[str, str] | None = None) -> Any:
        status, data = await self.get(path, params)
        assert status == 200, (path, status, data)
        return data
