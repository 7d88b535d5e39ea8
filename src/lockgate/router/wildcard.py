"""Wildcard model groups: ``model_name: "anthropic/*"`` serves ``anthropic/claude-x``.

The ``*`` of the group name matches any text (slashes included); the deployment's
``litellm_params.model`` gets each matched part in place of its own ``*``, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["WildcardPattern"]


@dataclass(frozen=True, slots=True)
class WildcardPattern:
    text: str
    regex: re.Pattern[str]

    @classmethod
    def compile(cls, text: str) -> WildcardPattern:
        body = "(.*)".join(re.escape(part) for part in text.split("*"))
        return cls(text, re.compile(body, re.DOTALL))

    @property
    def specificity(self) -> int:
        """More literal characters first: ``openai/gpt-4*`` is tried before ``openai/*``."""
        return len(self.text) - self.text.count("*")

    def match(self, model: str) -> tuple[str, ...] | None:
        found = self.regex.fullmatch(model)
        return None if found is None else found.groups()

    @staticmethod
    def fill(template: str, captures: tuple[str, ...]) -> str:
        """``template`` with its ``*``s replaced by ``captures`` (the last one repeats)."""
        parts = template.split("*")
        out = [parts[0]]
        for i, part in enumerate(parts[1:]):
            out.append(captures[min(i, len(captures) - 1)] if captures else "")
            out.append(part)
        return "".join(out)
