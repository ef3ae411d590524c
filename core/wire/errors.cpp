#include "wire/errors.h"

#include "wire/json_util.h"

namespace gh::wire {

using namespace detail;

std::string_view openaiErrorType(int status) {
    switch (status) {
    case 401:
        return "authentication_error";
    case 403:
        return "permission_error";
    case 404:
        return "not_found_error";
    case 409:
        return "conflict_error";
    case 429:
        return "rate_limit_error";
    default:
        return status >= 500 ? "server_error" : "invalid_request_error";
    }
}

std::string_view anthropicErrorType(int status) {
    switch (status) {
    case 401:
        return "authentication_error";
    case 402:
        return "billing_error";
    case 403:
        return "permission_error";
    case 404:
        return "not_found_error";
    case 413:
        return "request_too_large";
    case 429:
        return "rate_limit_error";
    case 503:
    case 529:
        return "overloaded_error";
    case 504:
        return "timeout_error";
    default:
        return status >= 500 ? "api_error" : "invalid_request_error";
    }
}

int statusForAnthropicErrorType(std::string_view type) {
    struct Entry {
        std::string_view type;
        int status;
    };
    static constexpr Entry kTable[] = {
        {"invalid_request_error", 400}, {"authentication_error", 401},
        {"billing_error", 402},         {"permission_error", 403},
        {"not_found_error", 404},       {"request_too_large", 413},
        {"rate_limit_error", 429},      {"api_error", 500},
        {"timeout_error", 504},         {"overloaded_error", 529},
    };
    for (const auto& e : kTable)
        if (e.type == type)
            return e.status;
    return 500;
}

json::object openaiError(int status, std::string_view message, std::string_view code) {
    if (code.empty() && status == 401)
        code = "invalid_api_key";
    if (code.empty() && status == 429)
        code = "rate_limit_exceeded";
    json::object error;
    error["message"] = message;
    error["type"] = openaiErrorType(status);
    error["param"] = nullptr;
    if (code.empty())
        error["code"] = nullptr;
    else
        error["code"] = code;
    json::object body;
    body["error"] = std::move(error);
    return body;
}

json::object anthropicError(int status, std::string_view message) {
    json::object error;
    error["type"] = anthropicErrorType(status);
    error["message"] = message;
    json::object body;
    body["type"] = "error";
    body["error"] = std::move(error);
    return body;
}

json::object errorBody(Format format, int status, std::string_view message) {
    return format == Format::OpenAI ? openaiError(status, message) : anthropicError(status, message);
}

namespace {

constexpr std::size_t kMaxPlainMessage = 1000;

std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos)
        return {};
    const auto last = s.find_last_not_of(" \t\r\n");
    s = s.substr(first, last - first + 1);
    if (s.size() <= kMaxPlainMessage)
        return std::string(s);
    // Cut on a UTF-8 character boundary.
    std::size_t cut = kMaxPlainMessage;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(s.substr(0, cut)) + "...";
}

std::string_view messageOf(const json::object& body) {
    if (const auto* error = getObject(body, "error")) {
        if (auto m = getString(*error, "message"))
            return *m;
    }
    for (const char* key : {"error", "message", "detail"})
        if (auto m = getString(body, key))
            return *m;
    return {};
}

std::string messageFrom(int status, std::string_view body, const std::optional<json::object>& parsed) {
    std::string message;
    if (parsed) {
        message = trimmed(messageOf(*parsed));
    } else if (const auto first = body.find_first_not_of(" \t\r\n");
               first != std::string_view::npos && body[first] != '<' && body[first] != '{' && body[first] != '[') {
        // Plain text is passed on; an HTML error page (a proxy's) or broken JSON is not.
        message = trimmed(body);
    }
    if (message.empty())
        message = "upstream returned HTTP " + std::to_string(status);
    return message;
}

} // namespace

std::string upstreamErrorMessage(int status, std::string_view body) {
    return messageFrom(status, body, parseObject(body));
}

json::object translateErrorBody(Format target, int status, std::string_view upstreamBody) {
    const auto parsed = parseObject(upstreamBody);
    const std::string message = messageFrom(status, upstreamBody, parsed);
    if (target == Format::Anthropic)
        return anthropicError(status, message);
    std::string_view code;
    if (parsed) {
        if (const auto* error = getObject(*parsed, "error"))
            code = stringOr(*error, "code");
    }
    return openaiError(status, message, code);
}

} // namespace gh::wire
