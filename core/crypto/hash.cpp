#include "crypto/hash.h"

#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace gh::crypto {
namespace {

// Fetched once: in OpenSSL 3 the implicit fetch behind EVP_sha256() costs a provider lookup on
// every call, and sha256 runs on every authenticated request.
const EVP_MD* sha256Md() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!md)
        throw CryptoError("SHA-256 is not available from the OpenSSL providers");
    return md;
}

} // namespace

Sha256Digest sha256(std::span<const std::uint8_t> data) {
    Sha256Digest out{};
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &length, sha256Md(), nullptr) != 1 || length != out.size())
        throw CryptoError("SHA-256 failed");
    return out;
}

Sha256Digest sha256(std::string_view data) {
    return sha256(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

bool constantTimeEqual(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    if (a.size() != b.size())
        return false; // lengths are not secret (digests and key formats have fixed sizes)
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(std::span<std::uint8_t> data) {
    if (!data.empty())
        OPENSSL_cleanse(data.data(), data.size());
}

} // namespace gh::crypto
