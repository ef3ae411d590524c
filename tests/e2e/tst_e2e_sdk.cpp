// End-to-end with the official SDKs: the `openai` and `@anthropic-ai/sdk` npm packages (pinned in
// tests/e2e/node/package.json) run by node against gatehoused and the mock upstream. Each case of
// node/openai_client.mjs and node/anthropic_client.mjs prints one JSON result; this suite checks
// it, what the provider received, and the recorded row. Covered: plain and streamed replies,
// tool calls (streamed and not, and the second turn with the tool's result), a denied request
// raising the SDK's PermissionDeniedError with the gateway's message, /v1/models through the
// SDKs' paginators, and each SDK talking to the other provider's endpoint through translation.
#include "e2e_fixture.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>
#include <QTest>

namespace gh::test {

namespace {

const QString kReply = QStringLiteral("mock reply to: what is the weather in Paris");
const QString kToolReply = QStringLiteral("mock reply to: sunny and 21 degrees");
constexpr qint64 kPromptTokens = 15; // system "You are terse." (3 + 3) and the question (3 + 6)
constexpr qint64 kReplyTokens = 9;   // "mock reply to:" + 6 words
constexpr qint64 kToolTokens = 3;    // {"city":"mock"}: 15 bytes at 4 a token
const QJsonObject kToolInput{{"city", "mock"}};

QString nodeDir() { return qEnvironmentVariable("NODE_E2E_DIR"); }

} // namespace

class E2eSdk : public QObject {
    Q_OBJECT

    E2eFixture fx_;

    // Runs `node <sdk>_client.mjs <case>`; the result's JSON, or a failure.
    QJsonObject runCase(const QString& sdk, const QString& name, const QString& model, const QString& repo,
                        const QString& session) {
        const NodeResult r = runNode(nodeDir() + "/" + sdk + "_client.mjs", {name},
                                     {"GATEHOUSE_URL=" + fx_.gateway.url(), "GATEHOUSE_KEY=" + fx_.webKey,
                                      "GATEHOUSE_MODEL=" + model, "GATEHOUSE_REPO=" + repo, "GATEHOUSE_SESSION=" + session},
                                     30'000);
        if (r.exitCode != 0) {
            qWarning("node %s_client.mjs %s exited with %d\nstdout: %s\nstderr: %s", qPrintable(sdk), qPrintable(name),
                     r.exitCode, r.out.constData(), r.err.right(3000).constData());
            return {};
        }
        return r.json();
    }

    QJsonObject row(const QJsonObject& result) {
        return recordedRequest(fx_.gateway.requestsDb(),
                               result.value("gatehouse").toObject().value("requestId").toString());
    }

private slots:
    void initTestCase() {
        QVERIFY2(!nodeDir().isEmpty(), "NODE_E2E_DIR must name tests/e2e/node");
        QVERIFY2(QFileInfo(nodeDir() + "/node_modules/openai/package.json").exists() &&
                     QFileInfo(nodeDir() + "/node_modules/@anthropic-ai/sdk/package.json").exists(),
                 qPrintable("the SDKs are not installed: run `npm ci` in " + nodeDir() + " (scripts/test does)"));
        QProcess node;
        node.start("node", {"--version"});
        QVERIFY2(node.waitForFinished(10'000) && node.exitCode() == 0, "node is not installed (scripts/setup installs it)");
        QVERIFY(fx_.start());
    }
    void init() { fx_.mock.clearRequests(); }
    void cleanup() { fx_.verifyGatewaySurvived(); }

    void sdk_data() {
        QTest::addColumn<QString>("sdk");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("servedBy");

        const QString openai = "openai/gpt-4.1";
        const QString claude = "anthropic/claude-sonnet-4-5";
        for (const char* c : {"chat", "stream", "tools", "toolsStream", "toolRoundTrip"}) {
            QTest::addRow("openai sdk: %s", c) << "openai" << c << "gpt-4.1" << openai;
            QTest::addRow("openai sdk -> anthropic endpoint: %s", c) << "openai" << c << "claude-sonnet-4-5" << claude;
        }
        for (const char* c : {"message", "stream", "streamEvents", "tools", "toolsStream", "toolRoundTrip"}) {
            QTest::addRow("anthropic sdk: %s", c) << "anthropic" << c << "claude-sonnet-4-5" << claude;
            QTest::addRow("anthropic sdk -> openai endpoint: %s", c) << "anthropic" << c << "gpt-4.1" << openai;
        }
    }

    void sdk() {
        QFETCH(QString, sdk);
        QFETCH(QString, name);
        QFETCH(QString, model);
        QFETCH(QString, servedBy);
        const QString session = "sdk-" + sdk + "-" + name;
        const QJsonObject res = runCase(sdk, name, model, "acme/web-app", session);
        QVERIFY2(!res.isEmpty(), "the script failed (see the warning above)");
        const bool tools = name.startsWith("tools");
        const QJsonObject usage = res.value("usage").toObject();
        const QJsonObject gh = res.value("gatehouse").toObject();

        if (sdk == "openai") {
            if (name == "toolRoundTrip") {
                QCOMPARE(res.value("text").toString(), kToolReply);
                QCOMPARE(res.value("finishReason").toString(), QStringLiteral("stop"));
            } else if (tools) {
                const QJsonArray calls = res.value("toolCalls").toArray();
                QCOMPARE(calls.size(), 1);
                const QJsonObject call = calls.first().toObject();
                QCOMPARE(call.value("type").toString(), QStringLiteral("function"));
                QCOMPARE(call.value("name").toString(), QStringLiteral("get_weather"));
                QVERIFY(!call.value("id").toString().isEmpty());
                QCOMPARE(call.value("arguments").toObject(), kToolInput);
                QCOMPARE(res.value("finishReason").toString(), QStringLiteral("tool_calls"));
                if (name == "toolsStream")
                    QVERIFY2(res.value("argumentDeltas").toInt() >= 2, "the arguments should arrive in pieces");
            } else {
                QCOMPARE(res.value("text").toString(), kReply);
                QCOMPARE(res.value("finishReason").toString(), QStringLiteral("stop"));
                if (name == "chat") {
                    QCOMPARE(res.value("object").toString(), QStringLiteral("chat.completion"));
                    QCOMPARE(res.value("role").toString(), QStringLiteral("assistant"));
                } else {
                    QVERIFY(res.value("chunks").toInt() >= 3);
                }
            }
            if (name != "toolRoundTrip") {
                QCOMPARE(usage.value("prompt_tokens").toInteger(), kPromptTokens);
                QCOMPARE(usage.value("completion_tokens").toInteger(), tools ? kToolTokens : kReplyTokens);
            }
        } else {
            const QJsonArray content = res.value("content").toArray();
            if (name == "toolRoundTrip") {
                QCOMPARE(content.first().toObject().value("text").toString(), kToolReply);
                QCOMPARE(res.value("stopReason").toString(), QStringLiteral("end_turn"));
            } else if (tools) {
                QCOMPARE(content.size(), 1);
                const QJsonObject block = content.first().toObject();
                QCOMPARE(block.value("type").toString(), QStringLiteral("tool_use"));
                QCOMPARE(block.value("name").toString(), QStringLiteral("get_weather"));
                QVERIFY(!block.value("id").toString().isEmpty());
                QCOMPARE(block.value("input").toObject(), kToolInput);
                QCOMPARE(res.value("stopReason").toString(), QStringLiteral("tool_use"));
                if (name == "toolsStream")
                    QVERIFY2(res.value("inputJsonDeltas").toInt() >= 2, "the input should arrive in pieces");
            } else if (name == "streamEvents") {
                const QJsonArray types = res.value("types").toArray();
                QCOMPARE(types.first().toString(), QStringLiteral("message_start"));
                QCOMPARE(types.last().toString(), QStringLiteral("message_stop"));
                QCOMPARE(types[types.size() - 2].toString(), QStringLiteral("message_delta"));
                QCOMPARE(res.value("text").toString(), kReply);
                QCOMPARE(res.value("outputTokens").toInteger(), kReplyTokens);
            } else {
                QCOMPARE(content.size(), 1);
                QCOMPARE(content.first().toObject().value("type").toString(), QStringLiteral("text"));
                QCOMPARE(content.first().toObject().value("text").toString(), kReply);
                QCOMPARE(res.value("stopReason").toString(), QStringLiteral("end_turn"));
                if (name == "stream")
                    QCOMPARE(res.value("text").toString(), kReply);
                else
                    QCOMPARE(res.value("type").toString(), QStringLiteral("message"));
            }
            if (name != "toolRoundTrip" && name != "streamEvents") {
                QCOMPARE(usage.value("input_tokens").toInteger(), kPromptTokens);
                QCOMPARE(usage.value("output_tokens").toInteger(), tools ? kToolTokens : kReplyTokens);
            }
        }

        // What the provider received: its own format, the gateway's credential for it, and
        // nothing of the caller's key.
        const QJsonArray got = fx_.mock.requests();
        QCOMPARE(got.size(), name == "toolRoundTrip" ? 2 : 1);
        const bool toAnthropic = servedBy.startsWith("anthropic/");
        for (const auto& v : got) {
            const QJsonObject up = v.toObject();
            const QJsonObject headers = up.value("headers").toObject();
            if (toAnthropic) {
                QCOMPARE(up.value("target").toString(), QStringLiteral("/v1/messages"));
                QCOMPARE(headers.value("x-api-key").toString(), e2eSecret("anthropic-key"));
                QVERIFY(!headers.value("anthropic-version").toString().isEmpty());
                QVERIFY2(!headers.contains("authorization"), qPrintable(headers.value("authorization").toString()));
            } else {
                QCOMPARE(up.value("target").toString(), QStringLiteral("/v1/chat/completions"));
                QCOMPARE(headers.value("authorization").toString(), "Bearer " + e2eSecret("openai-key"));
                QVERIFY(!headers.contains("x-api-key"));
                QVERIFY(!headers.contains("anthropic-version"));
            }
            for (auto it = headers.begin(); it != headers.end(); ++it)
                QVERIFY2(!it.key().startsWith("x-stainless") && !it.key().startsWith("x-gatehouse"),
                         qPrintable("caller header forwarded: " + it.key()));
        }
        const QByteArray journal = fx_.rawJournal();
        for (const QString& key : fx_.keys())
            QVERIFY2(!journal.contains(key.toUtf8()), "a gateway key reached the provider");

        // The x-gatehouse-* headers the SDK saw, and the row they point to.
        if (gh.isEmpty())
            return; // the stream helpers and the two-turn case do not expose response headers
        QCOMPARE(gh.value("servedBy").toString(), servedBy);
        QCOMPARE(gh.value("route").toString(), toAnthropic ? QStringLiteral("claude") : QStringLiteral("general"));
        const QJsonObject rec = row(res);
        QVERIFY2(!rec.isEmpty(), "no row for the request id the SDK saw");
        QCOMPARE(rec.value("session_id").toString(), session);
        QCOMPARE(rec.value("identity").toString(), QStringLiteral("alice"));
        QCOMPARE(rec.value("repository").toString(), QStringLiteral("acme/web-app"));
        QCOMPARE(rec.value("sensitivity").toString(), QStringLiteral("internal"));
        QVERIFY2(rec.value("agent").toString().startsWith(sdk == "openai" ? "OpenAI/JS" : "Anthropic/JS"),
                 qPrintable("agent: " + rec.value("agent").toString()));
        QCOMPARE(rec.value("endpoint_id").toString(), servedBy.section('/', 0, 0));
        QCOMPARE(rec.value("served_model").toString(), servedBy.section('/', 1));
        QCOMPARE(rec.value("requested_model").toString(), model);
        const qint64 out = tools ? kToolTokens : kReplyTokens;
        QCOMPARE(rec.value("input_tokens").toInteger(), kPromptTokens);
        QCOMPARE(rec.value("output_tokens").toInteger(), out);
        QCOMPARE(rec.value("cost_micros").toInteger(), e2eCostMicros(servedBy, kPromptTokens, out));
        QCOMPARE(rec.value("tools_enabled").toInteger(), tools ? 1 : 0);
        QCOMPARE(rec.value("outcome").toString(), QStringLiteral("ok"));
    }

    // A denied request: the SDK raises its typed PermissionDeniedError carrying the gateway's
    // message (which rule denied), for plain and streamed calls, to either endpoint.
    void denied_data() {
        QTest::addColumn<QString>("sdk");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("model");
        for (const char* sdk : {"openai", "anthropic"})
            for (const char* c : {"denied", "deniedStream"})
                for (const char* m : {"gpt-4.1", "claude-sonnet-4-5"})
                    QTest::addRow("%s sdk: %s, %s", sdk, c, m) << sdk << c << m;
    }

    void denied() {
        QFETCH(QString, sdk);
        QFETCH(QString, name);
        QFETCH(QString, model);
        const QJsonObject res = runCase(sdk, name, model, "acme/frozen-app", "sdk-denied");
        QVERIFY2(!res.isEmpty(), "the script failed (see the warning above)");
        QVERIFY2(res.value("error").isObject(), "the denied request succeeded");
        const QJsonObject error = res.value("error").toObject();
        QVERIFY2(res.value("isPermissionDenied").toBool(),
                 qPrintable("not a PermissionDeniedError: " + error.value("class").toString()));
        QCOMPARE(error.value("status").toInt(), 403);
        const QString gatewayMessage =
            "denied by route 'frozen-repos': the frozen repositories take no AI changes; ask platform to unfreeze";
        QVERIFY2(error.value("message").toString().contains(gatewayMessage), qPrintable(error.value("message").toString()));
        if (sdk == "anthropic")
            QCOMPARE(res.value("apiMessage").toString(), gatewayMessage);
        QCOMPARE(error.value("type").toString(), QStringLiteral("permission_error"));
        QCOMPARE(error.value("headers").toObject().value("route").toString(), QStringLiteral("frozen-repos"));
        QCOMPARE(fx_.mock.requests().size(), 0);
    }

    // The SDKs' model lists (OpenAI format for the OpenAI SDK, Anthropic's paged format for the
    // Anthropic SDK): what this key may use for acme/web-app.
    void models_data() {
        QTest::addColumn<QString>("sdk");
        QTest::newRow("openai sdk") << "openai";
        QTest::newRow("anthropic sdk") << "anthropic";
    }

    void models() {
        QFETCH(QString, sdk);
        const QJsonObject res = runCase(sdk, "models", "", "acme/web-app", "");
        QVERIFY2(!res.isEmpty(), "the script failed (see the warning above)");
        QSet<QString> ids;
        for (const auto& v : res.value("ids").toArray())
            ids.insert(v.toString());
        const QSet<QString> expected{"gpt-4.1", "DeepSeek-V3", "claude-sonnet-4-5", "devstral-small", "llama-3.3-70b"};
        QStringList got(ids.begin(), ids.end());
        got.sort();
        QVERIFY2(ids == expected, qPrintable("listed: " + got.join(", ")));
    }

    void cleanupTestCase() {
        const int exit = fx_.gateway.stop();
        if (exit != 0)
            qWarning("gatehoused exited with %d; its log:\n%s", exit, fx_.gateway.process().stderrText().right(4000).constData());
        QCOMPARE(exit, 0);
        fx_.mock.process().terminate();
    }
};

} // namespace gh::test

QTEST_GUILESS_MAIN(gh::test::E2eSdk)
#include "tst_e2e_sdk.moc"
