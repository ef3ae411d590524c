#pragma once
// Hashing and comparison of secrets.
//
// Gateway key secrets are 32 random bytes, so they are stored as a plain SHA-256: with 256 bits
// of entropy there is nothing to brute-force, and a slow password hash (bcrypt, Argon2) would
// only cost a few milliseconds on every request the gateway authenticates. Slow hashes are for
// secrets people choose (passwords); those are not stored by this module.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace gh::crypto {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::span<const std::uint8_t> data);
Sha256Digest sha256(std::string_view data);

// True when both ranges hold the same bytes, in time that depends only on their length (never
// on where they first differ). Ranges of different lengths are unequal.
bool constantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// Overwrites `data` with zeros in a way the compiler may not optimise away (OPENSSL_cleanse).
void wipe(std::span<std::uint8_t> data);

} // namespace gh::crypto
