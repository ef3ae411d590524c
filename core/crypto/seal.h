#pragma once
// Sealing secrets at rest: AES-256-GCM under the workspace master key (which lives in its own
// 0600 file, never in a database). A sealed blob is version(1) | nonce(12) | ciphertext | tag(16);
// the associated data binds it to its purpose and id, so a sealed secret copied onto another
// credential's row does not open.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gh::crypto {

using MasterKey = std::array<std::uint8_t, 32>;

MasterKey generateMasterKey();
// The key file holds 64 hex digits (and a newline); nullopt for anything else.
std::optional<MasterKey> parseMasterKey(std::string_view fileText);
std::string formatMasterKey(const MasterKey& key);

std::vector<std::uint8_t> seal(const MasterKey& key, std::string_view plaintext, std::string_view associatedData);
// nullopt when the blob was altered, is sealed under another key, or for other associated data.
std::optional<std::string> open(const MasterKey& key, std::span<const std::uint8_t> sealed, std::string_view associatedData);

// A short, stable, non-reversible name for a secret that people can compare ("sha256:1a2b3c4d…"):
// keyed with the master key, so a fingerprint cannot be used to test guesses offline.
std::string fingerprint(const MasterKey& key, std::string_view secret);

} // namespace gh::crypto
