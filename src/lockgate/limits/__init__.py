"""Rate limits and budgets: rpm, tpm, parallel requests and spend, for keys, users, teams,
organisations, end users and the whole proxy; reserved atomically before a request is sent
and settled after. In-process or Redis (atomic across instances)."""

from lockgate.limits.buckets import NANO, Bucket, LimitBackend, Verdict, to_nano
from lockgate.limits.memory_backend import InMemoryLimitBackend
from lockgate.limits.price_book import ModelPrice, PriceBook
from lockgate.limits.request_policy import Admission, GlobalBudget, RequestPolicy
from lockgate.limits.windows import budget_window

__all__ = [
    "NANO",
    "Admission",
    "Bucket",
    "GlobalBudget",
    "InMemoryLimitBackend",
    "LimitBackend",
    "ModelPrice",
    "PriceBook",
    "RequestPolicy",
    "Verdict",
    "budget_window",
    "to_nano",
]
