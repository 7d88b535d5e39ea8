"""Every provider the conformance suite runs against: one line per ``cases_<name>`` module."""

from __future__ import annotations

from tests.providers.conformance.case import ProviderCase
from tests.providers.conformance.cases_anthropic import CASES as ANTHROPIC
from tests.providers.conformance.cases_azure import CASES as AZURE
from tests.providers.conformance.cases_bedrock import CASES as BEDROCK
from tests.providers.conformance.cases_cohere import CASES as COHERE
from tests.providers.conformance.cases_gemini import CASES as GEMINI
from tests.providers.conformance.cases_ollama import CASES as OLLAMA
from tests.providers.conformance.cases_openai import CASES as OPENAI

CASES: tuple[ProviderCase, ...] = (
    *OPENAI,
    *ANTHROPIC,
    *GEMINI,
    *AZURE,
    *BEDROCK,
    *COHERE,
    *OLLAMA,
)
