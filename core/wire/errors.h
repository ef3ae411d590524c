#pragma once
// Error bodies in each provider's shape, so a caller's SDK recognises every refusal, whether the
// gateway made it (policy, budget, bad key) or an upstream did.
//   OpenAI     {"error": {"message", "type", "param": null, "code"}}
//   Anthropic  {"type": "error", "error": {"type", "message"}}
// SDKs of both providers choose their exception class by HTTP status; the type names below are
// what each provider documents for that status.
#include "wire/common.h"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>

namespace gh::wire {

// 400 invalid_request_error, 401 authentication_error, 403 permission_error, 404 not_found_error,
// 409 conflict_error, 413 invalid_request_error, 429 rate_limit_error, other 4xx
// invalid_request_error, 5xx server_error.
std::string_view openaiErrorType(int status);
// 400 invalid_request_error, 401 authentication_error, 402 billing_error, 403 permission_error,
// 404 not_found_error, 413 request_too_large, 429 rate_limit_error, 500 api_error,
// 503 and 529 overloaded_error, 504 timeout_error, other 4xx invalid_request_error, other 5xx
// api_error.
std::string_view anthropicErrorType(int status);
// The HTTP status Anthropic uses for an error type (for errors that arrive inside a stream,
// which has already answered 200); 500 for types it does not know.
int statusForAnthropicErrorType(std::string_view type);

// `code` is OpenAI's machine-readable code (e.g. "insufficient_quota" for an exhausted budget,
// "model_not_found"); empty gives null, except 401 "invalid_api_key" and 429
// "rate_limit_exceeded", which OpenAI always sets.
boost::json::object openaiError(int status, std::string_view message, std::string_view code = {});
boost::json::object anthropicError(int status, std::string_view message);
boost::json::object errorBody(Format format, int status, std::string_view message);

// The message of an upstream error body: either provider's shape, the {"error": "text"} of
// Ollama and friends, {"message"} / {"detail"} of other servers, or plain text (cut to 1,000
// bytes on a UTF-8 boundary). Never empty: "upstream returned HTTP <status>" when the body says
// nothing usable (empty, an HTML page from a proxy, broken JSON, JSON without a message).
// The text is passed on as the upstream wrote it: a provider's 401 may quote a masked key.
std::string upstreamErrorMessage(int status, std::string_view body);
// An upstream error body (in whatever format) rewritten in `target`'s shape, same status. An
// OpenAI `code` survives when the target is OpenAI.
boost::json::object translateErrorBody(Format target, int status, std::string_view upstreamBody);

} // namespace gh::wire
