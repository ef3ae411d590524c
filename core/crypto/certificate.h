#pragma once
// X.509 for the admin listener: a self-signed server certificate that the console pins by its
// SHA-256 fingerprint, and HMAC-SHA256 (webhook signatures, key derivation). OpenSSL 3.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gh::crypto {

struct CertificateAndKey {
    std::string certificatePem; // "-----BEGIN CERTIFICATE-----..."
    std::string privateKeyPem;  // unencrypted PKCS#8 ("-----BEGIN PRIVATE KEY-----"): write it to a 0600 file
};

// A fresh ECDSA P-256 key and a self-signed certificate for it: SHA-256 signature, random 128-bit
// serial, valid from five minutes ago (clock skew between gateway and console) until `days` from
// now, subject CN = the first name (the first DNS name, else the first address), subjectAltName
// with every DNS name (DNS:) and address (IP:, IPv4 or IPv6), basicConstraints CA:FALSE (critical),
// keyUsage digitalSignature (critical), extendedKeyUsage serverAuth, subjectKeyIdentifier.
// Throws std::invalid_argument when there is no name at all, `days` is not in 1..36500, a DNS name
// is not a host name (letters, digits, '-', '.', optionally a leading "*.") or an address does not
// parse; CryptoError when OpenSSL fails.
CertificateAndKey generateSelfSigned(const std::vector<std::string>& dnsNames, const std::vector<std::string>& ipAddresses,
                                     int days);

// SHA-256 of the DER certificate as upper-case hex pairs joined by ':' ("AB:CD:...", 95 chars):
// what `openssl x509 -noout -fingerprint -sha256` prints after "sha256 Fingerprint=", and what the
// console pins. Reads the first certificate of the text. Throws std::runtime_error for text that
// is not a PEM certificate.
std::string certificateFingerprintSha256(std::string_view certificatePem);

// HMAC-SHA256 (RFC 2104). Throws CryptoError when OpenSSL fails.
std::array<std::uint8_t, 32> hmacSha256(std::span<const std::uint8_t> key, std::string_view data);

} // namespace gh::crypto
