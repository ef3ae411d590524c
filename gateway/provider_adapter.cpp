#include "provider_adapter.h"

namespace gh::gateway {

namespace {
constexpr const char* kAnthropicVersion = "2023-06-01";
constexpr const char* kFoundryApiVersion = "2024-05-01-preview";

std::string openAIPath(const Origin& origin, std::string_view rest) {
    // "https://host" -> /v1/chat/completions; "https://host/v1" or "https://host/api/v1" -> .../chat/completions
    if (origin.basePath.ends_with("/v1"))
        return origin.basePath + std::string(rest);
    return origin.basePath + "/v1" + std::string(rest);
}

// Deployment names and versions go into the URL path and query: keep them to safe characters.
std::string urlComponent(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}
} // namespace

wire::Format formatOf(policy::EndpointKind kind) {
    return kind == policy::EndpointKind::Anthropic ? wire::Format::Anthropic : wire::Format::OpenAI;
}

std::string upstreamModelName(const policy::Endpoint& endpoint, const policy::ModelEntry& model) {
    if ((endpoint.kind == policy::EndpointKind::AzureOpenAI || endpoint.kind == policy::EndpointKind::Foundry) &&
        !model.deployment.empty())
        return model.deployment;
    return model.name;
}

std::optional<UpstreamTarget> buildUpstreamRequest(const policy::Endpoint& endpoint, const policy::ModelEntry& model,
                                                   std::string_view secret) {
    auto origin = parseOrigin(endpoint.baseUrl.value);
    if (!origin)
        return std::nullopt;
    UpstreamTarget t{*origin, {}};
    auto& req = t.request;
    req.version(11);
    req.method(http::verb::post);
    const bool standardPort = origin->port == (origin->tls ? "443" : "80");
    req.set(http::field::host, standardPort ? origin->host : origin->host + ":" + origin->port);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, "gatehoused/0.1");
    switch (endpoint.kind) {
    case policy::EndpointKind::Anthropic:
        req.target(origin->basePath + "/v1/messages");
        if (!secret.empty())
            req.set("x-api-key", secret);
        req.set("anthropic-version", kAnthropicVersion);
        break;
    case policy::EndpointKind::AzureOpenAI:
        req.target(origin->basePath + "/openai/deployments/" + urlComponent(upstreamModelName(endpoint, model)) +
                   "/chat/completions?api-version=" + urlComponent(endpoint.apiVersion));
        if (!secret.empty())
            req.set("api-key", secret);
        break;
    case policy::EndpointKind::Foundry:
        req.target(origin->basePath + "/models/chat/completions?api-version=" +
                   urlComponent(endpoint.apiVersion.empty() ? kFoundryApiVersion : endpoint.apiVersion));
        if (!secret.empty())
            req.set("api-key", secret);
        break;
    case policy::EndpointKind::OpenAI:
    case policy::EndpointKind::Ollama:
    case policy::EndpointKind::LMStudio:
    case policy::EndpointKind::OpenAICompatible:
        req.target(openAIPath(*origin, "/chat/completions"));
        if (!secret.empty())
            req.set(http::field::authorization, "Bearer " + std::string(secret));
        break;
    }
    return t;
}

} // namespace gh::gateway
