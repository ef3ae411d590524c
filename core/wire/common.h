#pragma once
// Shared vocabulary of the wire module: which provider format a body is in, and a result that
// carries either a value or a message for the API caller (the module never throws on bad input).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gh::wire {

enum class Format : std::uint8_t {
    OpenAI,    // Chat Completions (OpenAI, Azure OpenAI, Ollama, LM Studio, OpenAI-compatible)
    Anthropic, // Messages API
};

std::string_view toString(Format format);

// A value, or the reason there is none. The reason is written for the API caller: it names the
// offending field and says what would be accepted.
template <class T> class Result {
public:
    Result(T value) : value_(std::move(value)) {} // NOLINT(google-explicit-constructor): reads naturally in returns
    static Result failure(std::string message) {
        Result r;
        r.error_ = std::move(message);
        return r;
    }

    bool ok() const { return value_.has_value(); }
    explicit operator bool() const { return ok(); }
    const std::string& error() const { return error_; }

    T& value() & { return *value_; }
    const T& value() const& { return *value_; }
    T&& value() && { return std::move(*value_); }
    T& operator*() & { return *value_; }
    const T& operator*() const& { return *value_; }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }

private:
    Result() = default;
    std::optional<T> value_;
    std::string error_;
};

} // namespace gh::wire
