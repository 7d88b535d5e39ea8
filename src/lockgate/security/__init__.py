"""Secrets, redaction and the egress policy."""

from lockgate.security.secret import REDACTED, Secret

__all__ = ["REDACTED", "Secret"]
