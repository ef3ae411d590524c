#pragma once
// JSON <-> the admin API's shapes, written once for every shape: each shape lists its members
// with BOOST_DESCRIBE_STRUCT and these templates walk them. Member names are the JSON names.
//
// Reading is strict where the gateway reads what a person sent (an unknown field is an error,
// so a typo never silently does nothing) and lenient where the console reads what a newer
// gateway sent (unknown fields are skipped). Either way a missing member that is not optional
// is an error naming it, and every error names the field's path ("schedule.period_days").
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace gh::api {

namespace json = boost::json;

enum class Unknown { Refuse, Skip };

struct ReadError {
    std::string field;   // "schedule.period_days"; "" for the document itself
    std::string message; // "expected an integer"
    std::string text() const { return field.empty() ? message : "field '" + field + "': " + message; }
};

// An optional member that is left out of the JSON when empty (rather than written as null):
// for members only some answers carry, such as a policy version's yaml.
template <class T> struct Omittable : std::optional<T> {
    using std::optional<T>::optional;
    using std::optional<T>::operator=;
};

namespace detail {

template <class T> struct IsOptional : std::false_type {};
template <class T> struct IsOptional<std::optional<T>> : std::true_type {};
template <class T> struct IsOptional<Omittable<T>> : std::true_type {};
template <class T> struct IsOmittable : std::false_type {};
template <class T> struct IsOmittable<Omittable<T>> : std::true_type {};
template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};

inline std::string join(const std::string& path, std::string_view name) {
    return path.empty() ? std::string(name) : path + "." + std::string(name);
}

} // namespace detail

// ---- writing ------------------------------------------------------------------------------

// Shapes whose absent optional members are left out rather than written as null (errors, where
// "field": null would only be noise). Specialise to true for such a shape.
template <class T> struct OmitNulls : std::false_type {};

template <class T> json::value toJson(const T& v);

namespace detail {
template <class T> json::value write(const T& v) {
    if constexpr (std::is_same_v<T, std::string>)
        return json::value(v);
    else if constexpr (std::is_same_v<T, bool>)
        return json::value(v);
    else if constexpr (std::is_integral_v<T>)
        return json::value(std::int64_t(v));
    else if constexpr (std::is_floating_point_v<T>)
        return json::value(double(v));
    else if constexpr (std::is_same_v<T, json::value>)
        return v;
    else if constexpr (std::is_same_v<T, json::object>)
        return json::value(v);
    else if constexpr (IsOptional<T>::value)
        return v ? write(*v) : json::value(nullptr);
    else if constexpr (IsVector<T>::value) {
        json::array a;
        a.reserve(v.size());
        for (const auto& item : v)
            a.push_back(write(item));
        return a;
    } else {
        static_assert(boost::describe::has_describe_members<T>::value, "describe the shape with BOOST_DESCRIBE_STRUCT");
        json::object o;
        boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>([&](auto member) {
            using M = std::remove_cvref_t<decltype(v.*member.pointer)>;
            if constexpr ((OmitNulls<T>::value && IsOptional<M>::value) || IsOmittable<M>::value)
                if (!(v.*member.pointer))
                    return;
            o[member.name] = write(v.*member.pointer);
        });
        return o;
    }
}
} // namespace detail

template <class T> json::value toJson(const T& v) { return detail::write(v); }
template <class T> std::string toJsonText(const T& v) { return json::serialize(toJson(v)); }

// ---- reading ------------------------------------------------------------------------------

namespace detail {

template <class T> bool read(const json::value& j, T& out, const std::string& path, Unknown unknown, ReadError& err);

template <class T> bool readMembers(const json::object& o, T& out, const std::string& path, Unknown unknown, ReadError& err) {
    using Members = boost::describe::describe_members<T, boost::describe::mod_public>;
    if (unknown == Unknown::Refuse) {
        for (const auto& kv : o) {
            bool known = false;
            boost::mp11::mp_for_each<Members>([&](auto member) { known = known || kv.key() == member.name; });
            if (!known) {
                err = {join(path, kv.key()), "is not a known field"};
                return false;
            }
        }
    }
    bool ok = true;
    boost::mp11::mp_for_each<Members>([&](auto member) {
        if (!ok)
            return;
        using M = std::remove_cvref_t<decltype(out.*member.pointer)>;
        const json::value* field = o.if_contains(member.name);
        if (!field) {
            if constexpr (!IsOptional<M>::value && !IsVector<M>::value && !std::is_same_v<M, json::value>) {
                err = {join(path, member.name), "is required"};
                ok = false;
            }
            return;
        }
        ok = read(*field, out.*member.pointer, join(path, member.name), unknown, err);
    });
    return ok;
}

template <class T> bool read(const json::value& j, T& out, const std::string& path, Unknown unknown, ReadError& err) {
    if constexpr (std::is_same_v<T, std::string>) {
        if (!j.is_string()) {
            err = {path, "expected a string"};
            return false;
        }
        out = std::string(j.get_string());
        return true;
    } else if constexpr (std::is_same_v<T, bool>) {
        if (!j.is_bool()) {
            err = {path, "expected true or false"};
            return false;
        }
        out = j.get_bool();
        return true;
    } else if constexpr (std::is_integral_v<T>) {
        std::int64_t v = 0;
        if (j.is_int64())
            v = j.get_int64();
        else if (j.is_uint64() && j.get_uint64() <= std::uint64_t(std::numeric_limits<std::int64_t>::max()))
            v = std::int64_t(j.get_uint64());
        else if (j.is_double() && std::abs(j.get_double()) < 9.0e15 && j.get_double() == std::trunc(j.get_double()))
            v = std::int64_t(j.get_double()); // 3.0 is 3; the range is checked before the cast
        else {
            err = {path, j.is_number() ? "is out of range" : "expected an integer"};
            if (j.is_double() && std::abs(j.get_double()) < 9.0e15)
                err.message = "expected an integer";
            return false;
        }
        const bool fits = std::is_signed_v<T> ? v >= std::int64_t(std::numeric_limits<T>::min()) &&
                                                    v <= std::int64_t(std::numeric_limits<T>::max())
                                              : v >= 0 && std::uint64_t(v) <= std::uint64_t(std::numeric_limits<T>::max());
        if (!fits) {
            err = {path, "is out of range"};
            return false;
        }
        out = T(v);
        return true;
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!j.is_number()) {
            err = {path, "expected a number"};
            return false;
        }
        out = T(j.to_number<double>());
        return true;
    } else if constexpr (std::is_same_v<T, json::value>) {
        out = j;
        return true;
    } else if constexpr (std::is_same_v<T, json::object>) {
        if (!j.is_object()) {
            err = {path, "expected an object"};
            return false;
        }
        out = j.get_object();
        return true;
    } else if constexpr (IsOptional<T>::value) {
        if (j.is_null()) {
            out.reset();
            return true;
        }
        typename T::value_type v{};
        if (!read(j, v, path, unknown, err))
            return false;
        out = std::move(v);
        return true;
    } else if constexpr (IsVector<T>::value) {
        if (!j.is_array()) {
            err = {path, "expected an array"};
            return false;
        }
        out.clear();
        out.reserve(j.get_array().size());
        std::size_t i = 0;
        for (const auto& item : j.get_array()) {
            typename T::value_type v{};
            if (!read(item, v, path + "[" + std::to_string(i++) + "]", unknown, err))
                return false;
            out.push_back(std::move(v));
        }
        return true;
    } else {
        static_assert(boost::describe::has_describe_members<T>::value, "describe the shape with BOOST_DESCRIBE_STRUCT");
        if (!j.is_object()) {
            err = {path, "expected an object"};
            return false;
        }
        return readMembers(j.get_object(), out, path, unknown, err);
    }
}

} // namespace detail

// Reads a shape from JSON. On failure returns nullopt and fills `error`.
template <class T>
std::optional<T> fromJson(const json::value& j, ReadError& error, Unknown unknown = Unknown::Skip) {
    T out{};
    if (!detail::read(j, out, "", unknown, error))
        return std::nullopt;
    return out;
}

// Parses text first; a syntax error is reported with its offset.
template <class T>
std::optional<T> fromJsonText(std::string_view text, ReadError& error, Unknown unknown = Unknown::Skip) {
    boost::system::error_code ec;
    json::value j = json::parse(text, ec);
    if (ec) {
        error = {"", "the body is not valid JSON (" + ec.message() + ")"};
        return std::nullopt;
    }
    return fromJson<T>(j, error, unknown);
}

} // namespace gh::api
