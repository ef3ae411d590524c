#include "crypto/random.h"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <climits>
#include <string>

namespace gh::crypto {

std::vector<std::uint8_t> randomBytes(std::size_t n) {
    std::vector<std::uint8_t> out(n);
    if (n == 0)
        return out;
    if (n > std::size_t(INT_MAX))
        throw CryptoError("randomBytes: too many bytes requested");
    if (RAND_bytes(out.data(), int(n)) != 1) {
        char reason[256] = "unknown reason";
        if (const unsigned long e = ERR_get_error())
            ERR_error_string_n(e, reason, sizeof reason);
        throw CryptoError(std::string("the random number generator failed: ") + reason);
    }
    return out;
}

} // namespace gh::crypto
