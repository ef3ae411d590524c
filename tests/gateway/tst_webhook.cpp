// The webhook notifier against a small local receiver (a Beast server on its own thread).
#include "crypto/certificate.h"
#include "crypto/encoding.h"
#include "log.h"
#include "net.h"
#include "support/testdata.h"
#include "webhook.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <unistd.h>

using namespace gh;
using namespace gh::gateway;
using namespace std::chrono_literals;

namespace {

struct Received {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string("<none>") : it->second;
    }
};

// Answers each request with the next scripted status (then 200), one connection at a time;
// optionally over TLS, optionally holding answers until released.
class Receiver {
public:
    explicit Receiver(std::optional<crypto::CertificateAndKey> certificate = std::nullopt)
        : acceptor_(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
        if (certificate) {
            tls_.emplace(ssl::context::tls_server);
            tls_->use_certificate_chain(net::buffer(certificate->certificatePem));
            tls_->use_private_key(net::buffer(certificate->privateKeyPem), ssl::context::pem);
        }
        thread_ = std::thread([this] { run(); });
    }
    ~Receiver() {
        stop_ = true;
        release();
        error_code ec;
        tcp::socket poke(io_); // wakes the blocking accept
        poke.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void script(std::vector<unsigned> statuses) {
        std::lock_guard lock(mutex_);
        script_.assign(statuses.begin(), statuses.end());
    }
    void hold() {
        std::lock_guard lock(mutex_);
        held_ = true;
    }
    void release() {
        {
            std::lock_guard lock(mutex_);
            held_ = false;
        }
        changed_.notify_all();
    }
    std::vector<Received> received() const {
        std::lock_guard lock(mutex_);
        return received_;
    }
    bool waitForRequests(std::size_t n, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
    }
    int connections() const { return connections_.load(); }

private:
    void run() {
        for (;;) {
            tcp::socket socket(io_);
            error_code ec;
            acceptor_.accept(socket, ec);
            if (stop_)
                return;
            if (ec)
                continue;
            ++connections_;
            if (tls_) {
                ssl::stream<tcp::socket&> stream(socket, *tls_);
                stream.handshake(ssl::stream_base::server, ec);
                if (!ec)
                    serve(stream);
            } else {
                serve(socket);
            }
        }
    }

    template <class Stream>
    void serve(Stream& stream) {
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        error_code ec;
        http::read(stream, buffer, request, ec);
        if (ec)
            return;
        Received r;
        r.method = std::string(request.method_string());
        r.target = std::string(request.target());
        for (const auto& field : request) {
            std::string name(field.name_string());
            for (char& c : name)
                c = char(std::tolower(static_cast<unsigned char>(c)));
            r.headers[name] = std::string(field.value());
        }
        r.body = request.body();
        unsigned status = 200;
        {
            std::unique_lock lock(mutex_);
            received_.push_back(std::move(r));
            changed_.notify_all();
            changed_.wait(lock, [&] { return !held_; });
            if (!script_.empty()) {
                status = script_.front();
                script_.pop_front();
            }
        }
        http::response<http::string_body> response(http::status(status), 11);
        response.set(http::field::content_type, "text/plain");
        response.body() = "thanks";
        response.prepare_payload();
        http::write(stream, response, ec);
    }

    net::io_context io_;
    tcp::acceptor acceptor_;
    std::optional<ssl::context> tls_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> connections_{0};
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<unsigned> script_;
    bool held_ = false;
    std::vector<Received> received_;
};

WebhookConfig config(std::uint16_t port, std::string path = "/hooks/gatehouse") {
    WebhookConfig c;
    c.url = "http://127.0.0.1:" + std::to_string(port) + path;
    c.initialBackoff = 20ms;
    c.maxBackoff = 200ms;
    c.timeout = 5s;
    return c;
}

// A loopback port with nothing listening.
std::uint16_t closedPort() {
    net::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    return acceptor.local_endpoint().port();
}

std::string expectedSignature(const std::string& secret, const std::string& timestamp, const std::string& body) {
    const auto mac = crypto::hmacSha256(std::span(reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()),
                                        timestamp + "." + body);
    return "sha256=" + crypto::toHex(mac);
}

std::string invalidArgumentMessage(const WebhookConfig& c) {
    try {
        WebhookNotifier notifier(c);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "<accepted>";
}

// Captures what is written to stderr (the log) while alive.
class StderrCapture {
public:
    StderrCapture() {
        std::fflush(stderr);
        file_ = std::tmpfile();
        saved_ = ::dup(2);
        ::dup2(::fileno(file_), 2);
    }
    ~StderrCapture() { restore(); }
    std::string text() {
        restore();
        std::rewind(file_);
        std::string out;
        char buffer[4096];
        while (const auto n = std::fread(buffer, 1, sizeof buffer, file_))
            out.append(buffer, n);
        return out;
    }

private:
    void restore() {
        if (saved_ < 0)
            return;
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
        saved_ = -1;
    }
    std::FILE* file_ = nullptr;
    int saved_ = -1;
};

} // namespace

class TestWebhook : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { log::setQuiet(true); }

    void deliversSignedEvents() {
        Receiver receiver;
        auto c = config(receiver.port(), "/hooks/gatehouse?tenant=acme");
        c.signingSecret = "whsec-test-secret";
        WebhookNotifier notifier(c);
        const std::string body = "{\"type\":\"budget.threshold\",\"budget\":\"payments\",\"percent\":80}";
        const auto before = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch()).count();
        notifier.post("budget.threshold", body);
        notifier.post("key.rotated", "{}");
        QVERIFY(notifier.flush(10s));
        const auto after = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch()).count();

        const auto stats = notifier.stats();
        QCOMPARE(stats.delivered, std::uint64_t(2));
        QCOMPARE(stats.failed, std::uint64_t(0));
        QCOMPARE(stats.dropped, std::uint64_t(0));
        QCOMPARE(stats.attempts, std::uint64_t(2));

        const auto got = receiver.received();
        QCOMPARE(got.size(), std::size_t(2));
        const auto& r = got[0];
        QCOMPARE(r.method, std::string("POST"));
        QCOMPARE(r.target, std::string("/hooks/gatehouse?tenant=acme"));
        QCOMPARE(r.body, body);
        QCOMPARE(r.header("host"), "127.0.0.1:" + std::to_string(receiver.port()));
        QCOMPARE(r.header("content-type"), std::string("application/json"));
        QCOMPARE(r.header("user-agent"), std::string("gatehoused"));
        QCOMPARE(r.header("x-gatehouse-event"), std::string("budget.threshold"));
        QCOMPARE(r.header("content-length"), std::to_string(body.size()));
        const auto id = r.header("x-gatehouse-delivery");
        QCOMPARE(id.size(), std::size_t(32));
        QVERIFY(id.find_first_not_of("0123456789abcdef") == std::string::npos);
        const auto timestamp = std::stoll(r.header("x-gatehouse-timestamp"));
        QVERIFY(timestamp >= before && timestamp <= after);
        // What a receiver does: HMAC-SHA256(secret, "<timestamp>.<body>"), hex, after "sha256=".
        QCOMPARE(r.header("x-gatehouse-signature"), expectedSignature(c.signingSecret, r.header("x-gatehouse-timestamp"), r.body));
        QVERIFY(r.header("x-gatehouse-signature") != expectedSignature("another secret", r.header("x-gatehouse-timestamp"), r.body));

        QCOMPARE(got[1].header("x-gatehouse-event"), std::string("key.rotated"));
        QVERIFY(got[1].header("x-gatehouse-delivery") != r.header("x-gatehouse-delivery"));
        QCOMPARE(got[1].header("x-gatehouse-signature"),
                 expectedSignature(c.signingSecret, got[1].header("x-gatehouse-timestamp"), "{}"));
    }

    void unsignedWhenThereIsNoSecret() {
        Receiver receiver;
        WebhookNotifier notifier(config(receiver.port(), ""));
        notifier.post("rotation.due\r\nX-Injected: 1", "{}"); // a header can not be smuggled in
        QVERIFY(notifier.flush(10s));
        const auto got = receiver.received();
        QCOMPARE(got.size(), std::size_t(1));
        QCOMPARE(got[0].target, std::string("/"));
        QCOMPARE(got[0].header("x-gatehouse-signature"), std::string("<none>"));
        QCOMPARE(got[0].header("x-injected"), std::string("<none>"));
        QCOMPARE(got[0].header("x-gatehouse-event"), std::string("rotation.due__X-Injected__1"));
    }

    void retriesServerErrorsWithTheSameDeliveryId() {
        Receiver receiver;
        receiver.script({503, 503, 200});
        auto c = config(receiver.port());
        c.signingSecret = "s";
        WebhookNotifier notifier(c);
        notifier.post("rotation.overdue", "{\"credential\":\"azure-eu-key\"}");
        QVERIFY(notifier.flush(10s));
        const auto stats = notifier.stats();
        QCOMPARE(stats.delivered, std::uint64_t(1));
        QCOMPARE(stats.failed, std::uint64_t(0));
        QCOMPARE(stats.attempts, std::uint64_t(3));
        const auto got = receiver.received();
        QCOMPARE(got.size(), std::size_t(3));
        std::set<std::string> ids;
        for (const auto& r : got) {
            ids.insert(r.header("x-gatehouse-delivery"));
            QCOMPARE(r.header("x-gatehouse-signature"), expectedSignature("s", r.header("x-gatehouse-timestamp"), r.body));
        }
        QCOMPARE(ids.size(), std::size_t(1));
    }

    void retriesTooManyRequests() {
        Receiver receiver;
        receiver.script({429, 200});
        WebhookNotifier notifier(config(receiver.port()));
        notifier.post("budget.threshold", "{}");
        QVERIFY(notifier.flush(10s));
        QCOMPARE(notifier.stats().delivered, std::uint64_t(1));
        QCOMPARE(notifier.stats().attempts, std::uint64_t(2));
    }

    void doesNotRetryClientErrors() {
        Receiver receiver;
        receiver.script({400});
        WebhookNotifier notifier(config(receiver.port()));
        notifier.post("budget.threshold", "{}");
        QVERIFY(notifier.flush(10s));
        const auto stats = notifier.stats();
        QCOMPARE(stats.delivered, std::uint64_t(0));
        QCOMPARE(stats.failed, std::uint64_t(1));
        QCOMPARE(stats.attempts, std::uint64_t(1));
        QCOMPARE(receiver.received().size(), std::size_t(1));
    }

    void givesUpOnAnUnreachableReceiver() {
        auto c = config(closedPort());
        c.maxAttempts = 3;
        c.maxQueue = 1000;
        WebhookNotifier notifier(c);
        // post() never waits for the network, even while the worker is busy failing.
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 5; ++i)
            notifier.post("budget.threshold", "{}");
        QVERIFY(timer.elapsed() < 200);
        QVERIFY(notifier.flush(20s));
        const auto stats = notifier.stats();
        QCOMPARE(stats.delivered, std::uint64_t(0));
        QCOMPARE(stats.failed, std::uint64_t(5));
        QCOMPARE(stats.attempts, std::uint64_t(15));
        QCOMPARE(stats.dropped, std::uint64_t(0));
    }

    void dropsWhenTheQueueIsFull() {
        Receiver receiver;
        receiver.hold();
        auto c = config(receiver.port());
        c.maxQueue = 5;
        WebhookNotifier notifier(c);
        notifier.post("e", "{\"n\":0}");
        QVERIFY(receiver.waitForRequests(1, 10s)); // the worker is now waiting for that answer
        QElapsedTimer timer;
        timer.start();
        for (int i = 1; i <= 12; ++i)
            notifier.post("e", "{\"n\":" + std::to_string(i) + "}");
        QVERIFY(timer.elapsed() < 200); // never blocks, even with the worker stuck
        QCOMPARE(notifier.stats().dropped, std::uint64_t(7));
        QVERIFY(!notifier.flush(50ms)); // still busy
        receiver.release();
        QVERIFY(notifier.flush(10s));
        const auto stats = notifier.stats();
        QCOMPARE(stats.delivered, std::uint64_t(6));
        QCOMPARE(stats.dropped, std::uint64_t(7));
        const auto got = receiver.received();
        QCOMPARE(got.size(), std::size_t(6));
        QCOMPARE(got.back().body, std::string("{\"n\":5}")); // first come, first kept
    }

    void deliversWhatIsQueuedOnDestruction() {
        Receiver receiver;
        {
            WebhookNotifier notifier(config(receiver.port()));
            for (int i = 0; i < 3; ++i)
                notifier.post("e", "{}");
        }
        QCOMPARE(receiver.received().size(), std::size_t(3));
    }

    void destructionIsBoundedWhenTheReceiverIsDown() {
        auto c = config(closedPort());
        c.initialBackoff = 10s;
        c.maxBackoff = 10s;
        c.shutdownGrace = 300ms;
        QElapsedTimer timer;
        {
            WebhookNotifier notifier(c);
            for (int i = 0; i < 10; ++i)
                notifier.post("e", "{}");
            QTest::qWait(100);
            timer.start();
        }
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    }

    void timesOutASilentReceiver() {
        net::io_context io;
        tcp::acceptor silent(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)); // listens, never answers
        auto c = config(silent.local_endpoint().port());
        c.timeout = 1s;
        c.maxAttempts = 1;
        WebhookNotifier notifier(c);
        QElapsedTimer timer;
        timer.start();
        notifier.post("e", "{}");
        QVERIFY(notifier.flush(10s));
        QVERIFY(timer.elapsed() >= 900 && timer.elapsed() < 5000);
        QCOMPARE(notifier.stats().failed, std::uint64_t(1));
    }

    void destructionCutsASlowAttemptShort() {
        net::io_context io;
        tcp::acceptor silent(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
        auto c = config(silent.local_endpoint().port());
        c.timeout = 30s;
        c.shutdownGrace = 300ms;
        QElapsedTimer timer;
        {
            WebhookNotifier notifier(c);
            notifier.post("e", "{}");
            notifier.post("e", "{}");
            QTest::qWait(200); // the first attempt now waits for an answer that never comes
            timer.start();
        }
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    }

    void verifiesTls() {
        const auto certificate = crypto::generateSelfSigned({"localhost"}, {"127.0.0.1"}, 1);
        QTemporaryDir dir;
        const QString caFile = dir.filePath("receiver.pem");
        {
            QFile f(caFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray::fromStdString(certificate.certificatePem));
        }
        Receiver receiver(certificate);
        const auto port = std::to_string(receiver.port());

        // Trusted through caFile, by address and by name (SNI and host-name check).
        for (const std::string host : {"127.0.0.1", "localhost"}) {
            WebhookConfig c = config(receiver.port());
            c.url = "https://" + host + ":" + port + "/tls";
            c.caFile = caFile.toStdString();
            c.signingSecret = "k";
            WebhookNotifier notifier(c);
            notifier.post("key.rotated", "{}");
            QVERIFY(notifier.flush(10s));
            QCOMPARE(notifier.stats().delivered, std::uint64_t(1));
        }
        QCOMPARE(receiver.received().size(), std::size_t(2));
        QCOMPARE(receiver.received().back().header("x-gatehouse-signature"),
                 expectedSignature("k", receiver.received().back().header("x-gatehouse-timestamp"), "{}"));

        // Not trusted without caFile: nothing is sent.
        {
            WebhookConfig c = config(receiver.port());
            c.url = "https://127.0.0.1:" + port + "/tls";
            c.maxAttempts = 2;
            WebhookNotifier notifier(c);
            notifier.post("key.rotated", "{}");
            QVERIFY(notifier.flush(10s));
            QCOMPARE(notifier.stats().failed, std::uint64_t(1));
            QCOMPARE(notifier.stats().attempts, std::uint64_t(2));
        }
        // Trusted, but the certificate does not name the host we asked for.
        {
            const auto other = crypto::generateSelfSigned({"elsewhere.example"}, {"192.0.2.1"}, 1);
            Receiver wrongName(other);
            const QString otherCa = dir.filePath("other.pem");
            QFile f(otherCa);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray::fromStdString(other.certificatePem));
            f.close();
            WebhookConfig c = config(wrongName.port());
            c.url = "https://127.0.0.1:" + std::to_string(wrongName.port()) + "/tls";
            c.caFile = otherCa.toStdString();
            c.maxAttempts = 1;
            WebhookNotifier notifier(c);
            notifier.post("key.rotated", "{}");
            QVERIFY(notifier.flush(10s));
            QCOMPARE(notifier.stats().failed, std::uint64_t(1));
            QCOMPARE(wrongName.received().size(), std::size_t(0));
        }
        QCOMPARE(receiver.received().size(), std::size_t(2));
    }

    void refusesBadUrls_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << "" << "is empty";
        QTest::newRow("not a URL") << "hooks.example.com/x" << "not a valid absolute URL";
        QTest::newRow("ftp") << "ftp://hooks.example.com/x" << "http:// or https://";
        QTest::newRow("credentials") << "https://admin:hunter2@hooks.example.com/x?token=s3cr3t"
                                     << "must not contain credentials";
        QTest::newRow("user only") << "https://admin@hooks.example.com/x" << "must not contain credentials";
        QTest::newRow("no host") << "https:///x?token=s3cr3t" << "must name a host";
        QTest::newRow("port too big") << "https://hooks.example.com:70000/x" << "invalid port";
        QTest::newRow("port zero") << "http://hooks.example.com:0/x" << "invalid port";
        QTest::newRow("empty port") << "http://hooks.example.com:/x" << "invalid port";
        QTest::newRow("fragment") << "https://hooks.example.com/x?token=s3cr3t#frag" << "fragment";
    }

    void refusesBadUrls() {
        QFETCH(QString, url);
        QFETCH(QString, message);
        WebhookConfig c;
        c.url = url.toStdString();
        const auto what = invalidArgumentMessage(c);
        QVERIFY2(what.find(message.toStdString()) != std::string::npos, what.c_str());
        // Never echoes secrets that might be in the URL.
        for (const char* secret : {"hunter2", "s3cr3t", "admin", "token"})
            QVERIFY2(what.find(secret) == std::string::npos, what.c_str());
    }

    void refusesBadLimits() {
        WebhookConfig c;
        c.url = "https://hooks.example.com/x";
        c.maxAttempts = 0;
        QVERIFY(invalidArgumentMessage(c).find("attempts") != std::string::npos);
        c.maxAttempts = 1;
        c.maxQueue = 0;
        QVERIFY(invalidArgumentMessage(c).find("queue") != std::string::npos);
        c.maxQueue = 10;
        c.caFile = "/nonexistent/ca.pem";
        QVERIFY(invalidArgumentMessage(c).find("CA file") != std::string::npos);
    }

    void acceptsGoodUrls() {
        WebhookConfig c;
        c.url = "https://hooks.example.com/services/T0/B0/XYZ?x=1";
        WebhookNotifier a(c);
        QCOMPARE(a.displayOrigin(), std::string("https://hooks.example.com"));
        c.url = "http://[::1]:8080/hook";
        WebhookNotifier b(c);
        QCOMPARE(b.displayOrigin(), std::string("http://[::1]:8080"));
        c.url = "HTTPS://Hooks.Example.com:8443";
        WebhookNotifier d(c);
        QCOMPARE(d.displayOrigin(), std::string("https://Hooks.Example.com:8443"));
    }

    void logsNeitherSecretNorPathNorQuery() {
        StderrCapture capture;
        {
            auto c = config(closedPort(), "/services/T0/B0/pathsecret?token=querysecret");
            c.signingSecret = "signingsecret";
            c.maxAttempts = 2;
            WebhookNotifier notifier(c);
            notifier.post("budget.threshold", "{}");
            QVERIFY(notifier.flush(10s));
        }
        const auto text = capture.text();
        QVERIFY2(text.find("webhook: delivery failed") != std::string::npos, text.c_str());
        QVERIFY2(text.find("origin=http://127.0.0.1:") != std::string::npos, text.c_str());
        for (const char* secret : {"pathsecret", "querysecret", "signingsecret", "/services"})
            QVERIFY2(text.find(secret) == std::string::npos, text.c_str());
    }
};

QTEST_GUILESS_MAIN(TestWebhook)
#include "tst_webhook.moc"
