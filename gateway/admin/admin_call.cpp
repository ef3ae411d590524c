#include "admin/admin_call.h"

#include "api/time.h"
#include "crypto/encoding.h"

#include <charconv>

namespace gh::gateway {

std::optional<std::string> Call::queryValue(const std::string& name) const {
    auto it = query.find(name);
    if (it == query.end())
        return std::nullopt;
    return it->second;
}

std::string Call::header(std::string_view name) const {
    auto it = request.find(beast::string_view(name.data(), name.size()));
    return it == request.end() ? std::string() : std::string(it->value());
}

ApiError invalid(std::string message, std::optional<std::string> field) {
    return ApiError(http::status::bad_request, "invalid_request", std::move(message), std::move(field));
}
ApiError notFound(std::string message) { return ApiError(http::status::not_found, "not_found", std::move(message)); }
ApiError conflict(std::string message) { return ApiError(http::status::conflict, "conflict", std::move(message)); }

api::json::value parseBody(const Call& call) {
    const std::string type = call.header("Content-Type");
    const std::string_view mediaType = std::string_view(type).substr(0, type.find(';'));
    if (mediaType != "application/json")
        throw ApiError(http::status::unsupported_media_type, "unsupported_media_type",
                       type.empty() ? "send the body as JSON with Content-Type: application/json"
                                    : "the body must be JSON (Content-Type: application/json), not " + type);
    boost::system::error_code ec;
    api::json::value value = api::json::parse(call.request.body(), ec);
    if (ec)
        throw invalid("the body is not valid JSON: " + ec.message());
    if (!value.is_object())
        throw invalid("the body must be a JSON object");
    return value;
}

std::optional<std::int64_t> queryTime(const Call& call, const std::string& name) {
    auto text = call.queryValue(name);
    if (!text)
        return std::nullopt;
    auto t = api::parseTime(*text);
    if (!t)
        throw invalid("parameter '" + name + "' must be an RFC 3339 time such as 2026-11-27T09:30:00Z", name);
    return t;
}

std::optional<std::int64_t> queryInt(const Call& call, const std::string& name, std::int64_t min, std::int64_t max) {
    auto text = call.queryValue(name);
    if (!text)
        return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || end != text->data() + text->size() || v < min || v > max)
        throw invalid("parameter '" + name + "' must be an integer from " + std::to_string(min) + " to " +
                          std::to_string(max),
                      name);
    return v;
}

// "p1:" marks a position this API wrote, so a cursor from elsewhere (or garbage that happens to
// decode) is refused instead of quietly starting somewhere else.
constexpr std::string_view kCursorMark = "p1:";

std::string idCursor(std::string_view lastId) {
    const std::string text = std::string(kCursorMark) + std::string(lastId);
    return crypto::base64url({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

std::string idFromCursor(const Call& call) {
    auto text = call.queryValue("cursor");
    if (!text)
        return {};
    auto bytes = text->size() <= 1000 ? crypto::fromBase64url(*text) : std::nullopt;
    const std::string decoded = bytes ? std::string(bytes->begin(), bytes->end()) : std::string();
    if (!decoded.starts_with(kCursorMark) || decoded.size() == kCursorMark.size())
        throw invalid("the cursor is not one this list gave out; pass next_cursor unchanged, or start without a cursor",
                      "cursor");
    return decoded.substr(kCursorMark.size());
}

std::optional<std::int64_t> numberFromCursor(const Call& call) {
    const std::string text = idFromCursor(call);
    if (text.empty())
        return std::nullopt;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < 1)
        throw invalid("the cursor is not one this list gave out; pass next_cursor unchanged, or start without a cursor",
                      "cursor");
    return n;
}

std::size_t pageLimit(const Call& call) { return std::size_t(queryInt(call, "limit", 1, 1000).value_or(100)); }

void allowQuery(const Call& call, std::initializer_list<std::string_view> names) {
    for (const auto& [name, value] : call.query) {
        bool known = false;
        for (auto n : names)
            known = known || n == name;
        if (!known) {
            std::string list;
            for (auto n : names)
                list += (list.empty() ? "" : ", ") + std::string(n);
            throw invalid("unknown parameter '" + name + "'" + (list.empty() ? "; this call takes none" : "; this call takes: " + list),
                          name);
        }
    }
}

} // namespace gh::gateway
