"""Resolve the model strings users write to keys of the model table.

Built once per table; a lookup is a handful of dictionary probes (it runs for every request
whose cost is computed). Rules, in order:

1. The string is a table key (case-insensitive), and its provider matches ``provider``
   when one is given.
2. The provider is ``provider``, or else the string's first ``/`` segment when that names a
   known provider family (``openai/gpt-4o``, ``bedrock/anthropic.claude-...``); the rest is
   the model name. A provider prefix equal to ``provider`` is dropped too.
3. The name is looked up among the keys of that family, both spellings (``gpt-4o`` and
   ``gemini/gemini-2.5-flash``), then its variants from :func:`name_variants`
   (fine-tune base, Bedrock region / route / profile stripped, release date stripped).
4. ``azure`` deployments not in the table price as the OpenAI model of the same name.
5. With no provider at all, a bare name resolves only to a first-party family's entry
   (``mistral-large-latest`` -> ``mistral/mistral-large-latest``). A name only resellers
   carry (``llama-3.1-8b-instant`` on Groq) needs its provider: their prices differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from lockgate.pricing.model_names import bare_name, name_variants, provider_family

__all__ = ["ModelIndex"]

_Slot = TypeVar("_Slot")

# Families whose own entry wins over resellers' when a provider-less name is ambiguous.
_FIRST_PARTY = (
    "openai",
    "anthropic",
    "gemini",
    "vertex_ai",
    "mistral",
    "cohere",
    "deepseek",
    "xai",
)
# Deployments on these families fall back to another family's prices.
_FALLBACK_FAMILY = {"azure": "openai"}


class ModelIndex:
    """Maps (family, name) and plain names to table keys. Immutable after construction."""

    __slots__ = ("_by_bare", "_by_family", "_by_lower", "_families", "_family_of")

    def __init__(self, providers: Mapping[str, str | None], preferred: frozenset[str]) -> None:
        """``providers`` maps each table key to its provider; ``preferred`` keys win ties."""
        self._family_of: dict[str, str | None] = {}
        self._by_lower: dict[str, str] = {}
        self._by_family: dict[tuple[str | None, str], str] = {}
        by_bare: dict[str, dict[str | None, str]] = {}
        # Sorted so that which of two equal spellings wins never depends on file order.
        for key in sorted(providers):
            family = provider_family(p) if (p := providers[key]) else None
            self._family_of[key] = family
            lowered = key.lower()
            self._keep(self._by_lower, lowered, key, preferred)
            bare = bare_name(key, family)
            self._keep(self._by_family, (family, bare), key, preferred)
            self._keep(by_bare.setdefault(bare, {}), family, key, preferred)
        self._by_bare = by_bare
        self._families = frozenset(f for f in self._family_of.values() if f is not None)

    @staticmethod
    def _keep(index: dict[_Slot, str], slot: _Slot, key: str, preferred: frozenset[str]) -> None:
        """Fill ``slot``; an override beats a packaged key, a prefixed key beats a bare one."""
        current = index.get(slot)
        if current is None or _rank(key, preferred) > _rank(current, preferred):
            index[slot] = key

    def resolve(self, model: str, provider: str | None = None) -> str | None:
        """The table key for ``model`` (see the module docstring for the rules)."""
        text = model.strip()
        lowered = text.lower()
        family = provider_family(provider) if provider else None
        key = text if text in self._family_of else self._by_lower.get(lowered)
        if key is not None and (family is None or self._family_of[key] == family):
            return key
        name = lowered
        head, sep, rest = lowered.partition("/")
        if sep and (head_family := provider_family(head)) in self._families:
            if family is None:
                family, name = head_family, rest
            elif head_family == family:
                name = rest
        if family is None:
            return self._provider_less(name)
        found = self._in_family(family, name)
        if found is None and family in _FALLBACK_FAMILY:
            found = self._in_family(_FALLBACK_FAMILY[family], name)
        return found

    @property
    def families(self) -> frozenset[str]:
        """Every provider family that has at least one key."""
        return self._families

    def placement(self, key: str) -> str | None:
        """The existing key an override named ``key`` replaces: the same key, or the entry
        ``provider/<name>`` names exactly. No fallback names: an override for
        ``gpt-4o-2099-01-01`` is a new model, not a change to ``gpt-4o``.
        """
        if key in self._family_of:
            return key
        head, sep, rest = key.lower().partition("/")
        family = provider_family(head)
        if sep and family in self._families:
            return self._by_family.get((family, rest))
        return None

    def _in_family(self, family: str, name: str) -> str | None:
        for candidate in name_variants(name, family):
            key = self._by_family.get((family, candidate))
            if key is not None:
                return key
        return None

    def _provider_less(self, name: str) -> str | None:
        for candidate in name_variants(name, None):
            key = self._by_lower.get(candidate)
            if key is not None:
                return key
            owners = self._by_bare.get(candidate)
            if not owners:
                continue
            for family in _FIRST_PARTY:
                if family in owners:
                    return owners[family]
        return None


def _rank(key: str, preferred: frozenset[str]) -> tuple[bool, bool]:
    return (key in preferred, "/" in key)
