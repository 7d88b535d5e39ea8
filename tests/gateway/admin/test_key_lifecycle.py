"""A key's life through the admin API, used with the openai SDK in between."""

from __future__ import annotations

import openai
import pytest

from tests.gateway.admin.admin_client import AdminClient
from tests.gateway.harness import RunningGateway

MESSAGES = [{"role": "user", "content": "hi"}]


def sdk(gateway: RunningGateway, key: str) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=gateway.openai_base, api_key=key, max_retries=0)


async def test_generate_use_update_block_regenerate_delete(
    gateway: RunningGateway, admin: AdminClient
) -> None:
    made = await admin.ok("/key/generate", {"key_alias": "alpha", "models": ["gpt-4o-mini"]})
    key = made["key"]
    assert key.startswith("sk-") and made["key_name"] == f"sk-...{key[-4:]}"
    key_id = made["token_id"]

    async with sdk(gateway, key) as client:
        reply = await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        assert reply.choices[0].message.content
        with pytest.raises(openai.PermissionDeniedError) as denied:
            await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        assert "gpt-4o" in str(denied.value)

        # /key/info never shows the key or its hash, by value or by id.
        for ref in (key, key_id):
            info = await admin.read("/key/info", {"key": ref})
            assert info["key"] == key_id
            text = str(info)
            assert key not in text and "digest" not in text
        own = await admin.as_key(key).read("/key/info")
        assert own["info"]["key_alias"] == "alpha"

        await admin.ok("/key/update", {"key": key_id, "models": ["gpt-4o-mini", "gpt-4o"]})
        await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)

        await admin.ok("/key/block", {"key": key_id})
        with pytest.raises(openai.AuthenticationError):
            await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        await admin.ok("/key/unblock", {"key": key_id})
        await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)

        renewed = await admin.ok("/key/regenerate", {"key": key_id})
        assert renewed["token_id"] == key_id and renewed["key"] != key
        with pytest.raises(openai.AuthenticationError):
            await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
    async with sdk(gateway, renewed["key"]) as client:
        await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)
        assert (await admin.ok("/key/delete", {"keys": [key_id]}))["deleted_keys"] == [key_id]
        with pytest.raises(openai.AuthenticationError):
            await client.chat.completions.create(model="gpt-4o", messages=MESSAGES)


async def test_list_and_aliases_and_expiry(gateway: RunningGateway, admin: AdminClient) -> None:
    one = await admin.ok("/key/generate", {"aliases": {"fast": "gpt-4o-mini"}})
    await admin.ok("/key/generate", {"key_alias": "two", "duration": "1s"})
    listed = await admin.read("/key/list")
    assert listed["total_count"] == 2 and one["token_id"] in listed["keys"]
    full = await admin.read("/key/list", {"return_full_object": "true", "key_alias": "two"})
    assert [k["key_alias"] for k in full["keys"]] == ["two"]
    async with sdk(gateway, one["key"]) as client:
        reply = await client.chat.completions.create(model="fast", messages=MESSAGES)
        assert reply.model  # served by the aliased group


async def test_expired_key_is_refused(gateway: RunningGateway, admin: AdminClient) -> None:
    import asyncio

    made = await admin.ok("/key/generate", {"duration": "1s"})
    await asyncio.sleep(1.1)
    async with sdk(gateway, made["key"]) as client:
        with pytest.raises(openai.AuthenticationError) as refused:
            await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert "expired" in str(refused.value)


async def test_unknown_fields_are_refused(admin: AdminClient) -> None:
    status, body = await admin.post("/key/generate", {"max_budgt": 1})
    assert status == 400 and "max_budgt" in body["error"]["message"]
    status, body = await admin.post("/key/generate", {"rpm_limit": -1})
    assert status == 400 and body["error"]["param"] == "rpm_limit"
