#pragma once
// One admin API call as the route handlers see it, and the helpers they share: reading a JSON
// body strictly, reading query parameters, answering, and failing with an error a person can
// act on (ApiError, turned into {"error": {...}} by the dispatcher).
#include "admin/admin_server.h"
#include "api/roles.h"
#include "api/shapes.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gh::gateway {

// Who is calling: the authenticated admin token.
struct Caller {
    std::string tokenId;
    std::string name;
    api::Role role = api::Role::Viewer;
    std::optional<std::int64_t> expiresMs;
    std::string source; // client address
    // "tok_0123… (alice)": how the audit chain names the caller.
    std::string actor() const { return tokenId + " (" + name + ")"; }
};

struct Call {
    const AdminRequest& request;
    Caller caller;
    std::vector<std::string> params;            // path parameters, in order
    std::map<std::string, std::string> query;   // decoded; each name at most once

    std::string_view param(std::size_t i) const { return params.at(i); }
    std::optional<std::string> queryValue(const std::string& name) const;
    std::string header(std::string_view name) const;
};

struct Reply {
    http::status status = http::status::ok;
    std::string body; // JSON, or text for /metrics
    std::string contentType = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

class ApiError : public std::runtime_error {
public:
    ApiError(http::status httpStatus, std::string type, std::string message, std::optional<std::string> field = {})
        : std::runtime_error(message), status(httpStatus) {
        error.type = std::move(type);
        error.message = std::move(message);
        error.field = std::move(field);
    }
    http::status status;
    api::Error error;
};

ApiError invalid(std::string message, std::optional<std::string> field = {});
ApiError notFound(std::string message);
ApiError conflict(std::string message);

template <class T> Reply json(const T& shape, http::status status = http::status::ok) {
    return Reply{status, api::toJsonText(shape), "application/json", {}};
}

// The body as shape T: JSON content type, valid JSON, known fields only, right types.
api::json::value parseBody(const Call& call);
template <class T> T readBody(const Call& call) {
    const auto value = parseBody(call);
    api::ReadError error;
    auto shape = api::fromJson<T>(value, error, api::Unknown::Refuse);
    if (!shape)
        throw invalid(error.text(), error.field.empty() ? std::nullopt : std::optional<std::string>(error.field));
    return std::move(*shape);
}

// Query parameters: time (RFC 3339), integers in a range, page limit (1..1000, default 100).
std::optional<std::int64_t> queryTime(const Call& call, const std::string& name);
std::optional<std::int64_t> queryInt(const Call& call, const std::string& name, std::int64_t min, std::int64_t max);
std::size_t pageLimit(const Call& call);
// Cursors of lists that page by id: opaque to clients (base64url of the last id shown), and a
// damaged one is a 400 naming 'cursor' rather than a silently different page.
std::string idCursor(std::string_view lastId);
std::string idFromCursor(const Call& call); // "" when the call has no cursor
std::optional<std::int64_t> numberFromCursor(const Call& call); // for lists that page by a number
// A page of a list already in memory and ordered by id (endpoints, teams, ...: a few hundred).
template <class T, class IdOf> api::Page<T> pageOf(const Call& call, std::vector<T> items, IdOf idOf) {
    const std::string after = idFromCursor(call);
    const std::size_t limit = pageLimit(call);
    api::Page<T> page;
    for (auto& item : items) {
        if (!after.empty() && idOf(item) <= after)
            continue;
        if (page.items.size() == limit) {
            page.next_cursor = idCursor(idOf(page.items.back()));
            break;
        }
        page.items.push_back(std::move(item));
    }
    return page;
}
template <class T> Reply pageReply(const api::Page<T>& page) {
    return Reply{http::status::ok, api::json::serialize(api::toJson(page)), "application/json", {}};
}

// Only these parameters may appear (a misspelt filter must not silently return everything).
void allowQuery(const Call& call, std::initializer_list<std::string_view> names);

} // namespace gh::gateway
