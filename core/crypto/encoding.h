#pragma once
// Text encodings of binary data: lowercase hex (digests, ids) and unpadded base64url (secrets
// that travel in HTTP headers and URLs, RFC 4648 section 5).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gh::crypto {

std::string toHex(std::span<const std::uint8_t> data);

// Base64url without '=' padding: 32 bytes -> 43 characters.
std::string base64url(std::span<const std::uint8_t> data);
// The inverse; nullopt for characters outside the alphabet, padding, or an impossible length.
std::optional<std::vector<std::uint8_t>> fromBase64url(std::string_view text);

} // namespace gh::crypto
