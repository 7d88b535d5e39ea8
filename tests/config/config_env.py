"""Shared by the config loader tests: the example folder and a fake environment."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).parent / "examples"

# Every variable the examples reference. Values that are credentials are recognisable so
# that tests can check none of them is ever shown.
SECRET_VARIABLES = (
    "AZURE_API_KEY",
    "AZURE_API_KEY_EU",
    "AZURE_API_KEY_CA",
    "AZURE_AD_TOKEN",
    "OPENAI_API_KEY",
    "ANTHROPIC_API_KEY",
    "GROQ_API_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "VERTEX_PRIVATE_KEY",
    "REDIS_PASSWORD",
    "LITELLM_MASTER_KEY",
    "LANGFUSE_SECRET",
    "DATABASE_URL",
)


def secret_value(name: str) -> str:
    return f"s3cr3t-{name.lower()}-value"


def example_env() -> dict[str, str]:
    env = {name: secret_value(name) for name in SECRET_VARIABLES}
    env["DATABASE_URL"] = "postgresql://lockgate:" + secret_value("DB_PASSWORD") + "@db:5432/lg"
    env.update(
        {
            "AZURE_API_BASE": "https://example-resource.openai.azure.com/",
            "AWS_REGION_NAME": "us-east-1",
            "VERTEX_CREDENTIALS_PATH": "/etc/lockgate/vertex.json",
            "REDIS_HOST": "127.0.0.1",
            "REDIS_PORT": "6379",
        }
    )
    return env
