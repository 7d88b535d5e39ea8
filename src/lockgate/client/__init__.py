"""The SDK core: one async client, with synchronous wrappers."""

from lockgate.client.client import Client, ClientSettings
from lockgate.client.retry import RetryPolicy
from lockgate.client.stream import CompletionStream
from lockgate.client.sync_runner import BackgroundLoop, SyncCompletionStream

__all__ = [
    "BackgroundLoop",
    "Client",
    "ClientSettings",
    "CompletionStream",
    "RetryPolicy",
    "SyncCompletionStream",
]
