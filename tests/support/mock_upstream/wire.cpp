// mock-upstream: OpenAI Chat Completions (OpenAI, Ollama, LM Studio, openai-compatible),
// Azure OpenAI (deployments and v1), Foundry (/models/chat/completions) and Anthropic Messages,
// written from the providers' public documentation and observed responses. Shares no code with
// the gateway on purpose.
#include "wire.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace mock {
namespace json = boost::json;

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

std::string_view Request::header(std::string_view name) const noexcept {
    for (const Header& h : headers)
        if (iequals(h.name, name))
            return h.value;
    return {};
}

bool Request::has_header(std::string_view name) const noexcept {
    for (const Header& h : headers)
        if (iequals(h.name, name))
            return true;
    return false;
}

namespace {

// ------------------------------------------------------------------------------------------
// Small utilities

json::string_view js(std::string_view s) {
    return {s.data(), s.size()};
}
std::string_view sv(json::string_view s) {
    return {s.data(), s.size()};
}

std::uint64_t next_random() {
    thread_local std::uint64_t state = [] {
        std::random_device rd;
        return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    }();
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

constexpr std::string_view alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr std::string_view hexdigits = "0123456789abcdef";

std::string make_id(std::string_view prefix, std::size_t n, std::string_view alphabet) {
    std::string s;
    s.reserve(prefix.size() + n);
    s.append(prefix);
    for (std::size_t i = 0; i < n; ++i)
        s.push_back(alphabet[next_random() % alphabet.size()]);
    return s;
}

std::string make_uuid() {
    std::string s = make_id("", 32, hexdigits);
    s.insert(20, 1, '-');
    s.insert(16, 1, '-');
    s.insert(12, 1, '-');
    s.insert(8, 1, '-');
    return s;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::size_t count_words(std::string_view s) {
    std::size_t n = 0;
    bool in_word = false;
    for (char c : s) {
        if (is_space(c)) {
            in_word = false;
        } else if (!in_word) {
            in_word = true;
            ++n;
        }
    }
    return n;
}

bool is_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The first `max_chars` code points of s; never splits a UTF-8 sequence.
std::string_view first_chars(std::string_view s, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (is_continuation(s[i]))
            continue;
        if (chars == max_chars)
            return s.substr(0, i);
        ++chars;
    }
    return s;
}

// At most n non-empty pieces of about equal length, cut on UTF-8 boundaries.
std::vector<std::string_view> split_pieces(std::string_view s, int n) {
    std::vector<std::string_view> out;
    if (s.empty())
        return out;
    const std::size_t parts = static_cast<std::size_t>(std::max(n, 1));
    const std::size_t step = (s.size() + parts - 1) / parts;
    std::size_t pos = 0;
    while (pos < s.size()) {
        std::size_t end = std::min(s.size(), pos + step);
        while (end < s.size() && is_continuation(s[end]))
            ++end;
        out.push_back(s.substr(pos, end - pos));
        pos = end;
    }
    return out;
}

std::optional<long> parse_number(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    long v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

std::optional<long> header_number(const Request& req, std::string_view name) {
    const auto h = req.header(name);
    if (h.empty())
        return std::nullopt;
    return parse_number(h);
}

bool has_query_param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos && part.substr(0, eq) == name && eq + 1 < part.size())
            return true;
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return false;
}

std::string_view query_param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto part = query.substr(0, amp);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos && part.substr(0, eq) == name)
            return part.substr(eq + 1);
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

void append_json(std::string& out, const json::value& v) {
    // One serializer per thread: reset() keeps its internal memory.
    thread_local json::serializer sr;
    sr.reset(&v);
    while (!sr.done()) {
        const std::size_t old = out.size();
        const std::size_t room = std::max<std::size_t>(out.capacity() - old, 1024);
        out.resize(old + room);
        const auto chunk = sr.read(out.data() + old, room);
        out.resize(old + chunk.size());
    }
}

std::string_view string_at(const json::object& o, std::string_view key) {
    if (const auto* v = o.if_contains(js(key)); v && v->is_string())
        return sv(v->get_string());
    return {};
}

const json::object* object_at(const json::object& o, std::string_view key) {
    if (const auto* v = o.if_contains(js(key)))
        return v->if_object();
    return nullptr;
}

const json::array* array_at(const json::object& o, std::string_view key) {
    if (const auto* v = o.if_contains(js(key)))
        return v->if_array();
    return nullptr;
}

bool true_at(const json::object& o, std::string_view key) {
    if (const auto* v = o.if_contains(js(key)); v && v->is_bool())
        return v->get_bool();
    return false;
}

// ------------------------------------------------------------------------------------------
// One request being served

enum class Dialect { openai, azure, anthropic };

struct Call {
    State& st;
    const Request& req;
    Reply& out;
    Dialect dialect;
    json::storage_ptr sp;
    std::string_view path;
    std::string_view query;
    std::string request_id;
    Endpoint endpoint = Endpoint::not_found;
    bool stream = false;
    long retry_after = -1; // seconds; set on 429
};

std::string new_request_id(Dialect d) {
    switch (d) {
    case Dialect::openai:
        return make_id("req_", 32, hexdigits);
    case Dialect::azure:
        return make_uuid();
    case Dialect::anthropic:
        return make_id("req_011C", 20, base58);
    }
    return {};
}

// The headers each provider puts on every answer (errors included).
void add_provider_headers(Call& c) {
    Reply& r = c.out;
    const bool limited = c.out.status == 429;
    switch (c.dialect) {
    case Dialect::openai:
        r.add_header("x-request-id", c.request_id);
        r.add_header("openai-organization", "org-mock");
        r.add_header("openai-processing-ms", "1");
        r.add_header("openai-version", "2020-10-01");
        r.add_header("x-ratelimit-limit-requests", "10000");
        r.add_header("x-ratelimit-remaining-requests", limited ? "0" : "9999");
        break;
    case Dialect::azure:
        r.add_header("apim-request-id", c.request_id);
        r.add_header("x-request-id", c.request_id);
        r.add_header("x-ms-region", "Sweden Central");
        r.add_header("x-ratelimit-remaining-requests", limited ? "0" : "999");
        r.add_header("x-ratelimit-remaining-tokens", limited ? "0" : "999000");
        break;
    case Dialect::anthropic:
        r.add_header("request-id", c.request_id);
        r.add_header("anthropic-organization-id", "3b4f5d2e-6c1a-4e8b-9f70-0a1b2c3d4e5f");
        if (limited)
            r.add_header("anthropic-ratelimit-requests-remaining", "0");
        break;
    }
    if (c.retry_after >= 0) {
        const std::string secs = std::to_string(c.retry_after);
        r.add_header("retry-after", secs);
        if (c.dialect == Dialect::azure)
            r.add_header("retry-after-ms", std::to_string(c.retry_after * 1000));
    }
}

void reply_json(Call& c, unsigned status, const json::value& v) {
    c.out.status = status;
    c.out.body.clear();
    append_json(c.out.body, v);
}

// ------------------------------------------------------------------------------------------
// Errors, in each provider's shape

void openai_error(Call& c, unsigned status, std::string_view message, std::string_view type,
                  std::string_view param = {}, std::string_view code = {}) {
    json::object err(c.sp);
    err["message"] = js(message);
    err["type"] = js(type);
    if (param.empty())
        err["param"] = nullptr;
    else
        err["param"] = js(param);
    if (code.empty())
        err["code"] = nullptr;
    else
        err["code"] = js(code);
    json::object o(c.sp);
    o["error"] = std::move(err);
    reply_json(c, status, o);
}

void azure_error(Call& c, unsigned status, std::string_view code, std::string_view message) {
    json::object err(c.sp);
    err["code"] = js(code);
    err["message"] = js(message);
    json::object o(c.sp);
    o["error"] = std::move(err);
    reply_json(c, status, o);
}

void anthropic_error(Call& c, unsigned status, std::string_view type, std::string_view message) {
    json::object err(c.sp);
    err["type"] = js(type);
    err["message"] = js(message);
    json::object o(c.sp);
    o["type"] = "error";
    o["error"] = std::move(err);
    o["request_id"] = js(c.request_id);
    reply_json(c, status, o);
}

enum class Err { not_found, bad_json, missing_key, wrong_key, rate_limited, server_error, unavailable, overloaded };

constexpr std::string_view openai_bad_json =
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
    "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. "
    "If you have trouble figuring out how to fix this, please contact us through our help center at "
    "help.openai.com.)";
constexpr std::string_view openai_no_key =
    "You didn't provide an API key. You need to provide your API key in an Authorization header using "
    "Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if "
    "you're accessing the API from your browser and are prompted for a username and password. You can "
    "obtain an API key from https://platform.openai.com/account/api-keys.";
constexpr std::string_view openai_server_error =
    "The server had an error while processing your request. Sorry about that!";
constexpr std::string_view azure_denied =
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
    "for an active subscription and use a correct regional API endpoint for your resource.";

// OpenAI shows a wrong key's first 8 and last 4 characters.
std::string redact_key(std::string_view key) {
    if (key.size() <= 12)
        return std::string(key.size(), '*');
    std::string r(key.substr(0, 8));
    r.append(key.size() - 12, '*');
    r.append(key.substr(key.size() - 4));
    return r;
}

// `detail`: the wrong key (wrong_key), the model (rate_limited), the parser's message (bad_json).
void error(Call& c, Err e, std::string_view detail = {}) {
    switch (c.dialect) {
    case Dialect::openai:
        switch (e) {
        case Err::not_found: {
            std::string m = "Invalid URL (";
            m.append(c.req.method).append(" ").append(c.path).append(")");
            return openai_error(c, 404, m, "invalid_request_error");
        }
        case Err::bad_json:
            return openai_error(c, 400, openai_bad_json, "invalid_request_error");
        case Err::missing_key:
            return openai_error(c, 401, openai_no_key, "invalid_request_error");
        case Err::wrong_key: {
            std::string m = "Incorrect API key provided: " + redact_key(detail) +
                            ". You can find your API key at https://platform.openai.com/account/api-keys.";
            return openai_error(c, 401, m, "invalid_request_error", {}, "invalid_api_key");
        }
        case Err::rate_limited: {
            std::string m = "Rate limit reached for ";
            m.append(detail).append(" in organization org-mock on requests per min (RPM): Limit 500, Used 500, "
                                    "Requested 1. Please try again in ");
            m.append(std::to_string(std::max(c.retry_after, 1L)))
                .append("s. Visit https://platform.openai.com/account/rate-limits to learn more.");
            return openai_error(c, 429, m, "requests", {}, "rate_limit_exceeded");
        }
        case Err::server_error:
            return openai_error(c, 500, openai_server_error, "server_error");
        case Err::unavailable:
            return openai_error(c, 503, "The server is overloaded or not ready yet.", "server_error");
        case Err::overloaded:
            return openai_error(c, 529, "The server is overloaded or not ready yet.", "server_error");
        }
        break;
    case Dialect::azure:
        switch (e) {
        case Err::not_found:
            return azure_error(c, 404, "404", "Resource not found");
        case Err::bad_json:
            return openai_error(c, 400, openai_bad_json, "invalid_request_error");
        case Err::missing_key:
        case Err::wrong_key:
            return azure_error(c, 401, "401", azure_denied);
        case Err::rate_limited: {
            std::string m = "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ";
            const auto version = query_param(c.query, "api-version");
            m.append(version.empty() ? std::string_view("2024-10-21") : version);
            m.append(" have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ");
            const long secs = std::max(c.retry_after, 1L);
            m.append(std::to_string(secs)).append(secs == 1 ? " second" : " seconds");
            m.append(". Please go here: https://aka.ms/oai/quotaincrease if you would like to further "
                     "increase the default rate limit.");
            return azure_error(c, 429, "429", m);
        }
        case Err::server_error:
            return openai_error(c, 500, openai_server_error, "server_error");
        case Err::unavailable:
            return azure_error(c, 503, "ServiceUnavailable",
                               "The service is temporarily unable to process your request. Please try again later.");
        case Err::overloaded:
            return azure_error(c, 529, "ServiceUnavailable",
                               "The service is temporarily unable to process your request. Please try again later.");
        }
        break;
    case Dialect::anthropic:
        switch (e) {
        case Err::not_found:
            return anthropic_error(c, 404, "not_found_error", "Not Found");
        case Err::bad_json: {
            std::string m = "The request body is not valid JSON: ";
            m.append(detail);
            return anthropic_error(c, 400, "invalid_request_error", m);
        }
        case Err::missing_key:
            return anthropic_error(c, 401, "authentication_error", "x-api-key header is required");
        case Err::wrong_key:
            return anthropic_error(c, 401, "authentication_error", "invalid x-api-key");
        case Err::rate_limited:
            return anthropic_error(
                c, 429, "rate_limit_error",
                "This request would exceed the rate limit for your organization (3b4f5d2e-6c1a-4e8b-9f70-0a1b2c3d4e5f) "
                "of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits. You "
                "can see the response headers for current usage. Please reduce the prompt length or the maximum "
                "tokens requested, or try again later. You may also contact sales at "
                "https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.");
        case Err::server_error:
            return anthropic_error(c, 500, "api_error", "Internal server error");
        case Err::unavailable:
            return anthropic_error(c, 503, "api_error", "Service Unavailable");
        case Err::overloaded:
            return anthropic_error(c, 529, "overloaded_error", "Overloaded");
        }
        break;
    }
}

// ------------------------------------------------------------------------------------------
// Authentication

// Anthropic: x-api-key, or (API version 2026-10-21 SDKs) Authorization: Bearer with the same key.
enum class Auth { bearer, api_key, api_key_or_bearer, x_api_key_or_bearer };

std::string_view bearer_token(const Request& req) {
    auto h = req.header("authorization");
    if (h.size() < 7 || !iequals(h.substr(0, 7), "bearer "))
        return {};
    h.remove_prefix(7);
    while (!h.empty() && h.front() == ' ')
        h.remove_prefix(1);
    return h;
}

bool authorized(Call& c, Auth how) {
    const std::string& key = c.st.options.require_key;
    if (key.empty())
        return true;
    std::string_view got;
    bool present = false;
    switch (how) {
    case Auth::bearer:
        got = bearer_token(c.req);
        present = !got.empty();
        break;
    case Auth::api_key:
        present = c.req.has_header("api-key");
        got = c.req.header("api-key");
        break;
    case Auth::api_key_or_bearer:
        if (c.req.has_header("api-key")) {
            present = true;
            got = c.req.header("api-key");
        } else {
            got = bearer_token(c.req);
            present = !got.empty();
        }
        break;
    case Auth::x_api_key_or_bearer:
        if (c.req.has_header("x-api-key")) {
            present = true;
            got = c.req.header("x-api-key");
        } else if (got = bearer_token(c.req); !got.empty()) {
            if (got == key)
                return true;
            anthropic_error(c, 401, "authentication_error", "invalid bearer token");
            return false;
        }
        break;
    }
    if (present && got == key)
        return true;
    error(c, present ? Err::wrong_key : Err::missing_key, got);
    return false;
}

// ------------------------------------------------------------------------------------------
// Body parsing

// Parses the body as a JSON object into c.sp; on failure, answers with the provider's error.
const json::object* parse_body(Call& c, json::value& doc) {
    unsigned char temp[4096];
    json::parse_options opts;
    opts.max_depth = 256;
    json::stream_parser p(json::storage_ptr(), opts, temp);
    p.reset(c.sp);
    std::error_code ec;
    const std::size_t used = p.write(c.req.body.data(), c.req.body.size(), ec);
    if (!ec)
        p.finish(ec);
    if (!ec) {
        doc = p.release();
        if (const auto* o = doc.if_object())
            return o;
        error(c, Err::bad_json, "Input should be a valid dictionary");
        return nullptr;
    }
    // Position of the error, as Python's json module reports it.
    const std::size_t at = std::min(used, c.req.body.size());
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < at; ++i) {
        if (c.req.body[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    std::string detail = ec.message();
    detail.append(": line ").append(std::to_string(line)).append(" column ").append(std::to_string(col));
    detail.append(" (char ").append(std::to_string(at)).append(")");
    error(c, Err::bad_json, detail);
    return nullptr;
}

// ------------------------------------------------------------------------------------------
// Failure injection

enum class Failure { none, fail_429, fail_500, fail_503, fail_529, reset_mid_stream, reset, slow_stream, hang };

struct FailureName {
    std::string_view token;
    Failure failure;
};
// Longer tokens first: "reset-mid-stream" contains "reset".
constexpr FailureName failure_names[] = {
    {"reset-mid-stream", Failure::reset_mid_stream},
    {"slow-stream", Failure::slow_stream},
    {"fail-429", Failure::fail_429},
    {"fail-500", Failure::fail_500},
    {"fail-503", Failure::fail_503},
    {"fail-529", Failure::fail_529},
    {"reset", Failure::reset},
    {"hang", Failure::hang},
};

std::string_view failure_label(Failure f) {
    for (const auto& n : failure_names)
        if (n.failure == f)
            return n.token;
    return "ok";
}

Failure failure_in(std::string_view s) {
    for (const auto& n : failure_names)
        if (s.find(n.token) != std::string_view::npos)
            return n.failure;
    return Failure::none;
}

// The `mock-fail` header wins; otherwise a failure token anywhere in the model (or deployment) name.
Failure pick_failure(const Call& c, std::string_view name1, std::string_view name2 = {}) {
    if (const auto h = c.req.header("mock-fail"); !h.empty())
        return failure_in(h);
    if (const auto f = failure_in(name1); f != Failure::none)
        return f;
    return failure_in(name2);
}

// Answers now for failures that replace the response; returns false when serving goes on
// (none, slow-stream, reset-mid-stream: those shape the normal response).
bool apply_failure(Call& c, Failure f, std::string_view model) {
    if (f == Failure::none)
        return false;
    c.out.injected = failure_label(f);
    switch (f) {
    case Failure::fail_429:
        c.retry_after = header_number(c.req, "mock-retry-after").value_or(1);
        error(c, Err::rate_limited, model);
        return true;
    case Failure::fail_500:
        error(c, Err::server_error);
        return true;
    case Failure::fail_503:
        error(c, Err::unavailable);
        return true;
    case Failure::fail_529:
        error(c, Err::overloaded);
        return true;
    case Failure::reset:
        c.out.action = Action::reset;
        return true;
    case Failure::hang:
        c.out.action = Action::hang;
        return true;
    case Failure::slow_stream:
        c.out.chunk_delay_ms = 500;
        if (!c.stream)
            c.out.delay_ms += 500;
        return false;
    case Failure::reset_mid_stream:
    case Failure::none:
        return false;
    }
    return false;
}

void finish_failure(Call& c, Failure f) {
    if (f == Failure::reset_mid_stream)
        c.out.action = Action::reset_mid_stream;
}

// ------------------------------------------------------------------------------------------
// The conversation: what the mock "reads" and how it counts tokens

// Words of the text in a message content: a string, or parts with "text", or nested
// "content" (tool results). Images and other parts count nothing.
std::size_t text_words(const json::value& v, int depth = 0) {
    if (depth > 8)
        return 0;
    switch (v.kind()) {
    case json::kind::string:
        return count_words(sv(v.get_string()));
    case json::kind::array: {
        std::size_t n = 0;
        for (const auto& e : v.get_array())
            n += text_words(e, depth + 1);
        return n;
    }
    case json::kind::object: {
        const auto& o = v.get_object();
        std::size_t n = 0;
        if (const auto* t = o.if_contains("text"); t && t->is_string())
            n += count_words(sv(t->get_string()));
        if (const auto* ct = o.if_contains("content"))
            n += text_words(*ct, depth + 1);
        return n;
    }
    default:
        return 0;
    }
}

void collect_text(const json::value& v, std::string& out, std::size_t limit, int depth = 0) {
    if (depth > 8 || out.size() >= limit)
        return;
    switch (v.kind()) {
    case json::kind::string:
        if (!out.empty())
            out.push_back(' ');
        out.append(sv(v.get_string()).substr(0, limit));
        break;
    case json::kind::array:
        for (const auto& e : v.get_array())
            collect_text(e, out, limit, depth + 1);
        break;
    case json::kind::object: {
        const auto& o = v.get_object();
        if (const auto* t = o.if_contains("text"); t && t->is_string())
            collect_text(*t, out, limit, depth + 1);
        if (const auto* ct = o.if_contains("content"))
            collect_text(*ct, out, limit, depth + 1);
        break;
    }
    default:
        break;
    }
}

struct Prompt {
    std::size_t tokens = 0;
    std::string last_text; // text of the last message (its first few hundred bytes)
    bool last_from_user = false;
};

constexpr std::size_t per_message_tokens = 3;
constexpr std::size_t last_text_limit = 400;

Prompt openai_prompt(const json::array& messages) {
    Prompt p;
    for (const auto& m : messages) {
        p.tokens += per_message_tokens;
        const auto* o = m.if_object();
        if (!o)
            continue;
        if (const auto* content = o->if_contains("content"))
            p.tokens += text_words(*content);
        if (const auto* calls = array_at(*o, "tool_calls"))
            for (const auto& call : *calls)
                if (const auto* co = call.if_object())
                    if (const auto* fn = object_at(*co, "function"))
                        p.tokens += count_words(string_at(*fn, "arguments"));
    }
    if (!messages.empty())
        if (const auto* last = messages.back().if_object()) {
            p.last_from_user = string_at(*last, "role") == "user";
            if (const auto* content = last->if_contains("content"))
                collect_text(*content, p.last_text, last_text_limit);
        }
    return p;
}

bool has_tool_result(const json::value& content) {
    if (const auto* arr = content.if_array())
        for (const auto& part : *arr)
            if (const auto* o = part.if_object(); o && string_at(*o, "type") == "tool_result")
                return true;
    return false;
}

Prompt anthropic_prompt(const json::value* system, const json::array& messages) {
    Prompt p;
    if (system && !system->is_null())
        p.tokens += per_message_tokens + text_words(*system);
    for (const auto& m : messages) {
        p.tokens += per_message_tokens;
        if (const auto* o = m.if_object())
            if (const auto* content = o->if_contains("content"))
                p.tokens += text_words(*content);
    }
    if (!messages.empty())
        if (const auto* last = messages.back().if_object()) {
            const auto* content = last->if_contains("content");
            p.last_from_user = string_at(*last, "role") == "user" && !(content && has_tool_result(*content));
            if (content)
                collect_text(*content, p.last_text, last_text_limit);
        }
    return p;
}

struct ToolPick {
    bool found = false;
    std::string_view name;
    const json::object* schema = nullptr;
};

ToolPick openai_tool(const json::object& body) {
    ToolPick t;
    const auto* tools = array_at(body, "tools");
    if (!tools || tools->empty())
        return t;
    std::string_view wanted;
    if (const auto* choice = body.if_contains("tool_choice")) {
        if (choice->is_string() && choice->get_string() == "none")
            return t;
        if (const auto* co = choice->if_object())
            if (const auto* fn = object_at(*co, "function"))
                wanted = string_at(*fn, "name");
    }
    for (const auto& tool : *tools) {
        const auto* to = tool.if_object();
        const auto* fn = to ? object_at(*to, "function") : nullptr;
        if (!fn)
            continue;
        const auto name = string_at(*fn, "name");
        if (!wanted.empty() && name != wanted)
            continue;
        t.found = true;
        t.name = name;
        t.schema = object_at(*fn, "parameters");
        return t;
    }
    return t;
}

ToolPick anthropic_tool(const json::object& body) {
    ToolPick t;
    const auto* tools = array_at(body, "tools");
    if (!tools || tools->empty())
        return t;
    std::string_view wanted;
    if (const auto* choice = object_at(body, "tool_choice")) {
        const auto type = string_at(*choice, "type");
        if (type == "none")
            return t;
        if (type == "tool")
            wanted = string_at(*choice, "name");
    }
    for (const auto& tool : *tools) {
        const auto* to = tool.if_object();
        if (!to)
            continue;
        const auto name = string_at(*to, "name");
        if (!wanted.empty() && name != wanted)
            continue;
        t.found = true;
        t.name = name;
        t.schema = object_at(*to, "input_schema");
        return t;
    }
    return t;
}

json::object sample_object(const json::object* schema, const json::storage_ptr& sp, int depth);

// A small value that satisfies a JSON schema's type (and enum/const).
json::value sample_value(const json::value* schema, const json::storage_ptr& sp, int depth) {
    const auto* s = schema ? schema->if_object() : nullptr;
    if (!s)
        return json::value("mock", sp);
    if (const auto* e = array_at(*s, "enum"); e && !e->empty())
        return json::value((*e)[0], sp);
    if (const auto* k = s->if_contains("const"))
        return json::value(*k, sp);
    std::string_view type = string_at(*s, "type");
    if (const auto* types = array_at(*s, "type"))
        for (const auto& t : *types)
            if (t.is_string() && t.get_string() != "null") {
                type = sv(t.get_string());
                break;
            }
    if (type == "string")
        return json::value("mock", sp);
    if (type == "integer" || type == "number")
        return json::value(1, sp);
    if (type == "boolean")
        return json::value(true, sp);
    if (type == "array")
        return json::value(json::array(sp));
    if (type == "object")
        return json::value(sample_object(s, sp, depth + 1));
    if (type == "null")
        return json::value(nullptr, sp);
    return json::value("mock", sp);
}

// The required properties (at most 3), or else the first property.
json::object sample_object(const json::object* schema, const json::storage_ptr& sp, int depth) {
    json::object out(sp);
    if (!schema || depth > 4)
        return out;
    const auto* props = object_at(*schema, "properties");
    if (!props || props->empty())
        return out;
    if (const auto* required = array_at(*schema, "required")) {
        for (const auto& r : *required) {
            if (out.size() >= 3)
                break;
            if (!r.is_string())
                continue;
            if (const auto* p = props->if_contains(r.get_string()))
                out[r.get_string()] = sample_value(p, sp, depth);
        }
    }
    if (out.empty()) {
        const auto& first = *props->begin();
        out[first.key()] = sample_value(&first.value(), sp, depth);
    }
    return out;
}

struct Output {
    bool tool = false;
    std::string text; // the reply, or the tool arguments as JSON text
    std::string_view tool_name;
    json::value input; // the tool arguments as JSON
    std::size_t prompt = 0;
    std::size_t completion = 0;
    std::size_t cached = 0;         // OpenAI cached_tokens; Anthropic cache_read_input_tokens
    std::size_t cache_creation = 0; // Anthropic cache_creation_input_tokens
};

Output make_output(const Call& c, const Prompt& p, const ToolPick& t) {
    Output o;
    if (t.found && p.last_from_user) {
        o.tool = true;
        o.tool_name = t.name;
        o.input = sample_object(t.schema, c.sp, 0);
        append_json(o.text, o.input);
    } else {
        o.text = "mock reply to: ";
        o.text.append(first_chars(p.last_text, 40));
    }
    o.prompt = p.tokens;
    // Text: one token a word. Tool call: one token per 4 bytes of the arguments' JSON.
    o.completion = std::max<std::size_t>(1, o.tool ? o.text.size() / 4 : count_words(o.text));
    const long cached = std::max(0L, header_number(c.req, "mock-cached-tokens").value_or(0));
    o.cached = std::min<std::size_t>(static_cast<std::size_t>(cached), o.prompt);
    const long creation = std::max(0L, header_number(c.req, "mock-cache-creation-tokens").value_or(0));
    o.cache_creation = std::min<std::size_t>(static_cast<std::size_t>(creation), o.prompt - o.cached);
    return o;
}

void push_event(Call& c, std::string_view event, const json::value& data) {
    std::string ev;
    ev.reserve(256);
    if (!event.empty())
        ev.append("event: ").append(event).append("\n");
    ev.append("data: ");
    append_json(ev, data);
    ev.append("\n\n");
    c.out.events.push_back(std::move(ev));
}

void start_stream(Call& c) {
    c.out.action = Action::stream;
    c.out.status = 200;
    c.out.content_type = "text/event-stream; charset=utf-8";
}

// ------------------------------------------------------------------------------------------
// OpenAI Chat Completions (and Azure OpenAI, Foundry)

enum class Flavor { openai, azure_deployment, azure_v1, foundry };

constexpr std::string_view fingerprint = "fp_7c0b6f1e2a";

json::object openai_usage(const Call& c, const Output& o) {
    json::object prompt_details(c.sp);
    prompt_details["cached_tokens"] = o.cached;
    prompt_details["audio_tokens"] = 0;
    json::object completion_details(c.sp);
    completion_details["reasoning_tokens"] = 0;
    completion_details["audio_tokens"] = 0;
    completion_details["accepted_prediction_tokens"] = 0;
    completion_details["rejected_prediction_tokens"] = 0;
    json::object u(c.sp);
    u["prompt_tokens"] = o.prompt;
    u["completion_tokens"] = o.completion;
    u["total_tokens"] = o.prompt + o.completion;
    u["prompt_tokens_details"] = std::move(prompt_details);
    u["completion_tokens_details"] = std::move(completion_details);
    return u;
}

// Azure's content-filter annotations (all "safe").
json::object filter_results(const Call& c, bool prompt) {
    json::object r(c.sp);
    for (const char* cat : {"hate", "self_harm", "sexual", "violence"}) {
        json::object x(c.sp);
        x["filtered"] = false;
        x["severity"] = "safe";
        r[cat] = std::move(x);
    }
    if (prompt) {
        json::object j(c.sp);
        j["filtered"] = false;
        j["detected"] = false;
        r["jailbreak"] = std::move(j);
    }
    return r;
}

json::array prompt_filter_results(const Call& c) {
    json::object p(c.sp);
    p["prompt_index"] = 0;
    p["content_filter_results"] = filter_results(c, true);
    json::array a(c.sp);
    a.push_back(std::move(p));
    return a;
}

json::object openai_tool_call(const Call& c, const Output& o, std::string_view call_id) {
    json::object fn(c.sp);
    fn["name"] = js(o.tool_name);
    fn["arguments"] = js(o.text);
    json::object call(c.sp);
    call["id"] = js(call_id);
    call["type"] = "function";
    call["function"] = std::move(fn);
    return call;
}

void openai_completion(Call& c, bool azure, std::string_view model, const Output& o) {
    json::object msg(c.sp);
    msg["role"] = "assistant";
    if (o.tool) {
        msg["content"] = nullptr;
        json::array calls(c.sp);
        calls.push_back(openai_tool_call(c, o, make_id("call_", 24, alnum)));
        msg["tool_calls"] = std::move(calls);
    } else {
        msg["content"] = js(o.text);
    }
    msg["refusal"] = nullptr;
    msg["annotations"] = json::array(c.sp);
    json::object choice(c.sp);
    choice["index"] = 0;
    choice["message"] = std::move(msg);
    choice["logprobs"] = nullptr;
    choice["finish_reason"] = o.tool ? "tool_calls" : "stop";
    if (azure)
        choice["content_filter_results"] = filter_results(c, false);
    json::array choices(c.sp);
    choices.push_back(std::move(choice));

    json::object r(c.sp);
    r["id"] = js(make_id("chatcmpl-", 29, alnum));
    r["object"] = "chat.completion";
    r["created"] = static_cast<std::int64_t>(std::time(nullptr));
    r["model"] = js(model);
    r["choices"] = std::move(choices);
    r["usage"] = openai_usage(c, o);
    if (!azure)
        r["service_tier"] = "default";
    r["system_fingerprint"] = js(fingerprint);
    if (azure)
        r["prompt_filter_results"] = prompt_filter_results(c);
    reply_json(c, 200, r);
}

void openai_stream(Call& c, bool azure, std::string_view model, const Output& o, bool include_usage) {
    start_stream(c);
    const std::string id = make_id("chatcmpl-", 29, alnum);
    const auto created = static_cast<std::int64_t>(std::time(nullptr));

    auto base = [&] {
        json::object ch(c.sp);
        ch["id"] = js(id);
        ch["object"] = "chat.completion.chunk";
        ch["created"] = created;
        ch["model"] = js(model);
        if (!azure)
            ch["service_tier"] = "default";
        ch["system_fingerprint"] = js(fingerprint);
        return ch;
    };
    auto emit = [&](json::object delta, const char* finish_reason, bool filtered) {
        json::object choice(c.sp);
        choice["index"] = 0;
        choice["delta"] = std::move(delta);
        choice["logprobs"] = nullptr;
        if (finish_reason)
            choice["finish_reason"] = finish_reason;
        else
            choice["finish_reason"] = nullptr;
        if (azure)
            choice["content_filter_results"] = filtered ? filter_results(c, false) : json::object(c.sp);
        json::array choices(c.sp);
        choices.push_back(std::move(choice));
        json::object ch = base();
        ch["choices"] = std::move(choices);
        if (include_usage)
            ch["usage"] = nullptr;
        push_event(c, {}, ch);
    };

    if (azure) {
        // Azure's first event carries the prompt's filter results and no choice.
        json::object first(c.sp);
        first["choices"] = json::array(c.sp);
        first["created"] = 0;
        first["id"] = "";
        first["model"] = "";
        first["object"] = "";
        first["prompt_filter_results"] = prompt_filter_results(c);
        push_event(c, {}, first);
    }

    const int chunks = c.st.options.stream_chunks;
    if (!o.tool) {
        json::object d(c.sp);
        d["role"] = "assistant";
        d["content"] = "";
        d["refusal"] = nullptr;
        emit(std::move(d), nullptr, false);
        for (const auto piece : split_pieces(o.text, chunks)) {
            json::object p(c.sp);
            p["content"] = js(piece);
            emit(std::move(p), nullptr, true);
        }
        emit(json::object(c.sp), "stop", false);
    } else {
        json::object fn(c.sp);
        fn["name"] = js(o.tool_name);
        fn["arguments"] = "";
        json::object call(c.sp);
        call["index"] = 0;
        call["id"] = js(make_id("call_", 24, alnum));
        call["type"] = "function";
        call["function"] = std::move(fn);
        json::array calls(c.sp);
        calls.push_back(std::move(call));
        json::object d(c.sp);
        d["role"] = "assistant";
        d["content"] = nullptr;
        d["tool_calls"] = std::move(calls);
        d["refusal"] = nullptr;
        emit(std::move(d), nullptr, false);
        for (const auto piece : split_pieces(o.text, std::max(chunks, 2))) {
            json::object pfn(c.sp);
            pfn["arguments"] = js(piece);
            json::object pcall(c.sp);
            pcall["index"] = 0;
            pcall["function"] = std::move(pfn);
            json::array pcalls(c.sp);
            pcalls.push_back(std::move(pcall));
            json::object p(c.sp);
            p["tool_calls"] = std::move(pcalls);
            emit(std::move(p), nullptr, true);
        }
        emit(json::object(c.sp), "tool_calls", false);
    }
    if (include_usage) {
        json::object last = base();
        last["choices"] = json::array(c.sp);
        last["usage"] = openai_usage(c, o);
        push_event(c, {}, last);
    }
    c.out.events.emplace_back("data: [DONE]\n\n");
}

void chat_completions(Call& c, Flavor flavor, std::string_view deployment) {
    c.endpoint = flavor == Flavor::openai    ? Endpoint::openai_chat
                 : flavor == Flavor::foundry ? Endpoint::foundry_chat
                                             : Endpoint::azure_chat;
    // Azure routes on api-version before anything else: without it, 404 Resource not found.
    if (flavor == Flavor::azure_deployment && !has_query_param(c.query, "api-version"))
        return error(c, Err::not_found);
    const Auth how = flavor == Flavor::openai             ? Auth::bearer
                     : flavor == Flavor::azure_deployment ? Auth::api_key
                                                          : Auth::api_key_or_bearer;
    if (!authorized(c, how))
        return;
    json::value doc(c.sp);
    const json::object* body = parse_body(c, doc);
    if (!body)
        return;

    const std::string_view body_model = string_at(*body, "model");
    const std::string_view model = flavor == Flavor::azure_deployment ? deployment : body_model;
    if (model.empty())
        return openai_error(c, 400, "you must provide a model parameter", "invalid_request_error");
    const auto* messages = array_at(*body, "messages");
    if (!messages)
        return openai_error(c, 400, "Missing required parameter: 'messages'.", "invalid_request_error", "messages",
                            "missing_required_parameter");
    if (messages->empty())
        return openai_error(c, 400,
                            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an "
                            "empty array instead.",
                            "invalid_request_error", "messages", "empty_array");
    c.stream = true_at(*body, "stream");

    const Failure failure = pick_failure(c, model, body_model);
    if (apply_failure(c, failure, model))
        return;

    const Output o = make_output(c, openai_prompt(*messages), openai_tool(*body));
    const bool azure = flavor != Flavor::openai;
    if (c.stream) {
        bool include_usage = false;
        if (const auto* so = object_at(*body, "stream_options"))
            include_usage = true_at(*so, "include_usage");
        openai_stream(c, azure, model, o, include_usage);
    } else {
        openai_completion(c, azure, model, o);
    }
    finish_failure(c, failure);
}

// ------------------------------------------------------------------------------------------
// Anthropic Messages

json::object anthropic_usage(const Call& c, const Output& o, std::size_t output_tokens) {
    json::object cc(c.sp);
    cc["ephemeral_5m_input_tokens"] = o.cache_creation;
    cc["ephemeral_1h_input_tokens"] = 0;
    json::object u(c.sp);
    u["input_tokens"] = o.prompt - o.cached - o.cache_creation; // input_tokens excludes cache reads/writes
    u["cache_creation_input_tokens"] = o.cache_creation;
    u["cache_read_input_tokens"] = o.cached;
    u["cache_creation"] = std::move(cc);
    u["output_tokens"] = output_tokens;
    u["service_tier"] = "standard";
    return u;
}

void anthropic_messages(Call& c) {
    c.endpoint = Endpoint::anthropic_messages;
    if (!authorized(c, Auth::x_api_key_or_bearer))
        return;
    if (!c.req.has_header("anthropic-version"))
        return anthropic_error(c, 400, "invalid_request_error", "anthropic-version: header is required");
    json::value doc(c.sp);
    const json::object* body = parse_body(c, doc);
    if (!body)
        return;

    const std::string_view model = string_at(*body, "model");
    if (model.empty())
        return anthropic_error(c, 400, "invalid_request_error", "model: Field required");
    const auto* messages = array_at(*body, "messages");
    if (!messages)
        return anthropic_error(c, 400, "invalid_request_error", "messages: Field required");
    if (!body->contains("max_tokens"))
        return anthropic_error(c, 400, "invalid_request_error", "max_tokens: Field required");
    if (messages->empty())
        return anthropic_error(c, 400, "invalid_request_error", "messages: at least one message is required");
    // API version 2026-10-21 removed the sampling parameters: sending one is a 400.
    if (c.req.header("anthropic-version") >= std::string_view("2026-10-21"))
        for (const char* removed : {"temperature", "top_p", "top_k"})
            if (body->contains(removed))
                return anthropic_error(c, 400, "invalid_request_error",
                                       std::string(removed) + ": Extra inputs are not permitted");
    c.stream = true_at(*body, "stream");

    const Failure failure = pick_failure(c, model);
    if (apply_failure(c, failure, model))
        return;

    const Output o = make_output(c, anthropic_prompt(body->if_contains("system"), *messages), anthropic_tool(*body));
    const std::string msg_id = make_id("msg_01", 22, base58);
    const std::string tool_id = o.tool ? make_id("toolu_01", 22, base58) : std::string();
    const char* stop_reason = o.tool ? "tool_use" : "end_turn";

    if (!c.stream) {
        json::object block(c.sp);
        if (o.tool) {
            block["type"] = "tool_use";
            block["id"] = js(tool_id);
            block["name"] = js(o.tool_name);
            block["input"] = o.input;
        } else {
            block["type"] = "text";
            block["text"] = js(o.text);
        }
        json::array content(c.sp);
        content.push_back(std::move(block));
        json::object r(c.sp);
        r["id"] = js(msg_id);
        r["type"] = "message";
        r["role"] = "assistant";
        r["model"] = js(model);
        r["content"] = std::move(content);
        r["stop_reason"] = stop_reason;
        r["stop_sequence"] = nullptr;
        r["usage"] = anthropic_usage(c, o, o.completion);
        reply_json(c, 200, r);
        finish_failure(c, failure);
        return;
    }

    start_stream(c);
    {
        json::object m(c.sp);
        m["id"] = js(msg_id);
        m["type"] = "message";
        m["role"] = "assistant";
        m["model"] = js(model);
        m["content"] = json::array(c.sp);
        m["stop_reason"] = nullptr;
        m["stop_sequence"] = nullptr;
        m["usage"] = anthropic_usage(c, o, 1);
        json::object e(c.sp);
        e["type"] = "message_start";
        e["message"] = std::move(m);
        push_event(c, "message_start", e);
    }
    {
        json::object block(c.sp);
        if (o.tool) {
            block["type"] = "tool_use";
            block["id"] = js(tool_id);
            block["name"] = js(o.tool_name);
            block["input"] = json::object(c.sp);
        } else {
            block["type"] = "text";
            block["text"] = "";
        }
        json::object e(c.sp);
        e["type"] = "content_block_start";
        e["index"] = 0;
        e["content_block"] = std::move(block);
        push_event(c, "content_block_start", e);
    }
    c.out.events.emplace_back("event: ping\ndata: {\"type\": \"ping\"}\n\n");
    auto delta = [&](std::string_view piece) {
        json::object d(c.sp);
        if (o.tool) {
            d["type"] = "input_json_delta";
            d["partial_json"] = js(piece);
        } else {
            d["type"] = "text_delta";
            d["text"] = js(piece);
        }
        json::object e(c.sp);
        e["type"] = "content_block_delta";
        e["index"] = 0;
        e["delta"] = std::move(d);
        push_event(c, "content_block_delta", e);
    };
    const int chunks = c.st.options.stream_chunks;
    if (o.tool)
        delta(""); // the API opens tool input with an empty partial_json
    for (const auto piece : split_pieces(o.text, o.tool ? std::max(chunks, 2) : chunks))
        delta(piece);
    {
        json::object e(c.sp);
        e["type"] = "content_block_stop";
        e["index"] = 0;
        push_event(c, "content_block_stop", e);
    }
    {
        json::object d(c.sp);
        d["stop_reason"] = stop_reason;
        d["stop_sequence"] = nullptr;
        json::object u(c.sp);
        u["output_tokens"] = o.completion;
        json::object e(c.sp);
        e["type"] = "message_delta";
        e["delta"] = std::move(d);
        e["usage"] = std::move(u);
        push_event(c, "message_delta", e);
    }
    c.out.events.emplace_back("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    finish_failure(c, failure);
}

// ------------------------------------------------------------------------------------------
// Models

struct ModelInfo {
    std::string_view id;
    std::string_view display_name; // Anthropic
    std::string_view created_at;   // Anthropic, RFC 3339
    std::int64_t created;          // OpenAI, Unix seconds
    std::string_view owned_by;     // OpenAI
};

constexpr ModelInfo openai_models[] = {
    {"gpt-4.1", "", "", 1744316542, "system"}, {"gpt-4.1-mini", "", "", 1744318173, "system"},
    {"gpt-4o", "", "", 1715367049, "system"},  {"gpt-4o-mini", "", "", 1721172741, "system"},
    {"o4-mini", "", "", 1744225351, "system"},
};

constexpr ModelInfo anthropic_models[] = {
    {"claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z", 0, ""},
    {"claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z", 0, ""},
    {"claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z", 0, ""},
};

json::object openai_model(const Call& c, std::string_view id, std::int64_t created, std::string_view owned_by) {
    json::object m(c.sp);
    m["id"] = js(id);
    m["object"] = "model";
    m["created"] = created;
    m["owned_by"] = js(owned_by);
    return m;
}

json::object anthropic_model(const Call& c, std::string_view id, std::string_view name, std::string_view created_at) {
    json::object m(c.sp);
    m["type"] = "model";
    m["id"] = js(id);
    m["display_name"] = js(name);
    m["created_at"] = js(created_at);
    return m;
}

// GET /v1/models and /v1/models/{id}: OpenAI's format, or Anthropic's when anthropic-version is sent.
// Any id is "found": the mock serves any model name.
void models(Call& c, std::string_view id) {
    c.endpoint = Endpoint::models;
    const bool anthropic = c.dialect == Dialect::anthropic;
    if (!authorized(c, anthropic ? Auth::x_api_key_or_bearer : Auth::bearer))
        return;
    const Failure failure = pick_failure(c, id);
    if (apply_failure(c, failure, id))
        return;
    if (!id.empty()) {
        if (anthropic) {
            std::string_view name = id, created = "2025-01-01T00:00:00Z";
            for (const auto& m : anthropic_models) {
                if (m.id == id) {
                    name = m.display_name;
                    created = m.created_at;
                }
            }
            return reply_json(c, 200, anthropic_model(c, id, name, created));
        }
        std::int64_t created = 1700000000;
        for (const auto& m : openai_models)
            if (m.id == id)
                created = m.created;
        return reply_json(c, 200, openai_model(c, id, created, "system"));
    }
    json::array data(c.sp);
    json::object r(c.sp);
    if (anthropic) {
        for (const auto& m : anthropic_models)
            data.push_back(anthropic_model(c, m.id, m.display_name, m.created_at));
        r["data"] = std::move(data);
        r["has_more"] = false;
        r["first_id"] = js(anthropic_models[0].id);
        r["last_id"] = js(std::end(anthropic_models)[-1].id);
    } else {
        for (const auto& m : openai_models)
            data.push_back(openai_model(c, m.id, m.created, m.owned_by));
        r["object"] = "list";
        r["data"] = std::move(data);
    }
    reply_json(c, 200, r);
}

// ------------------------------------------------------------------------------------------
// The mock's own endpoints

void mock_endpoint(State& st, const Request& req, std::string_view path, Reply& out) {
    const bool get = req.method == "GET", del = req.method == "DELETE";
    if (path == "/mock/requests" && get)
        return st.journal.dump(out.body);
    if (path == "/mock/requests" && del) {
        out.body = "{\"deleted\":" + std::to_string(st.journal.clear()) + "}";
        return;
    }
    if (path == "/mock/stats" && get)
        return st.stats.dump(out.body, st.journal.size());
    if (path == "/mock/stats" && del) {
        st.stats.clear();
        out.body = "{\"cleared\":true}";
        return;
    }
    if (path == "/mock/health" && get) {
        out.body = "{\"status\":\"ok\"}";
        return;
    }
    const bool known = path == "/mock/requests" || path == "/mock/stats" || path == "/mock/health";
    out.status = known ? 405 : 404;
    out.body = known ? "{\"error\":{\"message\":\"method not allowed\"}}"
                     : "{\"error\":{\"message\":\"no such mock endpoint\"}}";
}

Dialect dialect_for(const Request& req, std::string_view path) {
    if (path == "/v1/messages" || path.starts_with("/v1/messages/"))
        return Dialect::anthropic;
    if (path.starts_with("/openai/") || path.starts_with("/models/"))
        return Dialect::azure;
    if (req.has_header("anthropic-version") || req.has_header("x-api-key"))
        return Dialect::anthropic;
    if (req.has_header("api-key"))
        return Dialect::azure;
    return Dialect::openai;
}

} // namespace

void handle(State& st, const Request& req, Reply& out) {
    std::string_view path = req.target, query;
    if (const auto q = path.find('?'); q != std::string_view::npos) {
        query = path.substr(q + 1);
        path = path.substr(0, q);
    }
    if (path.starts_with("/mock/"))
        return mock_endpoint(st, req, path, out);

    // Everything this request builds in JSON lives in one arena: a stack buffer first.
    unsigned char arena[16384];
    json::monotonic_resource mr(arena, sizeof arena);
    const Dialect dialect = dialect_for(req, path);
    Call c{st, req, out, dialect, json::storage_ptr(&mr), path, query, new_request_id(dialect)};
    out.delay_ms = static_cast<int>(header_number(req, "mock-latency-ms").value_or(st.options.latency_ms));
    out.chunk_delay_ms = st.options.chunk_delay_ms;

    const bool post = req.method == "POST", get = req.method == "GET";
    constexpr std::string_view deployments = "/openai/deployments/";
    constexpr std::string_view chat_suffix = "/chat/completions";
    if (post && (path == "/v1/chat/completions" || path == "/chat/completions")) {
        chat_completions(c, Flavor::openai, {});
    } else if (post && path == "/models/chat/completions") {
        chat_completions(c, Flavor::foundry, {});
    } else if (post && path == "/openai/v1/chat/completions") {
        chat_completions(c, Flavor::azure_v1, {});
    } else if (post && path.starts_with(deployments) && path.ends_with(chat_suffix) &&
               path.size() > deployments.size() + chat_suffix.size()) {
        const auto deployment = path.substr(deployments.size(), path.size() - deployments.size() - chat_suffix.size());
        if (deployment.find('/') == std::string_view::npos)
            chat_completions(c, Flavor::azure_deployment, deployment);
        else
            error(c, Err::not_found);
    } else if (post && path == "/v1/messages") {
        anthropic_messages(c);
    } else if (get && (path == "/v1/models" || path == "/models")) {
        models(c, {});
    } else if (get && path.starts_with("/v1/models/") && path.size() > 11) {
        models(c, path.substr(11));
    } else {
        c.endpoint = Endpoint::not_found;
        error(c, Err::not_found);
    }

    add_provider_headers(c);
    const bool answered = out.action != Action::reset && out.action != Action::hang;
    const unsigned status = answered ? out.status : 0;
    st.journal.record(req, status, c.stream, out.injected);
    st.stats.count_request(c.endpoint, status, c.stream, out.injected);
}

} // namespace mock
