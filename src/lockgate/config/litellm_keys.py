"""Facts about LiteLLM's config schema, kept as data.

Each table lists the keys LiteLLM documents for one section (docs.litellm.ai
"proxy/config_settings", "proxy/configs", "proxy/config_management", and the parameters of
``litellm.Router.__init__`` / ``GenericLiteLLMParams`` that the proxy forwards). The loader
sorts every key it reads into one of four kinds:

* implemented by lockgate: read into a typed field (the section builders list them);
* documented here but not implemented: accepted, not applied, and reported in
  ``Config.warnings`` so an existing LiteLLM config still starts;
* in ``REFUSED``: LiteLLM documents it, lockgate does not implement it, and starting
  without it would silently remove a protection the file asks for, so it is an error
  unless its value is empty (null, false, [] or {});
* anything else: an error naming the key and line.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "ALLOWED_FAILS_POLICY_KEYS",
    "CACHE_TYPES",
    "DEPLOYMENT_KEYS",
    "GENERAL_SETTINGS",
    "LITELLM_PARAMS",
    "LITELLM_SETTINGS",
    "PROVIDER_PARAMS",
    "REFUSED",
    "RETRY_POLICY_KEYS",
    "ROUTER_SETTINGS",
    "ROUTING_STRATEGIES",
    "TOP_LEVEL",
]

TOP_LEVEL: Final = frozenset(
    {
        "model_list",
        "litellm_settings",
        "router_settings",
        "general_settings",
        "environment_variables",
        "include",
        "callback_settings",
        "assistant_settings",
        "search_tools",
        "finetune_settings",
        "files_settings",
        "default_vertex_config",
        "guardrails",
        "policies",
        "policy_attachments",
        "prompts",
        "credential_list",
        "mcp_servers",
        "mcp_tools",
        "agent_list",
        "vector_store_registry",
    }
)

DEPLOYMENT_KEYS: Final = frozenset({"model_name", "litellm_params", "model_info"})

# litellm_params: GenericLiteLLMParams, CredentialLiteLLMParams, the custom pricing params and
# LiteLLMParamsTypedDict. Provider request params (temperature, ...) are in PROVIDER_PARAMS.
LITELLM_PARAMS: Final = frozenset(
    {
        "model",
        "custom_llm_provider",
        "tpm",
        "rpm",
        "itpm",
        "otpm",
        "order",
        "weight",
        "max_parallel_requests",
        "api_key",
        "api_base",
        "api_version",
        "timeout",
        "stream_timeout",
        "max_retries",
        "num_retries",
        "organization",
        "drop_params",
        "additional_drop_params",
        "extra_headers",
        "configurable_clientside_auth_params",
        "litellm_credential_name",
        "provider_affinity_header",
        "litellm_trace_id",
        "max_file_size_mb",
        "default_api_key_tpm_limit",
        "default_api_key_rpm_limit",
        "max_budget",
        "budget_duration",
        "keepalive_seconds",
        "allow_client_keepalive_override",
        "use_in_pass_through",
        "use_litellm_proxy",
        "use_chat_completions_api",
        "merge_reasoning_content_in_choices",
        "model_info",
        "mock_response",
        "tags",
        "tag_regex",
        "cooldown_time",
        "base_model",
        "auto_router_config_path",
        "auto_router_config",
        "auto_router_default_model",
        "auto_router_embedding_model",
        "complexity_router_config",
        "complexity_router_default_model",
        "vector_store_id",
        # Azure
        "azure_ad_token",
        "tenant_id",
        "client_id",
        "client_secret",
        "azure_scope",
        "azure_username",
        "azure_password",
        # Vertex AI / Google
        "vertex_project",
        "vertex_location",
        "vertex_credentials",
        "region_name",
        "gcs_bucket_name",
        "bucket_name",
        # AWS Bedrock / SageMaker
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_region_name",
        "aws_session_name",
        "aws_profile_name",
        "aws_role_name",
        "aws_web_identity_token",
        "aws_sts_endpoint",
        "aws_external_id",
        "aws_bedrock_runtime_endpoint",
        "s3_bucket_name",
        "s3_endpoint_url",
        "s3_region_name",
        "aws_batch_role_arn",
        "s3_output_bucket_name",
        "bedrock_tags",
        "watsonx_region_name",
        # custom pricing
        "input_cost_per_token",
        "output_cost_per_token",
        "input_cost_per_second",
        "output_cost_per_second",
        "input_cost_per_pixel",
        "output_cost_per_pixel",
        "cache_creation_input_token_cost",
        "cache_read_input_token_cost",
        "input_cost_per_token_batches",
        "output_cost_per_token_batches",
    }
)

# Request parameters a deployment may set as defaults; passed to the provider unchanged
# (DeploymentParams.extra). OpenAI's chat/embedding params plus common provider-specific ones.
PROVIDER_PARAMS: Final = frozenset(
    {
        "temperature",
        "top_p",
        "top_k",
        "min_p",
        "n",
        "stop",
        "max_tokens",
        "max_completion_tokens",
        "presence_penalty",
        "frequency_penalty",
        "repetition_penalty",
        "logit_bias",
        "user",
        "response_format",
        "seed",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "functions",
        "function_call",
        "logprobs",
        "top_logprobs",
        "reasoning_effort",
        "thinking",
        "verbosity",
        "modalities",
        "audio",
        "prediction",
        "web_search_options",
        "service_tier",
        "stream_options",
        "prompt_cache_key",
        "safety_identifier",
        "extra_body",
        "dimensions",
        "encoding_format",
        "safety_settings",
        "keep_alive",
    }
)

ROUTER_SETTINGS: Final = frozenset(
    {
        "routing_strategy",
        "routing_strategy_args",
        "redis_url",
        "redis_host",
        "redis_port",
        "redis_password",
        "redis_db",
        "cache_responses",
        "cache_kwargs",
        "caching_groups",
        "client_ttl",
        "polling_interval",
        "default_priority",
        "num_retries",
        "max_fallbacks",
        "timeout",
        "stream_timeout",
        "default_litellm_params",
        "default_max_parallel_requests",
        "set_verbose",
        "debug_level",
        "default_fallbacks",
        "fallbacks",
        "context_window_fallbacks",
        "content_policy_fallbacks",
        "model_group_alias",
        "enable_pre_call_checks",
        "enable_pre_call_check",
        "enable_tag_filtering",
        "tag_filtering_match_any",
        "retry_after",
        "retry_policy",
        "model_group_retry_policy",
        "allowed_fails",
        "allowed_fails_policy",
        "cooldown_time",
        "disable_cooldowns",
        "optional_pre_call_checks",
        "provider_budget_config",
        "alerting_config",
        "router_general_settings",
        "deployment_affinity_ttl_seconds",
        "model_group_affinity_config",
        "ignore_invalid_deployments",
        "enable_health_check_routing",
        "health_check_staleness_threshold",
        "health_check_ignore_transient_errors",
        "assistants_config",
        "search_tools",
        "guardrail_list",
    }
)

# Router(routing_strategy=...) accepts exactly these names.
ROUTING_STRATEGIES: Final = (
    "simple-shuffle",
    "least-busy",
    "usage-based-routing",
    "usage-based-routing-v2",
    "latency-based-routing",
    "cost-based-routing",
)

LITELLM_SETTINGS: Final = frozenset(
    {
        "success_callback",
        "failure_callback",
        "callbacks",
        "service_callback",
        "service_callbacks",
        "turn_off_message_logging",
        "redact_user_api_key_info",
        "redact_messages_in_exceptions",
        "langfuse_default_tags",
        "modify_params",
        "enable_preview_features",
        "set_verbose",
        "json_logs",
        "drop_params",
        "num_retries",
        "max_fallbacks",
        "allowed_fails",
        "request_timeout",
        "force_ipv4",
        "ssl_verify",
        "ssl_certificate",
        "fallbacks",
        "default_fallbacks",
        "content_policy_fallbacks",
        "context_window_fallbacks",
        "mcp_aliases",
        "cache",
        "cache_params",
        "enable_caching_on_provider_specific_optional_params",
        "max_budget",
        "budget_duration",
        "max_parallel_requests",
        "max_end_user_budget",
        "max_internal_user_budget",
        "default_max_internal_user_budget",
        "internal_user_budget_duration",
        "default_internal_user_params",
        "default_team_settings",
        "default_key_generate_params",
        "upperbound_key_generate_params",
        "key_generation_settings",
        "public_teams",
        "disable_end_user_cost_tracking",
        "disable_end_user_cost_tracking_prometheus_only",
        "disable_add_transform_inline_image_block",
        "use_chat_completions_url_for_anthropic_messages",
        "disable_hf_tokenizer_download",
        "enable_json_schema_validation",
        "enable_key_alias_format_validation",
        "disable_copilot_system_to_assistant",
        "guardrails",
        "global_prompt_directory",
        "global_bitbucket_config",
        "global_gitlab_config",
        "priority_reservation_settings",
        "model_group_settings",
        "post_call_rules",
        "custom_provider_map",
        "responses",
        "return_response_headers",
        "prometheus_initialize_budget_metrics",
        "log_raw_request_response",
        "telemetry",
        "api_base",
        "api_version",
        "model_alias_map",
    }
)

GENERAL_SETTINGS: Final = frozenset(
    {
        "master_key",
        "database_url",
        "database_connection_pool_limit",
        "database_connection_timeout",
        "allow_requests_on_db_unavailable",
        "completion_model",
        "embedding_model",
        "image_generation_model",
        "moderation_model",
        "store_model_in_db",
        "supported_db_objects",
        "store_prompts_in_spend_logs",
        "disable_spend_logs",
        "disable_spend_updates",
        "disable_master_key_return",
        "disable_retry_on_max_parallel_request_limit_error",
        "disable_reset_budget",
        "disable_adding_master_key_hash_to_db",
        "disable_responses_id_security",
        "disable_prisma_schema_update",
        "enable_jwt_auth",
        "litellm_jwtauth",
        "enable_oauth2_auth",
        "enable_oauth2_proxy_auth",
        "oauth2_config_mappings",
        "enforce_user_param",
        "reject_clientside_metadata_tags",
        "allowed_routes",
        "public_routes",
        "admin_only_routes",
        "allowed_ips",
        "enforced_params",
        "key_management_system",
        "key_management_settings",
        "use_azure_key_vault",
        "use_google_kms",
        "custom_auth",
        "custom_key_generate",
        "custom_sso",
        "custom_ui_sso_sign_in_handler",
        "max_parallel_requests",
        "global_max_parallel_requests",
        "infer_model_from_keys",
        "background_health_checks",
        "use_shared_health_check",
        "health_check_interval",
        "health_check_details",
        "alerting",
        "alerting_threshold",
        "alerting_args",
        "alert_types",
        "alert_to_webhook_url",
        "spend_report_frequency",
        "use_client_credentials_pass_through_routes",
        "allow_client_side_credentials",
        "forward_openai_org_id",
        "forward_client_headers_to_llm_api",
        "use_x_forwarded_for",
        "service_account_settings",
        "default_team_disabled",
        "allow_user_auth",
        "user_api_key_cache_ttl",
        "litellm_key_header_name",
        "ui_access_mode",
        "litellm_license",
        "pass_through_endpoints",
        "role_permissions",
        "search_tools",
        "user_mcp_management_mode",
        "max_request_size_mb",
        "max_response_size_mb",
        "proxy_budget_rescheduler_min_time",
        "proxy_budget_rescheduler_max_time",
        "proxy_batch_write_at",
        "proxy_batch_polling_interval",
        "maximum_spend_logs_retention_period",
        "maximum_spend_logs_retention_interval",
    }
)

# litellm_settings.cache_params.type values LiteLLM's Cache accepts.
CACHE_TYPES: Final = frozenset(
    {"local", "redis", "redis-semantic", "qdrant-semantic", "s3", "gcs", "disk", "azure-blob"}
)

_GUARDRAILS: Final = (
    "guardrails are not implemented by lockgate yet; starting without them would drop the "
    "checks this file asks for. Remove the section to start without guardrails"
)
_ACCESS: Final = (
    "this access restriction is not implemented by lockgate yet; starting without it would "
    "open what the file restricts. Remove the key to start without it"
)

# Section -> key -> why an unimplemented key cannot just be ignored.
REFUSED: Final = MappingProxyType(
    {
        "": MappingProxyType(
            {"guardrails": _GUARDRAILS, "policies": _GUARDRAILS, "policy_attachments": _GUARDRAILS}
        ),
        "litellm_settings": MappingProxyType({"guardrails": _GUARDRAILS}),
        "general_settings": MappingProxyType(
            {
                "allowed_ips": _ACCESS,
                "allowed_routes": _ACCESS,
                "admin_only_routes": _ACCESS,
                "enforced_params": _ACCESS,
                "enforce_user_param": _ACCESS,
                "reject_clientside_metadata_tags": _ACCESS,
            }
        ),
    }
)

# router_settings.retry_policy keys (litellm.types.router.RetryPolicy).
RETRY_POLICY_KEYS: Final = frozenset(
    {
        "BadRequestErrorRetries",
        "AuthenticationErrorRetries",
        "TimeoutErrorRetries",
        "RateLimitErrorRetries",
        "ContentPolicyViolationErrorRetries",
        "InternalServerErrorRetries",
        "ServiceUnavailableErrorRetries",
        "NotFoundErrorRetries",
        "DefaultRetries",
    }
)

# router_settings.allowed_fails_policy keys (litellm.types.router.AllowedFailsPolicy).
ALLOWED_FAILS_POLICY_KEYS: Final = frozenset(
    {
        "BadRequestErrorAllowedFails",
        "AuthenticationErrorAllowedFails",
        "TimeoutErrorAllowedFails",
        "RateLimitErrorAllowedFails",
        "ContentPolicyViolationErrorAllowedFails",
        "InternalServerErrorAllowedFails",
        "ServiceUnavailableErrorAllowedFails",
        "BadGatewayErrorAllowedFails",
        "NotFoundErrorAllowedFails",
    }
)
