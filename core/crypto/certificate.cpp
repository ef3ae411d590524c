#include "crypto/certificate.h"

#include "crypto/random.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <climits>
#include <memory>
#include <stdexcept>

namespace gh::crypto {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)>
using Owned = std::unique_ptr<T, Deleter<T, Free>>;

using Pkey = Owned<EVP_PKEY, EVP_PKEY_free>;
using Cert = Owned<X509, X509_free>;
using Bio = Owned<BIO, BIO_free_all>;
using Bignum = Owned<BIGNUM, BN_free>;
using Asn1Integer = Owned<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1OctetString = Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using Asn1BitString = Owned<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using GeneralNames = Owned<GENERAL_NAMES, GENERAL_NAMES_free>;
using GeneralName = Owned<GENERAL_NAME, GENERAL_NAME_free>;
using BasicConstraints = Owned<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using ExtendedKeyUsage = Owned<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;

// Throws CryptoError naming what failed and OpenSSL's first reason; leaves OpenSSL's error queue
// empty (a stale entry would be blamed on the next, unrelated TLS operation of this thread).
[[noreturn]] void fail(const char* what) {
    std::string message = std::string("certificate: ") + what;
    if (const unsigned long e = ERR_peek_error()) {
        char reason[256];
        ERR_error_string_n(e, reason, sizeof reason);
        message += ": ";
        message += reason;
    }
    ERR_clear_error();
    throw CryptoError(message);
}

void check(int ok, const char* what) {
    if (ok != 1)
        fail(what);
}

bool isHostName(std::string_view name) {
    if (name.starts_with("*."))
        name.remove_prefix(2);
    if (name.empty() || name.size() > 253 || name.front() == '.' || name.back() == '.' ||
        name.find("..") != std::string_view::npos)
        return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '.';
        if (!ok)
            return false;
    }
    return true;
}

std::string drain(BIO* bio) {
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    if (length <= 0 || !data)
        fail("could not encode PEM");
    return std::string(data, std::size_t(length));
}

void addExtension(X509* cert, int nid, void* value, bool critical, const char* what) {
    check(X509_add1_ext_i2d(cert, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE), what);
}

} // namespace

CertificateAndKey generateSelfSigned(const std::vector<std::string>& dnsNames, const std::vector<std::string>& ipAddresses,
                                     int days) {
    if (dnsNames.empty() && ipAddresses.empty())
        throw std::invalid_argument("a certificate needs at least one DNS name or IP address");
    if (days < 1 || days > 36500)
        throw std::invalid_argument("certificate validity must be between 1 and 36500 days");

    // Names first: a bad one is the caller's mistake, reported before any key is made.
    GeneralNames names(GENERAL_NAMES_new());
    if (!names)
        fail("out of memory");
    for (const auto& dns : dnsNames) {
        if (!isHostName(dns))
            throw std::invalid_argument("not a DNS name for a certificate: \"" + dns + "\"");
        GeneralName gn(GENERAL_NAME_new());
        ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
        if (!gn || !ia5 || ASN1_STRING_set(ia5, dns.data(), int(dns.size())) != 1) {
            ASN1_IA5STRING_free(ia5);
            fail("could not encode a DNS name");
        }
        GENERAL_NAME_set0_value(gn.get(), GEN_DNS, ia5);
        if (!sk_GENERAL_NAME_push(names.get(), gn.get()))
            fail("out of memory");
        gn.release();
    }
    for (const auto& ip : ipAddresses) {
        Asn1OctetString octets(a2i_IPADDRESS(ip.c_str()));
        if (!octets) {
            ERR_clear_error();
            throw std::invalid_argument("not an IP address: \"" + ip + "\"");
        }
        GeneralName gn(GENERAL_NAME_new());
        if (!gn)
            fail("out of memory");
        GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, octets.release());
        if (!sk_GENERAL_NAME_push(names.get(), gn.get()))
            fail("out of memory");
        gn.release();
    }
    const std::string& commonName = dnsNames.empty() ? ipAddresses.front() : dnsNames.front();

    Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key)
        fail("could not generate a P-256 key");

    Cert cert(X509_new());
    if (!cert)
        fail("out of memory");
    check(X509_set_version(cert.get(), X509_VERSION_3), "could not set the version");

    // Random positive 128-bit serial (RFC 5280: positive, at most 20 octets; CAB forum: >= 64 random bits).
    const auto serialBytes = randomBytes(16);
    Bignum serialBn(BN_bin2bn(serialBytes.data(), int(serialBytes.size()), nullptr));
    if (!serialBn)
        fail("could not make a serial number");
    if (BN_is_zero(serialBn.get()))
        check(BN_set_word(serialBn.get(), 1), "could not make a serial number");
    Asn1Integer serial(BN_to_ASN1_INTEGER(serialBn.get(), nullptr));
    if (!serial)
        fail("could not make a serial number");
    check(X509_set_serialNumber(cert.get(), serial.get()), "could not set the serial number");

    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -5 * 60) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr))
        fail("could not set the validity");

    X509_NAME* subject = X509_get_subject_name(cert.get());
    // The CN is informational (clients match the subjectAltName); at most 64 characters (RFC 5280).
    const std::string cn = commonName.substr(0, 64);
    check(X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0),
          "could not set the subject");
    check(X509_set_issuer_name(cert.get(), subject), "could not set the issuer");
    check(X509_set_pubkey(cert.get(), key.get()), "could not set the public key");

    addExtension(cert.get(), NID_subject_alt_name, names.get(), false, "could not add subjectAltName");

    BasicConstraints basic(BASIC_CONSTRAINTS_new());
    if (!basic)
        fail("out of memory");
    basic->ca = 0;
    addExtension(cert.get(), NID_basic_constraints, basic.get(), true, "could not add basicConstraints");

    Asn1BitString usage(ASN1_BIT_STRING_new());
    if (!usage)
        fail("out of memory");
    check(ASN1_BIT_STRING_set_bit(usage.get(), 0, 1), "could not encode keyUsage"); // digitalSignature
    addExtension(cert.get(), NID_key_usage, usage.get(), true, "could not add keyUsage");

    ExtendedKeyUsage extended(sk_ASN1_OBJECT_new_null());
    if (!extended)
        fail("out of memory");
    ASN1_OBJECT* serverAuth = OBJ_nid2obj(NID_server_auth); // static object: freeing it is a no-op
    if (!serverAuth || !sk_ASN1_OBJECT_push(extended.get(), serverAuth))
        fail("could not encode extendedKeyUsage");
    addExtension(cert.get(), NID_ext_key_usage, extended.get(), false, "could not add extendedKeyUsage");

    // subjectKeyIdentifier: SHA-1 of the public key, as OpenSSL's "hash" computes it.
    {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
        X509_EXTENSION* ski = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_key_identifier, "hash");
        if (!ski)
            fail("could not make subjectKeyIdentifier");
        const int added = X509_add_ext(cert.get(), ski, -1);
        X509_EXTENSION_free(ski);
        check(added, "could not add subjectKeyIdentifier");
    }

    if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
        fail("could not sign the certificate");

    CertificateAndKey out;
    {
        Bio bio(BIO_new(BIO_s_mem()));
        if (!bio)
            fail("out of memory");
        check(PEM_write_bio_X509(bio.get(), cert.get()), "could not encode the certificate");
        out.certificatePem = drain(bio.get());
    }
    {
        // A secure-memory BIO is cleared when freed, so the key leaves no copy behind but ours.
        Bio bio(BIO_new(BIO_s_secmem()));
        if (!bio)
            fail("out of memory");
        check(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
              "could not encode the private key");
        out.privateKeyPem = drain(bio.get());
    }
    return out;
}

std::string certificateFingerprintSha256(std::string_view certificatePem) {
    if (certificatePem.size() > std::size_t(INT_MAX))
        throw std::runtime_error("not a PEM certificate");
    Bio bio(BIO_new_mem_buf(certificatePem.data(), int(certificatePem.size())));
    if (!bio)
        fail("out of memory");
    Cert cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) {
        ERR_clear_error();
        throw std::runtime_error("not a PEM certificate");
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(cert.get(), EVP_sha256(), digest, &length) != 1 || length != 32)
        fail("could not hash the certificate");
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(length * 3);
    for (unsigned int i = 0; i < length; ++i) {
        if (i)
            out += ':';
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xf];
    }
    return out;
}

std::array<std::uint8_t, 32> hmacSha256(std::span<const std::uint8_t> key, std::string_view data) {
    if (key.size() > std::size_t(INT_MAX))
        throw CryptoError("HMAC-SHA256: key too long");
    static const std::uint8_t kEmpty = 0; // OpenSSL wants a valid pointer even for an empty key
    std::array<std::uint8_t, 32> out{};
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key.empty() ? &kEmpty : key.data(), int(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &length) ||
        length != out.size()) {
        ERR_clear_error();
        throw CryptoError("HMAC-SHA256 failed");
    }
    return out;
}

} // namespace gh::crypto
