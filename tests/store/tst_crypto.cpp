#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "support/testdata.h"

#include <QTest>

#include <set>
#include <string>
#include <vector>

using namespace gh::crypto;

namespace {
std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }
} // namespace

class TestCrypto : public QObject {
    Q_OBJECT
private slots:
    void sha256MatchesKnownVectors() {
        // FIPS 180-2 examples.
        QCOMPARE(toHex(sha256("")), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(toHex(sha256("abc")), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(toHex(sha256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
    }

    void base64urlMatchesRfc4648WithoutPadding() {
        const std::pair<const char*, const char*> vectors[] = {
            {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"},
            {"foobar", "Zm9vYmFy"}};
        for (const auto& [plain, encoded] : vectors) {
            QCOMPARE(base64url(bytes(plain)), std::string(encoded));
            QCOMPARE(fromBase64url(encoded).value(), bytes(plain));
        }
        // The URL-safe alphabet: '-' and '_' instead of '+' and '/'.
        QCOMPARE(base64url(std::vector<std::uint8_t>{0xfb, 0xff, 0xbf}), std::string("-_-_"));
        QCOMPARE(base64url(std::vector<std::uint8_t>(32, 0)).size(), std::size_t(43));
    }

    void base64urlRefusesWhatItDoesNotProduce() {
        for (const char* bad : {"Zg==", "Zm9v+", "Zm9v/", "Z", "Zh", "Zm9 v"})
            QVERIFY2(!fromBase64url(bad).has_value(), bad);
    }

    void base64urlRoundTripsRandomBytes() {
        for (std::size_t n = 0; n < 70; ++n) {
            const auto data = randomBytes(n);
            QCOMPARE(fromBase64url(base64url(data)).value(), data);
        }
    }

    void randomBytesAreFreshEachTime() {
        QCOMPARE(randomBytes(0).size(), std::size_t(0));
        std::set<std::vector<std::uint8_t>> seen;
        for (int i = 0; i < 1000; ++i) {
            auto b = randomBytes(32);
            QCOMPARE(b.size(), std::size_t(32));
            QVERIFY(seen.insert(std::move(b)).second);
        }
    }

    void constantTimeEqualComparesContentAndLength() {
        const auto a = bytes("secret-value");
        QVERIFY(constantTimeEqual(a, bytes("secret-value")));
        QVERIFY(!constantTimeEqual(a, bytes("secret-valuf")));
        QVERIFY(!constantTimeEqual(a, bytes("Secret-value")));
        QVERIFY(!constantTimeEqual(a, bytes("secret-valu")));
        QVERIFY(constantTimeEqual({}, {}));
        const auto d = sha256("x");
        QVERIFY(constantTimeEqual(d, sha256("x")));
        QVERIFY(!constantTimeEqual(d, sha256("y")));
    }

    void wipeZeroes() {
        auto b = randomBytes(64);
        wipe(b);
        QCOMPARE(b, std::vector<std::uint8_t>(64, 0));
    }
};

QTEST_GUILESS_MAIN(TestCrypto)
#include "tst_crypto.moc"
