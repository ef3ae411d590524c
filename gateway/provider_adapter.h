#pragma once
// How each kind of endpoint is called: which wire format it speaks, the URL path, and how the
// provider credential is presented. Everything else about a request is format translation
// (core/wire), not provider-specific.
#include "net.h"
#include "policy/document.h"
#include "upstream_client.h"
#include "wire/common.h"

#include <optional>
#include <string>

namespace gh::gateway {

// The format an endpoint kind speaks: Anthropic for anthropic, OpenAI Chat Completions for the
// rest (Azure OpenAI, Foundry, Ollama and LM Studio included, through their OpenAI-compatible APIs).
wire::Format formatOf(policy::EndpointKind kind);

struct UpstreamTarget {
    Origin origin;
    http::request<http::string_body> request; // method, target, headers; the body is set by the caller
};

// Builds the HTTP request for `model` on `endpoint`; `secret` is the endpoint's provider
// credential ("" when it has none). nullopt when the endpoint's base URL is unusable.
//   openai / openai-compatible / ollama / lmstudio: POST {base}/v1/chat/completions,
//       Authorization: Bearer (a base URL ending in /v1 is not doubled)
//   azure-openai: POST {base}/openai/deployments/{deployment}/chat/completions?api-version=...,
//       api-key header
//   foundry: POST {base}/models/chat/completions?api-version=..., api-key header
//   anthropic: POST {base}/v1/messages, x-api-key and anthropic-version headers
std::optional<UpstreamTarget> buildUpstreamRequest(const policy::Endpoint& endpoint, const policy::ModelEntry& model,
                                                   std::string_view secret);

// The model name to put in the body: Azure routes by deployment in the URL, others by name.
std::string upstreamModelName(const policy::Endpoint& endpoint, const policy::ModelEntry& model);

} // namespace gh::gateway
