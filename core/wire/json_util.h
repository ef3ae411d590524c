#pragma once
// Tolerant accessors over Boost.JSON for the wire module (internal). Upstream and caller bodies
// are untrusted: a missing member or a member of the wrong type reads as "absent", never throws.
#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gh::wire::detail {

namespace json = boost::json;

inline std::string_view view(const json::string& s) {
    return {s.data(), s.size()};
}

inline const json::value* member(const json::object& o, std::string_view key) {
    return o.if_contains(key);
}

inline const json::object* getObject(const json::object& o, std::string_view key) {
    const auto* v = member(o, key);
    return v ? v->if_object() : nullptr;
}

inline const json::array* getArray(const json::object& o, std::string_view key) {
    const auto* v = member(o, key);
    return v ? v->if_array() : nullptr;
}

inline std::optional<std::string_view> getString(const json::object& o, std::string_view key) {
    const auto* v = member(o, key);
    if (!v || !v->is_string())
        return std::nullopt;
    return view(v->get_string());
}

inline std::string_view stringOr(const json::object& o, std::string_view key, std::string_view fallback = {}) {
    return getString(o, key).value_or(fallback);
}

inline std::optional<bool> getBool(const json::object& o, std::string_view key) {
    const auto* v = member(o, key);
    if (!v || !v->is_bool())
        return std::nullopt;
    return v->get_bool();
}

// An integer, also when a provider spelled it as 12.0; nullopt for fractions, out-of-range
// values and non-numbers.
std::optional<std::int64_t> asInt(const json::value& v);

inline std::optional<std::int64_t> getInt(const json::object& o, std::string_view key) {
    const auto* v = member(o, key);
    return v ? asInt(*v) : std::nullopt;
}

// Non-negative token count; absent, null, negative or malformed counts read as 0.
inline std::int64_t tokens(const json::object& o, std::string_view key) {
    const auto n = getInt(o, key);
    return n && *n > 0 ? *n : 0;
}

// The JSON type name a caller would use ("string", "array", ...), for error messages.
std::string_view typeName(const json::value& v);

// Parses `text` as a JSON object; nullopt when it is not one.
std::optional<json::object> parseObject(std::string_view text);

} // namespace gh::wire::detail
