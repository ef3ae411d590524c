// The gateway's parts that need no network: provider request building, origins, config.
#include "config.h"
#include "provider_adapter.h"
#include "support/testdata.h"
#include "upstream_client.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

using namespace gh;
using namespace gh::gateway;

namespace {

policy::Endpoint endpoint(policy::EndpointKind kind, const std::string& baseUrl) {
    policy::Endpoint e;
    e.id = "e";
    e.kind = kind;
    e.baseUrl = {baseUrl, {}};
    e.apiVersion = "2024-10-21";
    e.models.push_back({"gpt-4.1", pricing::ModelPrice{}, "prod-41", {}});
    return e;
}

std::string field(const http::request<http::string_body>& r, std::string_view name) {
    auto it = r.find(beast::string_view(name.data(), name.size()));
    return it == r.end() ? std::string("<none>") : std::string(it->value());
}

} // namespace

class TestGatewayParts : public QObject {
    Q_OBJECT
private slots:
    void parsesOrigins() {
        auto o = parseOrigin("https://api.openai.com");
        QVERIFY(o);
        QVERIFY(o->tls);
        QCOMPARE(o->host, std::string("api.openai.com"));
        QCOMPARE(o->port, std::string("443"));
        QCOMPARE(o->basePath, std::string());
        o = parseOrigin("http://10.0.0.5:11434/");
        QVERIFY(o && !o->tls);
        QCOMPARE(o->port, std::string("11434"));
        QCOMPARE(o->basePath, std::string());
        o = parseOrigin("https://gw.example.com/api/v1/");
        QCOMPARE(o->basePath, std::string("/api/v1"));
        o = parseOrigin("http://[::1]:8080/x");
        QCOMPARE(o->host, std::string("::1"));
        QCOMPARE(o->port, std::string("8080"));
        QVERIFY(!parseOrigin("ftp://x"));
        QVERIFY(!parseOrigin("https://user:pass@host")); // no credentials in URLs
        QVERIFY(!parseOrigin("https://host:80a"));
        QVERIFY(!parseOrigin("https://"));
    }

    void buildsEachProvidersRequest_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("baseUrl");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("authHeader");
        QTest::addColumn<QString>("authValue");
        using K = policy::EndpointKind;
        QTest::newRow("openai") << int(K::OpenAI) << "https://api.openai.com" << "/v1/chat/completions" << "authorization" << "Bearer s3cret";
        QTest::newRow("compatible /v1") << int(K::OpenAICompatible) << "https://h/api/v1" << "/api/v1/chat/completions" << "authorization" << "Bearer s3cret";
        QTest::newRow("ollama") << int(K::Ollama) << "http://127.0.0.1:11434" << "/v1/chat/completions" << "authorization" << "Bearer s3cret";
        QTest::newRow("lmstudio") << int(K::LMStudio) << "http://127.0.0.1:1234" << "/v1/chat/completions" << "authorization" << "Bearer s3cret";
        QTest::newRow("azure") << int(K::AzureOpenAI) << "https://c.openai.azure.com" << "/openai/deployments/prod-41/chat/completions?api-version=2024-10-21" << "api-key" << "s3cret";
        QTest::newRow("foundry") << int(K::Foundry) << "https://a.services.ai.azure.com" << "/models/chat/completions?api-version=2024-10-21" << "api-key" << "s3cret";
        QTest::newRow("anthropic") << int(K::Anthropic) << "https://api.anthropic.com" << "/v1/messages" << "x-api-key" << "s3cret";
    }
    void buildsEachProvidersRequest() {
        QFETCH(int, kind);
        QFETCH(QString, baseUrl);
        QFETCH(QString, target);
        QFETCH(QString, authHeader);
        QFETCH(QString, authValue);
        const auto e = endpoint(policy::EndpointKind(kind), baseUrl.toStdString());
        const auto t = buildUpstreamRequest(e, e.models[0], "s3cret");
        QVERIFY(t);
        QCOMPARE(std::string(t->request.target()), target.toStdString());
        QCOMPARE(field(t->request, authHeader.toStdString()), authValue.toStdString());
        QCOMPARE(t->request.method(), http::verb::post);
        if (policy::EndpointKind(kind) == policy::EndpointKind::Anthropic)
            QCOMPARE(field(t->request, "anthropic-version"), std::string("2023-06-01"));
        // The secret goes in exactly one header and never in the URL.
        QVERIFY(std::string(t->request.target()).find("s3cret") == std::string::npos);
    }

    void noCredentialMeansNoAuthHeader() {
        const auto e = endpoint(policy::EndpointKind::Ollama, "http://127.0.0.1:11434");
        const auto t = buildUpstreamRequest(e, e.models[0], "");
        QCOMPARE(field(t->request, "authorization"), std::string("<none>"));
        QCOMPARE(field(t->request, "host"), std::string("127.0.0.1:11434"));
    }

    void modelNamesAndFormats() {
        auto azure = endpoint(policy::EndpointKind::AzureOpenAI, "https://c");
        QCOMPARE(upstreamModelName(azure, azure.models[0]), std::string("prod-41"));
        auto openai = endpoint(policy::EndpointKind::OpenAI, "https://c");
        QCOMPARE(upstreamModelName(openai, openai.models[0]), std::string("gpt-4.1"));
        QVERIFY(formatOf(policy::EndpointKind::Anthropic) == wire::Format::Anthropic);
        QVERIFY(formatOf(policy::EndpointKind::Ollama) == wire::Format::OpenAI);
    }

    void deploymentNamesAreEscapedInUrls() {
        auto azure = endpoint(policy::EndpointKind::AzureOpenAI, "https://c");
        azure.models[0].deployment = "a/../b?x";
        const auto t = buildUpstreamRequest(azure, azure.models[0], "k");
        QCOMPARE(std::string(t->request.target()), std::string("/openai/deployments/a%2F..%2Fb%3Fx/chat/completions?api-version=2024-10-21"));
    }

    void configLoadsAndRefusesMistakes() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("gatehoused.yaml").toStdString();
        {
            std::ofstream(path) << defaultConfigText();
        }
        auto r = loadConfig(path);
        QVERIFY(r.config);
        QCOMPARE(r.config->listenPort, std::uint16_t(8080));
        QCOMPARE(r.config->maxBodyBytes, std::uint64_t(8388608));
        QVERIFY(!r.config->durableAgainstPowerLoss);
        {
            std::ofstream(path) << "listen: '[::1]:9000'\ndurability: power\nthreads: 3\n";
        }
        r = loadConfig(path);
        QVERIFY(r.config);
        QCOMPARE(r.config->listenHost, std::string("::1"));
        QCOMPARE(r.config->listenPort, std::uint16_t(9000));
        QVERIFY(r.config->durableAgainstPowerLoss);
        {
            std::ofstream(path) << "listen: nowhere\nthreads: lots\nmax_body_byte: 5\n";
        }
        r = loadConfig(path);
        QVERIFY(!r.config);
        QCOMPARE(r.errors.size(), std::size_t(3));
        QCOMPARE(r.errors[0], path + ":1:9: error: listen must be HOST:PORT, such as 127.0.0.1:8080");
        QCOMPARE(r.errors[1], path + ":2:10: error: threads must be a whole number from 0 to 256");
        QCOMPARE(r.errors[2], path + ":3:1: error: unknown key 'max_body_byte'; did you mean 'max_body_bytes'?");
    }
};

QTEST_APPLESS_MAIN(TestGatewayParts)
#include "tst_gateway_parts.moc"
