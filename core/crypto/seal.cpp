#include "crypto/seal.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

namespace gh::crypto {
namespace {

constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext newContext() {
    CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    if (!ctx)
        throw CryptoError("cannot allocate a cipher context");
    return ctx;
}

} // namespace

MasterKey generateMasterKey() {
    const auto bytes = randomBytes(32);
    MasterKey key{};
    std::copy(bytes.begin(), bytes.end(), key.begin());
    return key;
}

std::optional<MasterKey> parseMasterKey(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.remove_suffix(1);
    if (text.size() != 64)
        return std::nullopt;
    MasterKey key{};
    for (std::size_t i = 0; i < 32; ++i) {
        auto nibble = [](char c) -> int {
            if (c >= '0' && c <= '9')
                return c - '0';
            if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
            if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
            return -1;
        };
        const int hi = nibble(text[2 * i]), lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        key[i] = std::uint8_t(hi * 16 + lo);
    }
    return key;
}

std::string formatMasterKey(const MasterKey& key) { return toHex(key) + "\n"; }

std::vector<std::uint8_t> seal(const MasterKey& key, std::string_view plaintext, std::string_view aad) {
    std::vector<std::uint8_t> out(1 + kNonceSize + plaintext.size() + kTagSize);
    out[0] = kVersion;
    const auto nonce = randomBytes(kNonceSize); // random 96-bit nonces: safe far beyond our volume
    std::copy(nonce.begin(), nonce.end(), out.begin() + 1);
    auto ctx = newContext();
    int len = 0;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()), int(aad.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data() + 1 + kNonceSize, &len,
                          reinterpret_cast<const unsigned char*>(plaintext.data()), int(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + 1 + kNonceSize + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, int(kTagSize), out.data() + out.size() - kTagSize) != 1)
        throw CryptoError("AES-256-GCM sealing failed");
    return out;
}

std::optional<std::string> open(const MasterKey& key, std::span<const std::uint8_t> sealed, std::string_view aad) {
    if (sealed.size() < 1 + kNonceSize + kTagSize || sealed[0] != kVersion)
        return std::nullopt;
    const std::size_t textSize = sealed.size() - 1 - kNonceSize - kTagSize;
    std::string plain(textSize, '\0');
    std::array<std::uint8_t, kTagSize> tag{};
    std::copy(sealed.end() - kTagSize, sealed.end(), tag.begin());
    auto ctx = newContext();
    int len = 0;
    const bool ok =
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), sealed.data() + 1) == 1 &&
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()), int(aad.size())) == 1 &&
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, sealed.data() + 1 + kNonceSize,
                          int(textSize)) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, int(kTagSize), tag.data()) == 1 &&
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) == 1;
    if (!ok) {
        wipe(std::span(reinterpret_cast<std::uint8_t*>(plain.data()), plain.size()));
        return std::nullopt;
    }
    return plain;
}

std::string fingerprint(const MasterKey& key, std::string_view secret) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLen = 0;
    if (!HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(secret.data()),
              secret.size(), mac, &macLen))
        throw CryptoError("HMAC-SHA256 failed");
    return "hmac-sha256:" + toHex(std::span<const std::uint8_t>(mac, 8));
}

} // namespace gh::crypto
