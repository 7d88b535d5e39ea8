"""A request's overall time limit: asyncio.timeout's semantics for one await."""

from __future__ import annotations

import asyncio

import pytest

from lockgate.gateway.routes.deadline import DeadlineExceeded, await_within


async def test_result_within_the_limit() -> None:
    async def quick() -> str:
        await asyncio.sleep(0)
        return "done"

    assert await await_within(quick(), 5.0) == "done"
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0


async def test_past_the_limit_is_a_timeout_error() -> None:
    started = asyncio.get_running_loop().time()
    with pytest.raises(DeadlineExceeded) as raised:
        await await_within(asyncio.sleep(10), 0.05)
    assert isinstance(raised.value, TimeoutError)
    assert asyncio.get_running_loop().time() - started < 5
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0  # the task may go on awaiting
    await asyncio.sleep(0)


async def test_an_outer_cancellation_stays_a_cancellation() -> None:
    entered = asyncio.Event()

    async def waits() -> None:
        entered.set()
        await asyncio.sleep(10)

    task = asyncio.create_task(await_within(waits(), 5.0))
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_error_inside_passes_through() -> None:
    async def fails() -> None:
        raise ValueError("inner")

    with pytest.raises(ValueError, match="inner"):
        await await_within(fails(), 5.0)


async def test_an_expiry_swallowed_inside_leaves_the_task_uncancelled() -> None:
    async def swallows() -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            return "swallowed"
        return "slept"

    assert await await_within(swallows(), 0.01) == "swallowed"
    task = asyncio.current_task()
    assert task is not None and task.cancelling() == 0


async def test_inside_an_outer_timeout() -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await await_within(asyncio.sleep(10), 5.0)
    with pytest.raises(DeadlineExceeded):
        async with asyncio.timeout(5.0):
            await await_within(asyncio.sleep(10), 0.05)
