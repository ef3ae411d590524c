// TLS to providers is always verified: a test CA (made here with the openssl CLI) fronts the
// mock upstream with nginx; the gateway reaches it only when it trusts that CA and the name on
// the certificate matches the host it dialled.
#include "support/e2e.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace gh::test;

namespace {

bool run(const QString& program, const QStringList& args, const QString& dir) {
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(program, args);
    if (!p.waitForFinished(60'000) || p.exitCode() != 0) {
        qWarning("%s failed: %s", qPrintable(program), p.readAllStandardError().constData());
        return false;
    }
    return true;
}

quint16 freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// (Plain literals: moc misreads raw string literals that hold quotes.)
const char* kPolicy = "version: 1\n"
                      "credentials: [k]\n"
                      "endpoints:\n"
                      "  - {id: tls, kind: openai, base_url: \"{{BASE}}\", class: enterprise, credential: k,\n"
                      "     data_terms: {training_opt_out: true}, models: {gpt-4.1: {input: 2, output: 8}}}\n"
                      "repositories: [{match: \"acme/*\", sensitivity: internal}]\n"
                      "routes:\n"
                      "  - {id: all, route: [tls/gpt-4.1]}\n";

} // namespace

class TestE2eTls : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    MockUpstream mock_;
    quint16 tlsPort_ = 0;

    // A gateway whose only endpoint is `base`, trusting `caFile` (none when empty).
    HttpResult ask(const QString& base, const QString& caFile, QByteArray* log = nullptr) {
        Gateway gw;
        if (!gw.init(caFile.isEmpty() ? QString() : "upstream_ca_file: " + caFile + "\n"))
            return {};
        gw.writePolicy(QString(kPolicy).replace("{{BASE}}", base), mock_.url());
        gw.setCredential("k", "sk-tls-provider-secret");
        const QString key = gw.issueKey("alice", "web");
        if (!gw.start())
            return {};
        auto r = curl({gw.url() + "/v1/chat/completions", "-H", "Authorization: Bearer " + key, "-H",
                       "X-Gatehouse-Repo: acme/web", "-d",
                       "{\"model\":\"gpt-4.1\",\"messages\":[{\"role\":\"user\",\"content\":\"over tls\"}]}"});
        gw.stop();
        if (log)
            *log = gw.process().stderrText();
        return r;
    }

private slots:
    void initTestCase() {
        QVERIFY(mock_.start());
        const QString d = dir_.path();
        // A CA, and a server certificate for "localhost" only, signed by it.
        QVERIFY(run("openssl", {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Gatehouse Test CA",
                                "-keyout", "ca.key", "-out", "ca.crt", "-addext", "basicConstraints=critical,CA:TRUE",
                                "-addext", "keyUsage=critical,keyCertSign"},
                    d));
        QVERIFY(run("openssl", {"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
                                "-out", "server.csr"},
                    d));
        QFile ext(d + "/san.ext");
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
        ext.close();
        QVERIFY(run("openssl", {"x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                                "-days", "2", "-extfile", "san.ext", "-out", "server.crt"},
                    d));
        // nginx terminates TLS in front of the mock.
        tlsPort_ = freePort();
        QDir().mkpath(d + "/nginx");
        QFile conf(d + "/nginx/nginx.conf");
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write(QStringLiteral("worker_processes 1; daemon off; error_log %1/nginx/error.log; pid %1/nginx/nginx.pid;\n"
                                  "events {}\nhttp { access_log off; client_body_temp_path %1/nginx;\n"
                                  " proxy_temp_path %1/nginx; fastcgi_temp_path %1/nginx; uwsgi_temp_path %1/nginx;\n"
                                  " scgi_temp_path %1/nginx;\n"
                                  " server { listen 127.0.0.1:%2 ssl; ssl_certificate %1/server.crt;\n"
                                  "  ssl_certificate_key %1/server.key;\n"
                                  "  location / { proxy_pass %3; proxy_http_version 1.1; } } }\n")
                       .arg(d)
                       .arg(tlsPort_)
                       .arg(mock_.url())
                       .toUtf8());
        conf.close();
        const QString nginx = QFile::exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";
        QProcess* p = new QProcess(this);
        p->start(nginx, {"-c", d + "/nginx/nginx.conf", "-p", d + "/nginx"});
        QVERIFY(p->waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(curl({"--cacert", d + "/ca.crt", QStringLiteral("https://localhost:%1/mock/health").arg(tlsPort_)})
                                         .status == 200,
                                 10'000);
        nginxProcess_ = p;
    }

    void cleanupTestCase() {
        if (nginxProcess_) {
            nginxProcess_->terminate();
            nginxProcess_->waitForFinished(5000);
        }
    }

    void trustedCertificateIsAccepted() {
        const auto r = ask(QStringLiteral("https://localhost:%1").arg(tlsPort_), dir_.filePath("ca.crt"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-gatehouse-served-by"), QString("tls/gpt-4.1"));
        QVERIFY(r.json()["choices"].toArray().size() == 1);
    }

    void unknownAuthorityIsRefused() {
        QByteArray log;
        const auto r = ask(QStringLiteral("https://localhost:%1").arg(tlsPort_), QString(), &log);
        QCOMPARE(r.status, 502);
        const QString message = r.json()["error"].toObject()["message"].toString();
        QVERIFY2(message.contains("could not reach endpoint 'tls'") && message.contains("certificate verify failed"),
                 qPrintable(message));
        QVERIFY(!log.contains("sk-tls-provider-secret"));
    }

    void nameMismatchIsRefused() {
        // Trusted CA, but the certificate names localhost and we dial 127.0.0.1.
        const auto r = ask(QStringLiteral("https://127.0.0.1:%1").arg(tlsPort_), dir_.filePath("ca.crt"));
        QCOMPARE(r.status, 502);
        QVERIFY2(r.json()["error"].toObject()["message"].toString().contains("certificate verify failed"), r.body.constData());
    }

private:
    QProcess* nginxProcess_ = nullptr;
};

QTEST_GUILESS_MAIN(TestE2eTls)
#include "tst_e2e_tls.moc"
