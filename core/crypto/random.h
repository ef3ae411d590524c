#pragma once
// Cryptographically secure randomness from OpenSSL's DRBG.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace gh::crypto {

// Raised when OpenSSL cannot do what was asked (the DRBG could not be seeded, a digest is not
// available). Never carries key material.
class CryptoError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `n` bytes from RAND_bytes. Throws CryptoError when the generator fails: a caller that wants a
// secret must never get predictable bytes instead.
std::vector<std::uint8_t> randomBytes(std::size_t n);

} // namespace gh::crypto
