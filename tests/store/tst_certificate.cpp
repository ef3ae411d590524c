// The admin listener's self-signed certificate, its fingerprint, and HMAC-SHA256.
#include "crypto/certificate.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "support/testdata.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTest>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace gh::crypto;

namespace {

struct X509Deleter {
    void operator()(X509* p) const { X509_free(p); }
};
struct PkeyDeleter {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using CertPtr = std::unique_ptr<X509, X509Deleter>;
using KeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

CertPtr parseCert(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
    CertPtr cert(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    return cert;
}

// No password callback and no passphrase: only an unencrypted key parses.
int refusePassword(char*, int, int, void*) { return -1; }

KeyPtr parseKey(const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
    KeyPtr key(PEM_read_bio_PrivateKey(bio, nullptr, refusePassword, nullptr));
    BIO_free(bio);
    return key;
}

std::string asn1String(const ASN1_STRING* s) {
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), std::size_t(ASN1_STRING_length(s)));
}

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

// Seconds from now to `t` (negative in the past).
long secondsFromNow(const ASN1_TIME* t) {
    int days = 0, secs = 0;
    if (ASN1_TIME_diff(&days, &secs, nullptr, t) != 1)
        return 0;
    return long(days) * 86400 + secs;
}

} // namespace

class TestCertificate : public QObject {
    Q_OBJECT
private slots:
    void generatesAServerCertificate() {
        const auto generated = generateSelfSigned({"gatehouse.local", "localhost"}, {"127.0.0.1", "::1"}, 397);
        QVERIFY(generated.certificatePem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        const auto cert = parseCert(generated.certificatePem);
        QVERIFY(cert);

        QCOMPARE(X509_get_version(cert.get()), long(X509_VERSION_3));
        QCOMPARE(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);

        // Key: EC on P-256, the certificate signs itself, subject == issuer.
        EVP_PKEY* pub = X509_get0_pubkey(cert.get());
        QVERIFY(pub);
        QVERIFY(EVP_PKEY_is_a(pub, "EC"));
        char group[64] = {};
        std::size_t groupLength = 0;
        QVERIFY(EVP_PKEY_get_group_name(pub, group, sizeof group, &groupLength));
        QCOMPARE(std::string(group), std::string("prime256v1"));
        QCOMPARE(X509_verify(cert.get(), pub), 1);
        QCOMPARE(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())), 0);

        // CN = first name.
        char cn[256] = {};
        QVERIFY(X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn) > 0);
        QCOMPARE(std::string(cn), std::string("gatehouse.local"));

        // Validity: started (a little before) now, ends `days` from now.
        const long notBefore = secondsFromNow(X509_get0_notBefore(cert.get()));
        const long notAfter = secondsFromNow(X509_get0_notAfter(cert.get()));
        QVERIFY(notBefore <= 0 && notBefore > -3600);
        QVERIFY(std::abs(notAfter - 397L * 86400) < 60);

        // Serial: positive, random, about 128 bits.
        BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr);
        QVERIFY(serial);
        QVERIFY(!BN_is_negative(serial));
        QVERIFY(BN_num_bits(serial) > 100 && BN_num_bits(serial) <= 128);
        BN_free(serial);

        // subjectAltName: every DNS name and address, in order.
        auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
        QVERIFY(names);
        std::vector<std::string> dns;
        std::vector<std::vector<std::uint8_t>> ips;
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
            int type = 0;
            const auto* value = static_cast<const ASN1_STRING*>(GENERAL_NAME_get0_value(gn, &type));
            if (type == GEN_DNS) {
                dns.push_back(asn1String(value));
            } else if (type == GEN_IPADD) {
                const auto s = asn1String(value);
                ips.emplace_back(s.begin(), s.end());
            } else {
                QFAIL("unexpected name type");
            }
        }
        GENERAL_NAMES_free(names);
        QCOMPARE(dns, (std::vector<std::string>{"gatehouse.local", "localhost"}));
        QCOMPARE(ips.size(), std::size_t(2));
        QCOMPARE(ips[0], (std::vector<std::uint8_t>{127, 0, 0, 1}));
        std::vector<std::uint8_t> loopback6(16, 0);
        loopback6[15] = 1;
        QCOMPARE(ips[1], loopback6);

        // What a TLS client checks.
        QCOMPARE(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
        QCOMPARE(X509_check_host(cert.get(), "gatehouse.local", 0, 0, nullptr), 1);
        QCOMPARE(X509_check_host(cert.get(), "example.com", 0, 0, nullptr), 0);
        QCOMPARE(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
        QCOMPARE(X509_check_ip_asc(cert.get(), "::1", 0), 1);
        QCOMPARE(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 0);

        // Not a CA; for TLS servers only; keyUsage digitalSignature.
        QCOMPARE(X509_check_ca(cert.get()), 0);
        auto* basic = static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert.get(), NID_basic_constraints, nullptr, nullptr));
        QVERIFY(basic);
        QVERIFY(!basic->ca);
        BASIC_CONSTRAINTS_free(basic);
        QVERIFY(X509_get_extension_flags(cert.get()) & EXFLAG_KUSAGE);
        QCOMPARE(X509_get_key_usage(cert.get()), std::uint32_t(KU_DIGITAL_SIGNATURE));
        QVERIFY(X509_get_extension_flags(cert.get()) & EXFLAG_XKUSAGE);
        QCOMPARE(X509_get_extended_key_usage(cert.get()), std::uint32_t(XKU_SSL_SERVER));
        QCOMPARE(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
        QCOMPARE(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_CLIENT, 0), 0);
    }

    void privateKeyIsUnencryptedPkcs8AndMatches() {
        const auto generated = generateSelfSigned({"localhost"}, {}, 30);
        QVERIFY(generated.privateKeyPem.starts_with("-----BEGIN PRIVATE KEY-----\n")); // PKCS#8, not "EC PRIVATE KEY"
        QVERIFY(generated.privateKeyPem.find("ENCRYPTED") == std::string::npos);
        const auto key = parseKey(generated.privateKeyPem);
        QVERIFY(key);
        QVERIFY(EVP_PKEY_is_a(key.get(), "EC"));
        const auto cert = parseCert(generated.certificatePem);
        QCOMPARE(X509_check_private_key(cert.get(), key.get()), 1);
        // A second certificate has another key and another serial.
        const auto other = generateSelfSigned({"localhost"}, {}, 30);
        QVERIFY(other.privateKeyPem != generated.privateKeyPem);
        const auto otherCert = parseCert(other.certificatePem);
        QCOMPARE(X509_check_private_key(otherCert.get(), key.get()), 0);
        QVERIFY(ASN1_INTEGER_cmp(X509_get0_serialNumber(cert.get()), X509_get0_serialNumber(otherCert.get())) != 0);
    }

    void addressOnlyCertificateIsNamedByItsAddress() {
        const auto cert = parseCert(generateSelfSigned({}, {"192.0.2.7"}, 1).certificatePem);
        QVERIFY(cert);
        char cn[256] = {};
        QVERIFY(X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn) > 0);
        QCOMPARE(std::string(cn), std::string("192.0.2.7"));
        QCOMPARE(X509_check_ip_asc(cert.get(), "192.0.2.7", 0), 1);
    }

    void refusesBadRequests() {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, generateSelfSigned({}, {}, 30));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, generateSelfSigned({"localhost"}, {}, 0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, generateSelfSigned({"localhost"}, {}, -5));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, generateSelfSigned({"localhost"}, {"300.1.1.1"}, 30));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, generateSelfSigned({"localhost"}, {"localhost"}, 30));
        // Names that would smuggle other entries into a configuration string, or are not names.
        for (const char* bad : {"", "a b", "evil,IP:1.2.3.4", "host\n", "..", "x..y", ".x", "a/b"})
            QVERIFY_THROWS_EXCEPTION(std::invalid_argument, generateSelfSigned({bad}, {}, 30));
        // A wildcard is a name.
        const auto cert = parseCert(generateSelfSigned({"*.gatehouse.internal"}, {}, 30).certificatePem);
        QCOMPARE(X509_check_host(cert.get(), "gw1.gatehouse.internal", 0, 0, nullptr), 1);
    }

    void fingerprintIsSha256OfTheDer() {
        const auto generated = generateSelfSigned({"localhost"}, {"127.0.0.1"}, 30);
        const std::string fp = certificateFingerprintSha256(generated.certificatePem);
        QCOMPARE(fp.size(), std::size_t(95));
        for (std::size_t i = 0; i < fp.size(); ++i) {
            if (i % 3 == 2)
                QCOMPARE(fp[i], ':');
            else
                QVERIFY(std::isdigit(static_cast<unsigned char>(fp[i])) || (fp[i] >= 'A' && fp[i] <= 'F'));
        }

        const auto cert = parseCert(generated.certificatePem);
        unsigned char* der = nullptr;
        const int derLength = i2d_X509(cert.get(), &der);
        QVERIFY(derLength > 0);
        std::string hex = toHex(sha256(std::span<const std::uint8_t>(der, std::size_t(derLength))));
        OPENSSL_free(der);
        std::string expected;
        for (std::size_t i = 0; i < hex.size(); i += 2) {
            if (i)
                expected += ':';
            expected += char(std::toupper(hex[i]));
            expected += char(std::toupper(hex[i + 1]));
        }
        QCOMPARE(fp, expected);

        // Text around the PEM block (as in a file with comments) does not matter.
        QCOMPARE(certificateFingerprintSha256("issued for the admin listener\n" + generated.certificatePem + "\n"), fp);
        // Different certificates, different fingerprints.
        QVERIFY(certificateFingerprintSha256(generateSelfSigned({"localhost"}, {}, 30).certificatePem) != fp);
    }

    void fingerprintMatchesTheOpensslCommand() {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QSKIP("the openssl command is not installed");
        const auto generated = generateSelfSigned({"localhost"}, {"127.0.0.1"}, 30);
        QProcess process;
        process.start(openssl, {"x509", "-noout", "-fingerprint", "-sha256"});
        QVERIFY(process.waitForStarted());
        process.write(QByteArray::fromStdString(generated.certificatePem));
        process.closeWriteChannel();
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 0);
        const QString output = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
        // "sha256 Fingerprint=AB:CD:..." (OpenSSL 3), "SHA256 Fingerprint=..." (1.1).
        const auto eq = output.indexOf(QLatin1Char('='));
        QVERIFY2(eq > 0, qPrintable(output));
        QCOMPARE(output.mid(eq + 1).toStdString(), certificateFingerprintSha256(generated.certificatePem));

        // The command also reads the names and purposes back as intended.
        QProcess text;
        text.start(openssl, {"x509", "-noout", "-text"});
        QVERIFY(text.waitForStarted());
        text.write(QByteArray::fromStdString(generated.certificatePem));
        text.closeWriteChannel();
        QVERIFY(text.waitForFinished(30000));
        const QString dump = QString::fromUtf8(text.readAllStandardOutput());
        QVERIFY2(dump.contains(QStringLiteral("DNS:localhost, IP Address:127.0.0.1")), qPrintable(dump));
        QVERIFY2(dump.contains(QStringLiteral("CA:FALSE")), qPrintable(dump));
        QVERIFY2(dump.contains(QStringLiteral("TLS Web Server Authentication")), qPrintable(dump));
        QVERIFY2(dump.contains(QStringLiteral("Digital Signature")), qPrintable(dump));
        QVERIFY2(dump.contains(QStringLiteral("ecdsa-with-SHA256")), qPrintable(dump));
        QVERIFY2(dump.contains(QStringLiteral("NIST CURVE: P-256")), qPrintable(dump));
    }

    void fingerprintRefusesWhatIsNotACertificate() {
        const auto generated = generateSelfSigned({"localhost"}, {}, 30);
        std::string truncated = generated.certificatePem.substr(0, generated.certificatePem.size() / 2);
        std::string corrupted = generated.certificatePem;
        corrupted[40] = corrupted[40] == 'A' ? 'B' : 'A';
        corrupted[41] = '!';
        for (const std::string& bad : {std::string(), std::string("hello"), generated.privateKeyPem, truncated, corrupted,
                                       std::string("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")})
            QVERIFY_THROWS_EXCEPTION(std::runtime_error, certificateFingerprintSha256(bad));
    }

    void hmacMatchesRfc4231() {
        struct Vector {
            std::vector<std::uint8_t> key;
            std::string data;
            std::string mac;
        };
        std::vector<std::uint8_t> key4;
        for (std::uint8_t b = 1; b <= 25; ++b)
            key4.push_back(b);
        const std::vector<Vector> vectors = {
            {std::vector<std::uint8_t>(20, 0x0b), "Hi There",
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
            {bytes("Jefe"), "what do ya want for nothing?",
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
            {std::vector<std::uint8_t>(20, 0xaa), std::string(50, '\xdd'),
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
            {key4, std::string(50, '\xcd'), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
            {std::vector<std::uint8_t>(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First",
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
            {std::vector<std::uint8_t>(131, 0xaa),
             "This is a test using a larger than block-size key and a larger than block-size data. The key needs to "
             "be hashed before being used by the HMAC algorithm.",
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
        };
        for (const auto& v : vectors)
            QCOMPARE(toHex(hmacSha256(v.key, v.data)), v.mac);
        // Test case 5 specifies only the first 128 bits.
        QCOMPARE(toHex(hmacSha256(std::vector<std::uint8_t>(20, 0x0c), "Test With Truncation")).substr(0, 32),
                 std::string("a3b6167473100ee06e0c796c2955552b"));
        // An empty key is a valid (if useless) key.
        QCOMPARE(toHex(hmacSha256({}, "")), std::string("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
    }
};

QTEST_GUILESS_MAIN(TestCertificate)
#include "tst_certificate.moc"
