#include "crypto/seal.h"
#include "store/credential_vault.h"
#include "support/testdata.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace gh;

class TestSeal : public QObject {
    Q_OBJECT
private slots:
    void sealsAndOpens() {
        const auto key = crypto::generateMasterKey();
        const auto sealed = crypto::seal(key, "sk-live-abc", "credential:a");
        QCOMPARE(crypto::open(key, sealed, "credential:a").value_or(""), std::string("sk-live-abc"));
        // Nonces are random: sealing twice gives different blobs.
        QVERIFY(crypto::seal(key, "sk-live-abc", "credential:a") != sealed);
    }

    void refusesTamperingOtherKeysAndOtherRows() {
        const auto key = crypto::generateMasterKey();
        auto sealed = crypto::seal(key, "sk-live-abc", "credential:a");
        QVERIFY(!crypto::open(crypto::generateMasterKey(), sealed, "credential:a"));
        QVERIFY(!crypto::open(key, sealed, "credential:b")); // copied onto another credential
        for (std::size_t i = 0; i < sealed.size(); ++i) {
            auto altered = sealed;
            altered[i] ^= 0x01;
            QVERIFY(!crypto::open(key, altered, "credential:a"));
        }
        QVERIFY(!crypto::open(key, std::vector<std::uint8_t>(10, 1), "credential:a"));
    }

    void masterKeyFileFormat() {
        const auto key = crypto::generateMasterKey();
        const std::string text = crypto::formatMasterKey(key);
        QCOMPARE(text.size(), std::size_t(65));
        QCOMPARE(crypto::parseMasterKey(text).value(), key);
        QVERIFY(!crypto::parseMasterKey("abc"));
        QVERIFY(!crypto::parseMasterKey(std::string(64, 'z')));
    }

    void fingerprintsAreKeyedAndStable() {
        const auto key = crypto::generateMasterKey();
        QCOMPARE(crypto::fingerprint(key, "s"), crypto::fingerprint(key, "s"));
        QVERIFY(crypto::fingerprint(key, "s") != crypto::fingerprint(key, "t"));
        QVERIFY(crypto::fingerprint(key, "s") != crypto::fingerprint(crypto::generateMasterKey(), "s"));
        QVERIFY(crypto::fingerprint(key, "s").starts_with("hmac-sha256:"));
    }

    // The vault keeps only sealed bytes: the secret is nowhere in the database file.
    void vaultStoresNoPlaintext() {
        QTemporaryDir dir;
        const auto key = crypto::generateMasterKey();
        const std::string secret = "sk-canary-7f3a9c1e-vault";
        {
            store::CredentialVault vault(dir.path().toStdString(), key);
            const auto info = vault.set("openai-key", secret, 1000);
            QCOMPARE(info.createdMs, std::int64_t(1000));
            QCOMPARE(vault.secret("openai-key").value_or(""), secret);
            const auto rotated = vault.set("openai-key", secret + "-2", 2000);
            QCOMPARE(rotated.createdMs, std::int64_t(1000)); // rotation keeps the id and creation time
            QCOMPARE(rotated.rotatedMs, std::int64_t(2000));
            QCOMPARE(vault.secret("openai-key").value_or(""), secret + "-2");
            QCOMPARE(vault.list().size(), std::size_t(1));
            QVERIFY(!vault.secret("missing"));
        }
        for (const char* file : {"state.db", "state.db-wal"}) {
            QFile f(dir.filePath(file));
            if (f.open(QIODevice::ReadOnly))
                QVERIFY2(!f.readAll().contains(QByteArray::fromStdString(secret)), file);
        }
        // Another master key opens nothing.
        store::CredentialVault other(dir.path().toStdString(), crypto::generateMasterKey());
        QVERIFY(!other.secret("openai-key"));
    }
};

QTEST_APPLESS_MAIN(TestSeal)
#include "tst_seal.moc"
