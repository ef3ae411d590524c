#include "crypto/encoding.h"

namespace gh::crypto {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kBase64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int base64urlValue(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

} // namespace

std::string toHex(std::span<const std::uint8_t> data) {
    std::string out;
    out.reserve(data.size() * 2);
    for (const std::uint8_t b : data) {
        out += kHex[b >> 4];
        out += kHex[b & 0x0f];
    }
    return out;
}

std::string base64url(std::span<const std::uint8_t> data) {
    std::string out;
    out.reserve((data.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const std::uint32_t v = std::uint32_t(data[i]) << 16 | std::uint32_t(data[i + 1]) << 8 | data[i + 2];
        out += kBase64url[(v >> 18) & 63];
        out += kBase64url[(v >> 12) & 63];
        out += kBase64url[(v >> 6) & 63];
        out += kBase64url[v & 63];
    }
    const std::size_t rest = data.size() - i;
    if (rest == 1) {
        const std::uint32_t v = std::uint32_t(data[i]) << 16;
        out += kBase64url[(v >> 18) & 63];
        out += kBase64url[(v >> 12) & 63];
    } else if (rest == 2) {
        const std::uint32_t v = std::uint32_t(data[i]) << 16 | std::uint32_t(data[i + 1]) << 8;
        out += kBase64url[(v >> 18) & 63];
        out += kBase64url[(v >> 12) & 63];
        out += kBase64url[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::vector<std::uint8_t>> fromBase64url(std::string_view text) {
    if (text.size() % 4 == 1)
        return std::nullopt; // one leftover character cannot hold a whole byte
    std::vector<std::uint8_t> out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : text) {
        const int v = base64urlValue(c);
        if (v < 0)
            return std::nullopt;
        acc = (acc << 6) | std::uint32_t(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(std::uint8_t(acc >> bits));
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0)
        return std::nullopt; // non-canonical: the unused low bits of the last character must be zero
    return out;
}

} // namespace gh::crypto
