// End-to-end: curl -> gatehoused -> mock upstream. Routing by sensitivity and task, the wire
// form of every endpoint kind (URL path, auth), fallbacks, denials, translation between the
// OpenAI and Anthropic formats (streaming and not, tool calls), the recorded rows and
// /v1/models. The mock counts tokens by a simple rule (3 per message plus one per word; a reply
// "mock reply to: <text>" of one token a word; a tool call's arguments at 4 bytes a token), so
// the expected tokens and costs are computed here, independently of the gateway.
#include "e2e_fixture.h"

#include <QRegularExpression>
#include <QSet>
#include <QTest>

namespace gh::test {

namespace {

const QString kPrompt = QStringLiteral("please route this request");
const QString kReply = QStringLiteral("mock reply to: please route this request");
constexpr qint64 kPromptTokens = 7; // 3 for the message + 4 words
constexpr qint64 kReplyTokens = 7;  // "mock reply to: please route this request"

QJsonObject openaiBody(const QString& model, bool stream = false) {
    QJsonObject b{{"model", model},
                  {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", kPrompt}}}}};
    if (stream)
        b["stream"] = true;
    return b;
}

QJsonObject anthropicBody(const QString& model, bool stream = false) {
    QJsonObject b{{"model", model},
                  {"max_tokens", 256},
                  {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", kPrompt}}}}};
    if (stream)
        b["stream"] = true;
    return b;
}

const QJsonObject kWeatherSchema{{"type", "object"},
                                 {"properties", QJsonObject{{"city", QJsonObject{{"type", "string"}}}}},
                                 {"required", QJsonArray{"city"}}};

QJsonArray openaiTools() {
    return {QJsonObject{{"type", "function"},
                        {"function", QJsonObject{{"name", "get_weather"},
                                                 {"description", "Current weather of a city"},
                                                 {"parameters", kWeatherSchema}}}}};
}

QJsonArray anthropicTools() {
    return {QJsonObject{{"name", "get_weather"}, {"description", "Current weather of a city"}, {"input_schema", kWeatherSchema}}};
}

// Text of an OpenAI stream: the concatenated delta contents; also whether it ended with [DONE].
struct OpenAIStream {
    QString text;
    QString finishReason;
    QString toolName;
    QString toolId;
    QString toolArguments;
    QJsonObject usage; // the last non-null usage seen
    bool done = false;
    bool dataAfterDone = false;
    int chunks = 0;
};

OpenAIStream readOpenAIStream(const QByteArray& body) {
    OpenAIStream s;
    for (const auto& e : parseSse(body)) {
        if (s.done)
            s.dataAfterDone = true;
        if (e.data == "[DONE]") {
            s.done = true;
            continue;
        }
        ++s.chunks;
        const QJsonObject chunk = e.json();
        if (chunk.value("usage").isObject())
            s.usage = chunk.value("usage").toObject();
        const QJsonArray choices = chunk.value("choices").toArray();
        if (choices.isEmpty())
            continue;
        const QJsonObject choice = choices.first().toObject();
        const QJsonObject delta = choice.value("delta").toObject();
        s.text += delta.value("content").toString();
        for (const auto& c : delta.value("tool_calls").toArray()) {
            const QJsonObject call = c.toObject();
            if (call.contains("id"))
                s.toolId = call.value("id").toString();
            const QJsonObject fn = call.value("function").toObject();
            if (fn.contains("name"))
                s.toolName = fn.value("name").toString();
            s.toolArguments += fn.value("arguments").toString();
        }
        if (choice.value("finish_reason").isString())
            s.finishReason = choice.value("finish_reason").toString();
    }
    return s;
}

struct AnthropicStream {
    QStringList types; // event names in order
    QString text;
    QString toolName;
    QString toolId;
    QString toolInputJson;
    QString stopReason;
    qint64 inputTokens = -1;
    qint64 outputTokens = -1;
    bool namesMatchTypes = true; // every "event:" equals the data's "type"
};

AnthropicStream readAnthropicStream(const QByteArray& body) {
    AnthropicStream s;
    for (const auto& e : parseSse(body)) {
        const QJsonObject o = e.json();
        const QString type = o.value("type").toString();
        if (e.event != type)
            s.namesMatchTypes = false;
        s.types << type;
        if (type == "message_start") {
            const QJsonObject usage = o.value("message").toObject().value("usage").toObject();
            if (usage.contains("input_tokens"))
                s.inputTokens = usage.value("input_tokens").toInteger();
        } else if (type == "content_block_start") {
            const QJsonObject block = o.value("content_block").toObject();
            if (block.value("type").toString() == "tool_use") {
                s.toolName = block.value("name").toString();
                s.toolId = block.value("id").toString();
            }
        } else if (type == "content_block_delta") {
            const QJsonObject delta = o.value("delta").toObject();
            if (delta.value("type").toString() == "text_delta")
                s.text += delta.value("text").toString();
            else if (delta.value("type").toString() == "input_json_delta")
                s.toolInputJson += delta.value("partial_json").toString();
        } else if (type == "message_delta") {
            s.stopReason = o.value("delta").toObject().value("stop_reason").toString();
            const QJsonObject usage = o.value("usage").toObject();
            if (usage.contains("output_tokens"))
                s.outputTokens = usage.value("output_tokens").toInteger();
            if (usage.contains("input_tokens"))
                s.inputTokens = usage.value("input_tokens").toInteger();
        }
    }
    return s;
}

QSet<QString> modelIds(const QJsonObject& list) {
    QSet<QString> ids;
    for (const auto& m : list.value("data").toArray())
        ids.insert(m.toObject().value("id").toString());
    return ids;
}

QString describe(const QSet<QString>& s) {
    QStringList l(s.begin(), s.end());
    l.sort();
    return l.join(", ");
}

} // namespace

class E2eRouting : public QObject {
    Q_OBJECT

    E2eFixture fx_;

    QString gw() const { return fx_.gateway.url(); }

    HttpResult openai(const QJsonObject& body, const QStringList& headers, const QString& key) {
        return postJson(gw() + "/v1/chat/completions", body, QStringList{"Authorization: Bearer " + key} + headers);
    }
    HttpResult anthropic(const QJsonObject& body, const QStringList& headers, const QString& key) {
        return postJson(gw() + "/v1/messages", body,
                        QStringList{"x-api-key: " + key, "anthropic-version: 2023-06-01"} + headers);
    }
    HttpResult call(bool anthropicCaller, const QJsonObject& body, const QStringList& headers) {
        return anthropicCaller ? anthropic(body, headers, fx_.webKey) : openai(body, headers, fx_.webKey);
    }
    QJsonObject row(const HttpResult& r) {
        return recordedRequest(fx_.gateway.requestsDb(), r.header("x-gatehouse-request-id"));
    }

    // No gateway key (the caller's credential) in anything the provider received.
    void verifyNoCallerKeyUpstream() {
        const QByteArray journal = fx_.rawJournal();
        QVERIFY(!journal.isEmpty());
        for (const QString& key : fx_.keys()) {
            QVERIFY2(!journal.contains(key.toUtf8()), "a gateway key reached the provider");
            QVERIFY2(!journal.contains(key.mid(4).toUtf8()), "a gateway key (without its prefix) reached the provider");
        }
    }

    static void verifyGatehouseHeaders(const HttpResult& r, const QString& rule) {
        static const QRegularExpression requestId(QStringLiteral("^req_[0-9a-f]{24}$"));
        QVERIFY2(requestId.match(r.header("x-gatehouse-request-id")).hasMatch(),
                 qPrintable("x-gatehouse-request-id: " + r.header("x-gatehouse-request-id")));
        QCOMPARE(r.header("x-gatehouse-route"), rule);
        bool ok = false;
        const double overhead = r.header("x-gatehouse-overhead-ms").toDouble(&ok);
        QVERIFY2(ok && overhead >= 0 && overhead < 5000,
                 qPrintable("x-gatehouse-overhead-ms: " + r.header("x-gatehouse-overhead-ms")));
    }

    static void verifyOpenAIError(const HttpResult& r, int status, const QString& mustContain) {
        QCOMPARE(r.status, status);
        QVERIFY2(r.header("content-type").startsWith("application/json"), qPrintable(r.header("content-type")));
        const QJsonObject body = r.json();
        QVERIFY2(body.value("error").isObject(), r.body.constData());
        QVERIFY2(!body.contains("type"), "an Anthropic-style error went to an OpenAI caller");
        const QJsonObject error = body.value("error").toObject();
        QVERIFY(error.value("type").isString());
        QVERIFY2(error.value("message").toString().contains(mustContain),
                 qPrintable("message '" + error.value("message").toString() + "' lacks '" + mustContain + "'"));
    }

    static void verifyAnthropicError(const HttpResult& r, int status, const QString& mustContain) {
        QCOMPARE(r.status, status);
        QVERIFY2(r.header("content-type").startsWith("application/json"), qPrintable(r.header("content-type")));
        const QJsonObject body = r.json();
        QCOMPARE(body.value("type").toString(), QStringLiteral("error"));
        const QJsonObject error = body.value("error").toObject();
        QVERIFY(!error.value("type").toString().isEmpty());
        QVERIFY2(error.value("message").toString().contains(mustContain),
                 qPrintable("message '" + error.value("message").toString() + "' lacks '" + mustContain + "'"));
    }

private slots:
    void initTestCase() { QVERIFY(fx_.start()); }
    void init() { fx_.mock.clearRequests(); }
    void cleanup() { fx_.verifyGatewaySurvived(); }

    // Each endpoint kind, reached by the rule the repository's sensitivity or the task selects:
    // the provider got the right path, the provider's credential in the right header and
    // nothing of the caller's; the caller got the reply and the x-gatehouse-* headers; the row
    // says who, what, where, and what it cost.
    void routes_data() {
        QTest::addColumn<QStringList>("headers");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("servedBy");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("endpointClass");
        QTest::addColumn<QString>("sensitivity");
        QTest::addColumn<QString>("task");
        QTest::addColumn<QString>("upstreamTarget");
        QTest::addColumn<QString>("upstreamModel");
        QTest::addColumn<QString>("authHeader");
        QTest::addColumn<QString>("authValue");

        const QString bearer = QStringLiteral("Bearer ");
        QTest::newRow("openai: internal repository, default rule")
            << QStringList{"X-Gatehouse-Repo: acme/web-app"} << "gpt-4.1" << "general" << "openai/gpt-4.1" << "openai"
            << "hosted" << "internal" << "" << "/v1/chat/completions" << "gpt-4.1" << "authorization"
            << bearer + e2eSecret("openai-key");
        QTest::newRow("azure-openai: confidential repository")
            << QStringList{"X-Gatehouse-Repo: acme/secret-plans"} << "gpt-4.1" << "confidential-azure"
            << "azure-eu/gpt-4.1" << "azure-openai" << "enterprise" << "confidential" << ""
            << "/openai/deployments/gpt41-prod/chat/completions?api-version=2024-10-21" << "" << "api-key"
            << e2eSecret("azure-key");
        QTest::newRow("foundry: task header review")
            << QStringList{"X-Gatehouse-Repo: acme/web-app", "X-Gatehouse-Task: review"} << "gpt-4.1"
            << "review-foundry" << "foundry-eu/DeepSeek-V3" << "foundry" << "enterprise" << "internal" << "review"
            << "/models/chat/completions?api-version=2024-05-01-preview" << "DeepSeek-V3" << "api-key"
            << e2eSecret("foundry-key");
        QTest::newRow("anthropic: claude model, public repository")
            << QStringList{"X-Gatehouse-Repo: acme-oss/site"} << "claude-sonnet-4-5" << "claude"
            << "anthropic/claude-sonnet-4-5" << "anthropic" << "hosted" << "public" << "" << "/v1/messages"
            << "claude-sonnet-4-5" << "x-api-key" << e2eSecret("anthropic-key");
        QTest::newRow("ollama: restricted repository stays local")
            << QStringList{"X-Gatehouse-Repo: acme/payments-api"} << "gpt-4.1" << "restricted-local"
            << "gpu-box/qwen2.5-coder:7b" << "ollama" << "local" << "restricted" << "" << "/v1/chat/completions"
            << "qwen2.5-coder:7b" << "" << "";
        QTest::newRow("lmstudio: model alias task:incident")
            << QStringList{"X-Gatehouse-Repo: acme/web-app"} << "task:incident" << "incidents-local"
            << "workstation/devstral-small" << "lmstudio" << "local" << "internal" << "incident"
            << "/v1/chat/completions" << "devstral-small" << "" << "";
        QTest::newRow("lmstudio: incident task beats the restricted rule")
            << QStringList{"X-Gatehouse-Repo: acme/payments-api", "X-Gatehouse-Task: incident"} << "gpt-4.1"
            << "incidents-local" << "workstation/devstral-small" << "lmstudio" << "local" << "restricted" << "incident"
            << "/v1/chat/completions" << "devstral-small" << "" << "";
        QTest::newRow("openai-compatible: task header docs")
            << QStringList{"X-Gatehouse-Repo: acme/web-app", "X-Gatehouse-Task: docs"} << "gpt-4.1" << "docs-compat"
            << "compat/llama-3.3-70b" << "openai-compatible" << "hosted" << "internal" << "docs"
            << "/v1/chat/completions" << "llama-3.3-70b" << "authorization" << bearer + e2eSecret("compat-key");
        QTest::newRow("openai-compatible: model alias task:docs")
            << QStringList{"X-Gatehouse-Repo: acme/web-app"} << "task:docs" << "docs-compat" << "compat/llama-3.3-70b"
            << "openai-compatible" << "hosted" << "internal" << "docs" << "/v1/chat/completions" << "llama-3.3-70b"
            << "authorization" << bearer + e2eSecret("compat-key");
    }

    void routes() {
        QFETCH(QStringList, headers);
        QFETCH(QString, model);
        QFETCH(QString, rule);
        QFETCH(QString, servedBy);
        QFETCH(QString, provider);
        QFETCH(QString, endpointClass);
        QFETCH(QString, sensitivity);
        QFETCH(QString, task);
        QFETCH(QString, upstreamTarget);
        QFETCH(QString, upstreamModel);
        QFETCH(QString, authHeader);
        QFETCH(QString, authValue);

        const QString session = "routes/" + QString::fromLatin1(QTest::currentDataTag());
        const auto r = openai(openaiBody(model),
                              headers + QStringList{"X-Gatehouse-Session: " + session, "X-Gatehouse-Branch: feature/e2e",
                                                    "X-Gatehouse-Agent: e2e-agent/1.0"},
                              fx_.webKey);
        QCOMPARE(r.status, 200);
        verifyGatehouseHeaders(r, rule);
        QCOMPARE(r.header("x-gatehouse-served-by"), servedBy);
        const QJsonObject body = r.json();
        QCOMPARE(body.value("object").toString(), QStringLiteral("chat.completion"));
        const QJsonObject message = body.value("choices").toArray().first().toObject().value("message").toObject();
        QCOMPARE(message.value("content").toString(), kReply);
        QCOMPARE(body.value("usage").toObject().value("prompt_tokens").toInteger(), kPromptTokens);
        QCOMPARE(body.value("usage").toObject().value("completion_tokens").toInteger(), kReplyTokens);

        // What the provider received.
        const QJsonArray got = fx_.mock.requests();
        QCOMPARE(got.size(), 1);
        const QJsonObject up = got.first().toObject();
        QCOMPARE(up.value("method").toString(), QStringLiteral("POST"));
        QCOMPARE(up.value("target").toString(), upstreamTarget);
        const QJsonObject upHeaders = up.value("headers").toObject();
        for (const char* name : {"authorization", "api-key", "x-api-key"}) {
            if (authHeader == QLatin1String(name))
                QCOMPARE(upHeaders.value(name).toString(), authValue);
            else
                QVERIFY2(!upHeaders.contains(name), qPrintable(QStringLiteral("unexpected header %1: %2")
                                                                   .arg(name, upHeaders.value(name).toString())));
        }
        if (provider == "anthropic") {
            static const QRegularExpression date(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
            QVERIFY2(date.match(upHeaders.value("anthropic-version").toString()).hasMatch(),
                     qPrintable(upHeaders.value("anthropic-version").toString()));
        }
        for (const QString& h : {QStringLiteral("x-gatehouse-repo"), QStringLiteral("x-gatehouse-session"),
                                 QStringLiteral("x-gatehouse-task"), QStringLiteral("x-gatehouse-agent")})
            QVERIFY2(!upHeaders.contains(h), qPrintable("caller header forwarded: " + h));
        if (!upstreamModel.isEmpty())
            QCOMPARE(up.value("body").toObject().value("model").toString(), upstreamModel);
        verifyNoCallerKeyUpstream();
        if (QTest::currentTestFailed())
            return;

        // What was recorded.
        const QJsonObject rec = row(r);
        QVERIFY2(!rec.isEmpty(), "no row for the request id");
        QCOMPARE(rec.value("identity").toString(), QStringLiteral("alice"));
        QCOMPARE(rec.value("team").toString(), QStringLiteral("web"));
        QVERIFY(rec.value("key_id").toString().startsWith("key_"));
        QCOMPARE(rec.value("session_id").toString(), session);
        QCOMPARE(rec.value("branch").toString(), QStringLiteral("feature/e2e"));
        QCOMPARE(rec.value("agent").toString(), QStringLiteral("e2e-agent/1.0"));
        QCOMPARE(rec.value("repository").toString(), headers.first().section(": ", 1));
        QCOMPARE(rec.value("sensitivity").toString(), sensitivity);
        QCOMPARE(rec.value("task").toString(), task);
        QCOMPARE(rec.value("requested_model").toString(), model);
        QCOMPARE(rec.value("served_model").toString(), servedBy.section('/', 1));
        QCOMPARE(rec.value("endpoint_id").toString(), servedBy.section('/', 0, 0));
        QCOMPARE(rec.value("provider").toString(), provider);
        QCOMPARE(rec.value("endpoint_class").toString(), endpointClass);
        QCOMPARE(rec.value("rule_id").toString(), rule);
        QCOMPARE(rec.value("decision").toString(), QStringLiteral("routed"));
        QCOMPARE(rec.value("outcome").toString(), QStringLiteral("ok"));
        QCOMPARE(rec.value("http_status").toInteger(), 200);
        QCOMPARE(rec.value("fallback").toInteger(), 0);
        QCOMPARE(rec.value("input_tokens").toInteger(), kPromptTokens);
        QCOMPARE(rec.value("output_tokens").toInteger(), kReplyTokens);
        QCOMPARE(rec.value("cached_input_tokens").toInteger(), 0);
        QCOMPARE(rec.value("cost_micros").toInteger(), e2eCostMicros(servedBy, kPromptTokens, kReplyTokens));
        QCOMPARE(rec.value("tools_enabled").toInteger(), 0);
        QVERIFY(rec.value("bytes_sent").toInteger() > 0);
        QVERIFY(rec.value("latency_ms").toInteger() >= 0);
    }

    // Every endpoint kind, from both caller formats, streaming and not: the reply arrives in the
    // caller's format (translated where the kinds differ), and the row has the provider's usage
    // and its cost.
    void everyKindBothFormats_data() {
        QTest::addColumn<QStringList>("headers");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("servedBy");
        QTest::addColumn<bool>("anthropicCaller");
        QTest::addColumn<bool>("stream");
        struct Kind {
            const char* name;
            QStringList headers;
            const char* model;
            const char* servedBy;
        };
        const Kind kinds[] = {
            {"openai", {"X-Gatehouse-Repo: acme/web-app"}, "gpt-4.1", "openai/gpt-4.1"},
            {"azure-openai", {"X-Gatehouse-Repo: acme/secret-plans"}, "gpt-4.1", "azure-eu/gpt-4.1"},
            {"foundry", {"X-Gatehouse-Repo: acme/web-app", "X-Gatehouse-Task: review"}, "gpt-4.1", "foundry-eu/DeepSeek-V3"},
            {"anthropic", {"X-Gatehouse-Repo: acme/web-app"}, "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5"},
            {"ollama", {"X-Gatehouse-Repo: acme/payments-api"}, "gpt-4.1", "gpu-box/qwen2.5-coder:7b"},
            {"lmstudio", {"X-Gatehouse-Repo: acme/web-app"}, "task:incident", "workstation/devstral-small"},
            {"openai-compatible", {"X-Gatehouse-Repo: acme/web-app"}, "task:docs", "compat/llama-3.3-70b"},
        };
        for (const Kind& k : kinds)
            for (bool a : {false, true})
                for (bool st : {false, true})
                    QTest::addRow("%s, %s caller%s", k.name, a ? "anthropic" : "openai", st ? ", stream" : "")
                        << k.headers << k.model << k.servedBy << a << st;
    }

    void everyKindBothFormats() {
        QFETCH(QStringList, headers);
        QFETCH(QString, model);
        QFETCH(QString, servedBy);
        QFETCH(bool, anthropicCaller);
        QFETCH(bool, stream);
        QJsonObject body = anthropicCaller ? anthropicBody(model, stream) : openaiBody(model, stream);
        if (stream && !anthropicCaller)
            body["stream_options"] = QJsonObject{{"include_usage", true}};
        const auto r = call(anthropicCaller, body, headers);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("x-gatehouse-served-by"), servedBy);
        QVERIFY2(r.header("content-type").startsWith(stream ? "text/event-stream" : "application/json"),
                 qPrintable(r.header("content-type")));
        qint64 in = -1, out = -1;
        if (anthropicCaller && stream) {
            const auto s = readAnthropicStream(r.body);
            QVERIFY2(s.namesMatchTypes, "an event: name differs from its data's type");
            QCOMPARE(s.types.first(), QStringLiteral("message_start"));
            QCOMPARE(s.types.last(), QStringLiteral("message_stop"));
            QCOMPARE(s.text, kReply);
            QCOMPARE(s.stopReason, QStringLiteral("end_turn"));
            in = s.inputTokens;
            out = s.outputTokens;
        } else if (anthropicCaller) {
            const QJsonObject m = r.json();
            QCOMPARE(m.value("type").toString(), QStringLiteral("message"));
            QCOMPARE(m.value("content").toArray().first().toObject().value("text").toString(), kReply);
            QCOMPARE(m.value("stop_reason").toString(), QStringLiteral("end_turn"));
            in = m.value("usage").toObject().value("input_tokens").toInteger();
            out = m.value("usage").toObject().value("output_tokens").toInteger();
        } else if (stream) {
            const auto s = readOpenAIStream(r.body);
            QVERIFY(s.done);
            QVERIFY(!s.dataAfterDone);
            QCOMPARE(s.text, kReply);
            QCOMPARE(s.finishReason, QStringLiteral("stop"));
            in = s.usage.value("prompt_tokens").toInteger(-1);
            out = s.usage.value("completion_tokens").toInteger(-1);
        } else {
            const QJsonObject c = r.json();
            QCOMPARE(c.value("object").toString(), QStringLiteral("chat.completion"));
            const QJsonObject choice = c.value("choices").toArray().first().toObject();
            QCOMPARE(choice.value("message").toObject().value("content").toString(), kReply);
            QCOMPARE(choice.value("finish_reason").toString(), QStringLiteral("stop"));
            in = c.value("usage").toObject().value("prompt_tokens").toInteger();
            out = c.value("usage").toObject().value("completion_tokens").toInteger();
        }
        QCOMPARE(in, kPromptTokens);
        QCOMPARE(out, kReplyTokens);
        const QJsonArray got = fx_.mock.requests();
        QCOMPARE(got.size(), 1);
        QCOMPARE(got.first().toObject().value("stream").toBool(), stream);
        const QJsonObject rec = row(r);
        QVERIFY(!rec.isEmpty());
        QCOMPARE(rec.value("input_tokens").toInteger(), kPromptTokens);
        QCOMPARE(rec.value("output_tokens").toInteger(), kReplyTokens);
        QCOMPARE(rec.value("cost_micros").toInteger(), e2eCostMicros(servedBy, kPromptTokens, kReplyTokens));
        QCOMPARE(rec.value("outcome").toString(), QStringLiteral("ok"));
        QCOMPARE(rec.value("http_status").toInteger(), 200);
        if (stream)
            QVERIFY(!rec.value("first_token_ms").isNull());
    }

    // Spot checks of the cost arithmetic: the expected figures, written out.
    void costFigures() {
        QCOMPARE(e2eCostMicros("openai/gpt-4.1", 7, 7), 70);         // 7 x $2 + 7 x $8 per M = 70 µ$
        QCOMPARE(e2eCostMicros("azure-eu/gpt-4.1", 7, 7), 78);       // 77.77777 µ$, rounded up
        QCOMPARE(e2eCostMicros("foundry-eu/DeepSeek-V3", 7, 7), 40); // 39.9 µ$
        QCOMPARE(e2eCostMicros("compat/llama-3.3-70b", 7, 7), 10);   // 9.66 µ$
        QCOMPARE(e2eCostMicros("gpu-box/qwen2.5-coder:7b", 7, 7), 0);
    }

    // The model alias and the task header must agree.
    void taskAliasConflict() {
        const auto r = openai(openaiBody("task:docs"), {"X-Gatehouse-Repo: acme/web-app", "X-Gatehouse-Task: review"},
                              fx_.webKey);
        verifyOpenAIError(r, 400, "task");
        QCOMPARE(fx_.mock.requests().size(), 0);
    }

    // A task the policy does not know is refused before anything is forwarded.
    void unknownTask() {
        const auto r = openai(openaiBody("gpt-4.1"), {"X-Gatehouse-Repo: acme/web-app", "X-Gatehouse-Task: dosc"},
                              fx_.webKey);
        verifyOpenAIError(r, 403, "dosc");
        QCOMPARE(fx_.mock.requests().size(), 0);
    }

    // The first target fails (500, 429, connection reset, connection refused); the second
    // serves, and the row says fallback 1. Before the first byte reaches the caller, streams
    // fall back too.
    void fallbacks_data() {
        QTest::addColumn<bool>("anthropicCaller");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("firstModel");
        QTest::addColumn<int>("firstStatus"); // 0: no response (reset); -1: never reached the mock
        QTest::addColumn<QString>("servedBy");
        QTest::addColumn<QString>("secondTarget");

        const QString openaiPath = "/v1/chat/completions";
        const QString azurePath = "/openai/deployments/gpt41-prod/chat/completions?api-version=2024-10-21";
        for (bool stream : {false, true}) {
            const char* s = stream ? " (stream)" : "";
            QTest::addRow("fail-500 -> openai%s", s) << false << stream << "fb-500" << "fallback-500" << "gpt-fail-500"
                                                      << 500 << "openai/gpt-4.1" << openaiPath;
            QTest::addRow("fail-429 -> anthropic%s", s) << false << stream << "fb-429" << "fallback-429"
                                                         << "gpt-fail-429" << 429 << "anthropic/claude-sonnet-4-5"
                                                         << "/v1/messages";
            QTest::addRow("reset -> azure%s", s) << false << stream << "fb-reset" << "fallback-reset" << "gpt-reset" << 0
                                                  << "azure-eu/gpt-4.1" << azurePath;
            QTest::addRow("connection refused -> openai%s", s) << false << stream << "fb-offline"
                                                                << "fallback-unreachable" << "" << -1 << "openai/gpt-4.1"
                                                                << openaiPath;
            QTest::addRow("anthropic caller: fail-429 -> anthropic%s", s)
                << true << stream << "fb-429" << "fallback-429" << "gpt-fail-429" << 429 << "anthropic/claude-sonnet-4-5"
                << "/v1/messages";
            QTest::addRow("anthropic caller: fail-500 -> openai%s", s) << true << stream << "fb-500" << "fallback-500"
                                                                        << "gpt-fail-500" << 500 << "openai/gpt-4.1"
                                                                        << openaiPath;
        }
    }

    void fallbacks() {
        QFETCH(bool, anthropicCaller);
        QFETCH(bool, stream);
        QFETCH(QString, model);
        QFETCH(QString, rule);
        QFETCH(QString, firstModel);
        QFETCH(int, firstStatus);
        QFETCH(QString, servedBy);
        QFETCH(QString, secondTarget);

        const QStringList headers{"X-Gatehouse-Repo: acme/web-app"};
        const auto r = call(anthropicCaller, anthropicCaller ? anthropicBody(model, stream) : openaiBody(model, stream),
                            headers);
        QCOMPARE(r.status, 200);
        verifyGatehouseHeaders(r, rule);
        QCOMPARE(r.header("x-gatehouse-served-by"), servedBy);
        if (stream) {
            QVERIFY2(r.header("content-type").startsWith("text/event-stream"), qPrintable(r.header("content-type")));
            if (anthropicCaller) {
                const auto s = readAnthropicStream(r.body);
                QCOMPARE(s.text, kReply);
                QCOMPARE(s.types.last(), QStringLiteral("message_stop"));
            } else {
                const auto s = readOpenAIStream(r.body);
                QCOMPARE(s.text, kReply);
                QVERIFY(s.done);
            }
        } else if (anthropicCaller) {
            QCOMPARE(r.json().value("content").toArray().first().toObject().value("text").toString(), kReply);
        } else {
            QCOMPARE(r.json()
                         .value("choices")
                         .toArray()
                         .first()
                         .toObject()
                         .value("message")
                         .toObject()
                         .value("content")
                         .toString(),
                     kReply);
        }

        // The failing target was tried (twice at most: a reset on a reused keep-alive connection
        // is retried once on a fresh one), then the second.
        const QJsonArray got = fx_.mock.requests();
        if (firstStatus < 0) {
            QCOMPARE(got.size(), 1);
        } else {
            QVERIFY2(got.size() == 2 || (firstStatus == 0 && got.size() == 3), qPrintable(QString::number(got.size())));
            for (qsizetype i = 0; i + 1 < got.size(); ++i) {
                QCOMPARE(got[i].toObject().value("body").toObject().value("model").toString(), firstModel);
                QCOMPARE(int(got[i].toObject().value("status").toInteger()), firstStatus);
            }
        }
        const QJsonObject second = got.last().toObject();
        QCOMPARE(second.value("target").toString(), secondTarget);
        QCOMPARE(int(second.value("status").toInteger()), 200);
        verifyNoCallerKeyUpstream();
        if (QTest::currentTestFailed())
            return;

        const QJsonObject rec = row(r);
        QVERIFY(!rec.isEmpty());
        QCOMPARE(rec.value("fallback").toInteger(), 1);
        QCOMPARE(rec.value("rule_id").toString(), rule);
        QCOMPARE(rec.value("endpoint_id").toString(), servedBy.section('/', 0, 0));
        QCOMPARE(rec.value("served_model").toString(), servedBy.section('/', 1));
        QCOMPARE(rec.value("outcome").toString(), QStringLiteral("ok"));
        QCOMPARE(rec.value("decision").toString(), QStringLiteral("routed"));
        QCOMPARE(rec.value("input_tokens").toInteger(), kPromptTokens);
        QCOMPARE(rec.value("output_tokens").toInteger(), kReplyTokens);
        QCOMPARE(rec.value("cost_micros").toInteger(), e2eCostMicros(servedBy, kPromptTokens, kReplyTokens));
    }

    // Every target fails: the caller gets an error in its own format (JSON, not a stream, since
    // nothing was sent yet), and the row records the failure.
    void allTargetsFail_data() {
        QTest::addColumn<bool>("anthropicCaller");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("rule");
        QTest::addColumn<int>("minUpstream"); // requests the mock receives
        QTest::addColumn<int>("maxUpstream");
        for (bool a : {false, true})
            for (bool s : {false, true}) {
                const char* who = a ? "anthropic caller" : "openai caller";
                const char* how = s ? ", stream" : "";
                QTest::addRow("%s: 500 then 503%s", who, how) << a << s << "fb-all" << "all-fail" << 2 << 2;
                // Refused, then reset (the reset may be retried once on a fresh connection).
                QTest::addRow("%s: refused then reset%s", who, how) << a << s << "fb-dead" << "all-unreachable" << 1 << 2;
            }
    }

    void allTargetsFail() {
        QFETCH(bool, anthropicCaller);
        QFETCH(bool, stream);
        QFETCH(QString, model);
        QFETCH(QString, rule);
        QFETCH(int, minUpstream);
        QFETCH(int, maxUpstream);
        const auto r = call(anthropicCaller, anthropicCaller ? anthropicBody(model, stream) : openaiBody(model, stream),
                            {"X-Gatehouse-Repo: acme/web-app"});
        QVERIFY2(r.status >= 500 && r.status < 600, qPrintable(QString::number(r.status) + " " + r.body));
        if (anthropicCaller)
            verifyAnthropicError(r, r.status, "");
        else
            verifyOpenAIError(r, r.status, "");
        QCOMPARE(r.header("x-gatehouse-route"), rule);
        QVERIFY(r.header("x-gatehouse-served-by").isEmpty());
        const qsizetype upstream = fx_.mock.requests().size();
        QVERIFY2(upstream >= minUpstream && upstream <= maxUpstream, qPrintable(QString::number(upstream)));
        verifyNoCallerKeyUpstream();
        const QJsonObject rec = row(r);
        QVERIFY(!rec.isEmpty());
        QCOMPARE(rec.value("rule_id").toString(), rule);
        QCOMPARE(rec.value("outcome").toString(), QStringLiteral("upstream_error"));
        QCOMPARE(rec.value("decision").toString(), QStringLiteral("error"));
        QCOMPARE(int(rec.value("http_status").toInteger()), r.status);
        QCOMPARE(rec.value("cost_micros").toInteger(), 0);
    }

    // Denials come back as 403 in the caller's format, naming the rule (or the repository or the
    // key's scope), and nothing reaches a provider.
    void denials_data() {
        QTest::addColumn<bool>("anthropicCaller");
        QTest::addColumn<int>("key"); // 0 web, 2 scoped
        QTest::addColumn<QString>("repo");
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("rule");         // "" when no rule decided
        QTest::addColumn<QStringList>("mentions"); // the message must contain each
        QTest::addColumn<QString>("sensitivity");

        for (bool a : {false, true}) {
            const char* f = a ? "anthropic" : "openai";
            QTest::addRow("%s: unknown repository", f) << a << 0 << "other/thing" << "gpt-4.1" << ""
                                                       << QStringList{"other/thing"} << "";
            QTest::addRow("%s: no repository", f) << a << 0 << "" << "gpt-4.1" << "" << QStringList{"X-Gatehouse-Repo"}
                                                  << "";
            QTest::addRow("%s: deny rule on the repository", f)
                << a << 0 << "acme/frozen-app" << "gpt-4.1" << "frozen-repos"
                << QStringList{"frozen-repos", "the frozen repositories take no AI changes"} << "internal";
            QTest::addRow("%s: deny rule on the model", f) << a << 0 << "acme/web-app" << "legacy-3" << "no-legacy"
                                                           << QStringList{"no-legacy", "legacy models are retired"}
                                                           << "internal";
            QTest::addRow("%s: key scoped to other repositories", f)
                << a << 2 << "acme/web-app" << "gpt-4.1" << "" << QStringList{"acme/payments-*", "acme/web-app"} << "";
        }
    }

    void denials() {
        QFETCH(bool, anthropicCaller);
        QFETCH(int, key);
        QFETCH(QString, repo);
        QFETCH(QString, model);
        QFETCH(QString, rule);
        QFETCH(QStringList, mentions);
        QFETCH(QString, sensitivity);

        const QString secret = key == 2 ? fx_.scopedKey : fx_.webKey;
        const QStringList headers = repo.isEmpty() ? QStringList{} : QStringList{"X-Gatehouse-Repo: " + repo};
        const auto r = anthropicCaller ? anthropic(anthropicBody(model), headers, secret)
                                       : openai(openaiBody(model), headers, secret);
        for (const QString& m : mentions) {
            if (anthropicCaller)
                verifyAnthropicError(r, 403, m);
            else
                verifyOpenAIError(r, 403, m);
        }
        if (anthropicCaller)
            QCOMPARE(r.json().value("error").toObject().value("type").toString(), QStringLiteral("permission_error"));
        QCOMPARE(r.header("x-gatehouse-route"), rule);
        QVERIFY(!r.header("x-gatehouse-request-id").isEmpty());
        QCOMPARE(fx_.mock.requests().size(), 0);

        const QJsonObject rec = row(r);
        QVERIFY2(!rec.isEmpty(), "a denied request must be recorded too");
        QCOMPARE(rec.value("decision").toString(), QStringLiteral("denied"));
        QCOMPARE(rec.value("outcome").toString(), QStringLiteral("denied"));
        QCOMPARE(rec.value("http_status").toInteger(), 403);
        QCOMPARE(rec.value("rule_id").toString(), rule);
        QCOMPARE(rec.value("repository").toString(), repo);
        QCOMPARE(rec.value("identity").toString(), key == 2 ? QStringLiteral("pat") : QStringLiteral("alice"));
        QCOMPARE(rec.value("cost_micros").toInteger(), 0);
        if (sensitivity.isEmpty())
            QVERIFY2(rec.value("sensitivity").toString().isEmpty(), qPrintable(rec.value("sensitivity").toString()));
        else
            QCOMPARE(rec.value("sensitivity").toString(), sensitivity);
    }

    // No key, or a wrong one: 401 in the caller's format, nothing forwarded.
    void unauthenticated() {
        auto r = postJson(gw() + "/v1/chat/completions", openaiBody("gpt-4.1"), {"X-Gatehouse-Repo: acme/web-app"});
        verifyOpenAIError(r, 401, "gateway key");
        r = postJson(gw() + "/v1/messages", anthropicBody("gpt-4.1"),
                     {"x-api-key: ghk_not-a-real-key", "anthropic-version: 2023-06-01", "X-Gatehouse-Repo: acme/web-app"});
        verifyAnthropicError(r, 401, "gateway key");
        // A provider secret is not a gateway key.
        r = openai(openaiBody("gpt-4.1"), {"X-Gatehouse-Repo: acme/web-app"}, e2eSecret("openai-key"));
        verifyOpenAIError(r, 401, "gateway key");
        QCOMPARE(fx_.mock.requests().size(), 0);
    }

    // An Anthropic caller (Claude Code) sent to an OpenAI-kind endpoint and an OpenAI caller
    // (Copilot) sent to Anthropic, streaming and not, with and without tools.
    void translation_data() {
        QTest::addColumn<bool>("anthropicCaller");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<bool>("tools");
        for (bool a : {false, true})
            for (bool s : {false, true})
                for (bool t : {false, true})
                    QTest::addRow("%s -> %s%s%s", a ? "anthropic caller" : "openai caller",
                                  a ? "openai endpoint" : "anthropic endpoint", s ? ", stream" : "", t ? ", tools" : "")
                        << a << s << t;
    }

    void translation() {
        QFETCH(bool, anthropicCaller);
        QFETCH(bool, stream);
        QFETCH(bool, tools);

        const QString system = QStringLiteral("You are terse.");
        const QString question = QStringLiteral("what is the weather in Paris");
        // 3 + 3 words (system) + 3 + 6 words (user), in either format.
        const qint64 promptTokens = 15;
        const QString expectedText = "mock reply to: " + question;
        // "mock reply to: " + 6 words; a tool call's arguments {"city":"mock"} at 4 bytes a token.
        const qint64 replyTokens = tools ? qint64(QByteArray(R"({"city":"mock"})").size() / 4) : 9;

        QJsonObject body;
        if (anthropicCaller) {
            body = QJsonObject{{"model", "gpt-4.1"},
                               {"max_tokens", 300},
                               {"system", system},
                               {"messages", QJsonArray{QJsonObject{{"role", "user"}, {"content", question}}}}};
            if (tools)
                body["tools"] = anthropicTools();
        } else {
            body = QJsonObject{{"model", "claude-sonnet-4-5"},
                               {"max_tokens", 300},
                               {"messages", QJsonArray{QJsonObject{{"role", "system"}, {"content", system}},
                                                       QJsonObject{{"role", "user"}, {"content", question}}}}};
            if (tools)
                body["tools"] = openaiTools();
            if (stream)
                body["stream_options"] = QJsonObject{{"include_usage", true}};
        }
        if (stream)
            body["stream"] = true;
        const auto r = call(anthropicCaller, body, {"X-Gatehouse-Repo: acme/web-app"});
        QCOMPARE(r.status, 200);
        const QString servedBy = anthropicCaller ? "openai/gpt-4.1" : "anthropic/claude-sonnet-4-5";
        QCOMPARE(r.header("x-gatehouse-served-by"), servedBy);
        verifyGatehouseHeaders(r, anthropicCaller ? "general" : "claude");

        // The provider got its own format.
        const QJsonArray got = fx_.mock.requests();
        QCOMPARE(got.size(), 1);
        const QJsonObject up = got.first().toObject();
        const QJsonObject upBody = up.value("body").toObject();
        if (anthropicCaller) {
            QCOMPARE(up.value("target").toString(), QStringLiteral("/v1/chat/completions"));
            const QJsonArray messages = upBody.value("messages").toArray();
            QCOMPARE(messages.size(), 2);
            QCOMPARE(messages[0].toObject().value("role").toString(), QStringLiteral("system"));
            QVERIFY(QJsonDocument(messages[0].toObject()).toJson().contains(system.toUtf8()));
            QCOMPARE(messages[1].toObject().value("role").toString(), QStringLiteral("user"));
            QVERIFY(upBody.value("max_completion_tokens").toInt() == 300 || upBody.value("max_tokens").toInt() == 300);
            if (tools) {
                const QJsonObject fn = upBody.value("tools").toArray().first().toObject().value("function").toObject();
                QCOMPARE(fn.value("name").toString(), QStringLiteral("get_weather"));
                QCOMPARE(fn.value("parameters").toObject(), kWeatherSchema);
            }
            if (stream)
                QVERIFY2(upBody.value("stream_options").toObject().value("include_usage").toBool(),
                         "the gateway must ask OpenAI-kind upstreams for usage in streams");
        } else {
            QCOMPARE(up.value("target").toString(), QStringLiteral("/v1/messages"));
            QVERIFY(QJsonDocument(QJsonObject{{"s", upBody.value("system")}}).toJson().contains(system.toUtf8()));
            const QJsonArray messages = upBody.value("messages").toArray();
            QCOMPARE(messages.size(), 1);
            QCOMPARE(messages[0].toObject().value("role").toString(), QStringLiteral("user"));
            QCOMPARE(upBody.value("max_tokens").toInt(), 300);
            QVERIFY(!upBody.contains("stream_options"));
            if (tools) {
                const QJsonObject tool = upBody.value("tools").toArray().first().toObject();
                QCOMPARE(tool.value("name").toString(), QStringLiteral("get_weather"));
                QCOMPARE(tool.value("input_schema").toObject(), kWeatherSchema);
            }
        }
        QCOMPARE(up.value("stream").toBool(), stream);
        verifyNoCallerKeyUpstream();
        if (QTest::currentTestFailed())
            return;

        // The caller got its own format.
        qint64 reportedIn = -1, reportedOut = -1;
        if (anthropicCaller && !stream) {
            const QJsonObject m = r.json();
            QCOMPARE(m.value("type").toString(), QStringLiteral("message"));
            QCOMPARE(m.value("role").toString(), QStringLiteral("assistant"));
            const QJsonObject block = m.value("content").toArray().first().toObject();
            if (tools) {
                QCOMPARE(block.value("type").toString(), QStringLiteral("tool_use"));
                QCOMPARE(block.value("name").toString(), QStringLiteral("get_weather"));
                QVERIFY(!block.value("id").toString().isEmpty());
                QCOMPARE(block.value("input").toObject(), (QJsonObject{{"city", "mock"}}));
                QCOMPARE(m.value("stop_reason").toString(), QStringLiteral("tool_use"));
            } else {
                QCOMPARE(block.value("type").toString(), QStringLiteral("text"));
                QCOMPARE(block.value("text").toString(), expectedText);
                QCOMPARE(m.value("stop_reason").toString(), QStringLiteral("end_turn"));
            }
            reportedIn = m.value("usage").toObject().value("input_tokens").toInteger();
            reportedOut = m.value("usage").toObject().value("output_tokens").toInteger();
        } else if (anthropicCaller) {
            QVERIFY2(r.header("content-type").startsWith("text/event-stream"), qPrintable(r.header("content-type")));
            const auto s = readAnthropicStream(r.body);
            QVERIFY2(s.namesMatchTypes, "an event: name differs from its data's type");
            QCOMPARE(s.types.first(), QStringLiteral("message_start"));
            QCOMPARE(s.types.last(), QStringLiteral("message_stop"));
            QVERIFY(s.types.contains("content_block_start"));
            QVERIFY(s.types.contains("content_block_stop"));
            QVERIFY(s.types.indexOf("message_delta") > s.types.lastIndexOf("content_block_stop"));
            if (tools) {
                QCOMPARE(s.toolName, QStringLiteral("get_weather"));
                QVERIFY(!s.toolId.isEmpty());
                QCOMPARE(QJsonDocument::fromJson(s.toolInputJson.toUtf8()).object(), (QJsonObject{{"city", "mock"}}));
                QCOMPARE(s.stopReason, QStringLiteral("tool_use"));
            } else {
                QCOMPARE(s.text, expectedText);
                QCOMPARE(s.stopReason, QStringLiteral("end_turn"));
            }
            reportedIn = s.inputTokens;
            reportedOut = s.outputTokens;
        } else if (!stream) {
            const QJsonObject c = r.json();
            QCOMPARE(c.value("object").toString(), QStringLiteral("chat.completion"));
            const QJsonObject choice = c.value("choices").toArray().first().toObject();
            const QJsonObject message = choice.value("message").toObject();
            QCOMPARE(message.value("role").toString(), QStringLiteral("assistant"));
            if (tools) {
                const QJsonObject tc = message.value("tool_calls").toArray().first().toObject();
                QCOMPARE(tc.value("type").toString(), QStringLiteral("function"));
                QVERIFY(!tc.value("id").toString().isEmpty());
                QCOMPARE(tc.value("function").toObject().value("name").toString(), QStringLiteral("get_weather"));
                QCOMPARE(QJsonDocument::fromJson(tc.value("function").toObject().value("arguments").toString().toUtf8())
                             .object(),
                         (QJsonObject{{"city", "mock"}}));
                QCOMPARE(choice.value("finish_reason").toString(), QStringLiteral("tool_calls"));
            } else {
                QCOMPARE(message.value("content").toString(), expectedText);
                QCOMPARE(choice.value("finish_reason").toString(), QStringLiteral("stop"));
            }
            reportedIn = c.value("usage").toObject().value("prompt_tokens").toInteger();
            reportedOut = c.value("usage").toObject().value("completion_tokens").toInteger();
        } else {
            QVERIFY2(r.header("content-type").startsWith("text/event-stream"), qPrintable(r.header("content-type")));
            const auto s = readOpenAIStream(r.body);
            QVERIFY2(s.done, "the stream must end with data: [DONE]");
            QVERIFY(!s.dataAfterDone);
            if (tools) {
                QCOMPARE(s.toolName, QStringLiteral("get_weather"));
                QVERIFY(!s.toolId.isEmpty());
                QCOMPARE(QJsonDocument::fromJson(s.toolArguments.toUtf8()).object(), (QJsonObject{{"city", "mock"}}));
                QCOMPARE(s.finishReason, QStringLiteral("tool_calls"));
            } else {
                QCOMPARE(s.text, expectedText);
                QCOMPARE(s.finishReason, QStringLiteral("stop"));
            }
            reportedIn = s.usage.value("prompt_tokens").toInteger(-1);
            reportedOut = s.usage.value("completion_tokens").toInteger(-1);
        }
        QCOMPARE(reportedIn, promptTokens);
        QCOMPARE(reportedOut, replyTokens);

        const QJsonObject rec = row(r);
        QVERIFY(!rec.isEmpty());
        QCOMPARE(rec.value("input_tokens").toInteger(), promptTokens);
        QCOMPARE(rec.value("output_tokens").toInteger(), replyTokens);
        QCOMPARE(rec.value("cost_micros").toInteger(), e2eCostMicros(servedBy, promptTokens, replyTokens));
        QCOMPARE(rec.value("tools_enabled").toInteger(), tools ? 1 : 0);
        QCOMPARE(rec.value("outcome").toString(), QStringLiteral("ok"));
        QCOMPARE(rec.value("provider").toString(), anthropicCaller ? QStringLiteral("openai") : QStringLiteral("anthropic"));
        if (stream)
            QVERIFY2(!rec.value("first_token_ms").isNull(), "a stream's time to first token is recorded");
    }

    // Request options that both formats know, renamed on the way: tool_choice, stop sequences,
    // sampling.
    void requestFieldsTranslation_data() {
        QTest::addColumn<bool>("anthropicCaller");
        QTest::addColumn<QJsonObject>("fields");   // added to the caller's body
        QTest::addColumn<QJsonObject>("upstream"); // expected in the provider's body
        QTest::newRow("openai -> anthropic: named tool, stop, sampling")
            << false
            << QJsonObject{{"tool_choice", QJsonObject{{"type", "function"}, {"function", QJsonObject{{"name", "get_weather"}}}}},
                           {"stop", QJsonArray{"END"}},
                           {"temperature", 0.5},
                           {"top_p", 0.9}}
            << QJsonObject{{"tool_choice", QJsonObject{{"type", "tool"}, {"name", "get_weather"}}},
                           {"stop_sequences", QJsonArray{"END"}},
                           {"temperature", 0.5},
                           {"top_p", 0.9}};
        QTest::newRow("openai -> anthropic: required tool")
            << false << QJsonObject{{"tool_choice", "required"}} << QJsonObject{{"tool_choice", QJsonObject{{"type", "any"}}}};
        QTest::newRow("anthropic -> openai: named tool, stop, sampling")
            << true
            << QJsonObject{{"tool_choice", QJsonObject{{"type", "tool"}, {"name", "get_weather"}}},
                           {"stop_sequences", QJsonArray{"END"}},
                           {"temperature", 0.5},
                           {"top_p", 0.9}}
            << QJsonObject{{"tool_choice", QJsonObject{{"type", "function"}, {"function", QJsonObject{{"name", "get_weather"}}}}},
                           {"stop", QJsonArray{"END"}},
                           {"temperature", 0.5},
                           {"top_p", 0.9}};
        QTest::newRow("anthropic -> openai: any tool")
            << true << QJsonObject{{"tool_choice", QJsonObject{{"type", "any"}}}} << QJsonObject{{"tool_choice", "required"}};
    }

    void requestFieldsTranslation() {
        QFETCH(bool, anthropicCaller);
        QFETCH(QJsonObject, fields);
        QFETCH(QJsonObject, upstream);
        QJsonObject body = anthropicCaller ? anthropicBody("gpt-4.1") : openaiBody("claude-sonnet-4-5");
        body["tools"] = anthropicCaller ? anthropicTools() : openaiTools();
        for (auto it = fields.begin(); it != fields.end(); ++it)
            body[it.key()] = it.value();
        const auto r = call(anthropicCaller, body, {"X-Gatehouse-Repo: acme/web-app"});
        QCOMPARE(r.status, 200);
        const QJsonArray got = fx_.mock.requests();
        QCOMPARE(got.size(), 1);
        const QJsonObject upBody = got.first().toObject().value("body").toObject();
        for (auto it = upstream.begin(); it != upstream.end(); ++it)
            QVERIFY2(upBody.value(it.key()) == it.value(),
                     qPrintable(it.key() + ": got " + QJsonDocument(QJsonObject{{"v", upBody.value(it.key())}}).toJson(QJsonDocument::Compact) +
                                ", expected " + QJsonDocument(QJsonObject{{"v", it.value()}}).toJson(QJsonDocument::Compact)));
    }

    // The second turn of a tool call: the tool's result goes back to the model, translated.
    void toolResultTranslation_data() {
        QTest::addColumn<bool>("anthropicCaller");
        QTest::addColumn<bool>("stream");
        QTest::newRow("openai caller -> anthropic") << false << false;
        QTest::newRow("openai caller -> anthropic, stream") << false << true;
        QTest::newRow("anthropic caller -> openai") << true << false;
        QTest::newRow("anthropic caller -> openai, stream") << true << true;
    }

    void toolResultTranslation() {
        QFETCH(bool, anthropicCaller);
        QFETCH(bool, stream);
        const QString result = QStringLiteral("sunny and 21 degrees");
        QJsonObject body;
        if (anthropicCaller) {
            body = QJsonObject{
                {"model", "gpt-4.1"},
                {"max_tokens", 300},
                {"tools", anthropicTools()},
                {"messages",
                 QJsonArray{QJsonObject{{"role", "user"}, {"content", "what is the weather in Paris"}},
                            QJsonObject{{"role", "assistant"},
                                        {"content", QJsonArray{QJsonObject{{"type", "tool_use"},
                                                                           {"id", "toolu_e2e_1"},
                                                                           {"name", "get_weather"},
                                                                           {"input", QJsonObject{{"city", "Paris"}}}}}}},
                            QJsonObject{{"role", "user"},
                                        {"content", QJsonArray{QJsonObject{{"type", "tool_result"},
                                                                           {"tool_use_id", "toolu_e2e_1"},
                                                                           {"content", result}}}}}}}};
        } else {
            body = QJsonObject{
                {"model", "claude-sonnet-4-5"},
                {"tools", openaiTools()},
                {"messages",
                 QJsonArray{QJsonObject{{"role", "user"}, {"content", "what is the weather in Paris"}},
                            QJsonObject{{"role", "assistant"},
                                        {"content", QJsonValue::Null},
                                        {"tool_calls", QJsonArray{QJsonObject{
                                                           {"id", "call_e2e_1"},
                                                           {"type", "function"},
                                                           {"function", QJsonObject{{"name", "get_weather"},
                                                                                    {"arguments", R"({"city":"Paris"})"}}}}}}},
                            QJsonObject{{"role", "tool"}, {"tool_call_id", "call_e2e_1"}, {"content", result}}}}};
        }
        if (stream)
            body["stream"] = true;
        const auto r = call(anthropicCaller, body, {"X-Gatehouse-Repo: acme/web-app"});
        QCOMPARE(r.status, 200);

        const QJsonArray got = fx_.mock.requests();
        QCOMPARE(got.size(), 1);
        const QJsonArray messages = got.first().toObject().value("body").toObject().value("messages").toArray();
        if (anthropicCaller) {
            // OpenAI form: user, assistant with tool_calls, tool with the result.
            QCOMPARE(messages.size(), 3);
            const QJsonObject assistant = messages[1].toObject();
            QCOMPARE(assistant.value("role").toString(), QStringLiteral("assistant"));
            const QJsonObject tc = assistant.value("tool_calls").toArray().first().toObject();
            QCOMPARE(tc.value("id").toString(), QStringLiteral("toolu_e2e_1"));
            QCOMPARE(tc.value("function").toObject().value("name").toString(), QStringLiteral("get_weather"));
            QCOMPARE(QJsonDocument::fromJson(tc.value("function").toObject().value("arguments").toString().toUtf8()).object(),
                     (QJsonObject{{"city", "Paris"}}));
            const QJsonObject tool = messages[2].toObject();
            QCOMPARE(tool.value("role").toString(), QStringLiteral("tool"));
            QCOMPARE(tool.value("tool_call_id").toString(), QStringLiteral("toolu_e2e_1"));
            QVERIFY(QJsonDocument(tool).toJson().contains(result.toUtf8()));
        } else {
            // Anthropic form: user, assistant with a tool_use block, user with a tool_result block.
            QCOMPARE(messages.size(), 3);
            const QJsonObject assistant = messages[1].toObject();
            QCOMPARE(assistant.value("role").toString(), QStringLiteral("assistant"));
            QJsonObject toolUse;
            for (const auto& b : assistant.value("content").toArray())
                if (b.toObject().value("type").toString() == "tool_use")
                    toolUse = b.toObject();
            QCOMPARE(toolUse.value("id").toString(), QStringLiteral("call_e2e_1"));
            QCOMPARE(toolUse.value("name").toString(), QStringLiteral("get_weather"));
            QCOMPARE(toolUse.value("input").toObject(), (QJsonObject{{"city", "Paris"}}));
            const QJsonObject user = messages[2].toObject();
            QCOMPARE(user.value("role").toString(), QStringLiteral("user"));
            const QJsonObject toolResult = user.value("content").toArray().first().toObject();
            QCOMPARE(toolResult.value("type").toString(), QStringLiteral("tool_result"));
            QCOMPARE(toolResult.value("tool_use_id").toString(), QStringLiteral("call_e2e_1"));
            QVERIFY(QJsonDocument(toolResult).toJson().contains(result.toUtf8()));
        }

        // The model answers from the tool's result.
        const QString expected = "mock reply to: " + result;
        QString text;
        if (!stream && anthropicCaller)
            text = r.json().value("content").toArray().first().toObject().value("text").toString();
        else if (!stream)
            text = r.json().value("choices").toArray().first().toObject().value("message").toObject().value("content").toString();
        else if (anthropicCaller)
            text = readAnthropicStream(r.body).text;
        else
            text = readOpenAIStream(r.body).text;
        QCOMPARE(text, expected);
    }

    // Same format on both sides, streaming: usage is asked of OpenAI upstreams and recorded,
    // but only sent to callers who asked for it.
    void streamingUsage_data() {
        QTest::addColumn<bool>("anthropicCaller");
        QTest::addColumn<bool>("callerWantsUsage");
        QTest::newRow("openai, no usage asked") << false << false;
        QTest::newRow("openai, include_usage") << false << true;
        QTest::newRow("anthropic") << true << false;
    }

    void streamingUsage() {
        QFETCH(bool, anthropicCaller);
        QFETCH(bool, callerWantsUsage);
        QJsonObject body = anthropicCaller ? anthropicBody("claude-sonnet-4-5", true) : openaiBody("gpt-4.1", true);
        if (callerWantsUsage)
            body["stream_options"] = QJsonObject{{"include_usage", true}};
        const auto r = call(anthropicCaller, body, {"X-Gatehouse-Repo: acme/web-app", "X-Gatehouse-Session: stream-1"});
        QCOMPARE(r.status, 200);
        const QString servedBy = anthropicCaller ? "anthropic/claude-sonnet-4-5" : "openai/gpt-4.1";
        QCOMPARE(r.header("x-gatehouse-served-by"), servedBy);
        const QJsonArray got = fx_.mock.requests();
        QCOMPARE(got.size(), 1);
        if (anthropicCaller) {
            const auto s = readAnthropicStream(r.body);
            QCOMPARE(s.text, kReply);
            QCOMPARE(s.types.first(), QStringLiteral("message_start"));
            QCOMPARE(s.types.last(), QStringLiteral("message_stop"));
            QCOMPARE(s.outputTokens, kReplyTokens);
        } else {
            QVERIFY(got.first().toObject().value("body").toObject().value("stream_options").toObject().value("include_usage").toBool());
            const auto s = readOpenAIStream(r.body);
            QCOMPARE(s.text, kReply);
            QVERIFY(s.done);
            QVERIFY(!s.dataAfterDone);
            if (callerWantsUsage) {
                QCOMPARE(s.usage.value("prompt_tokens").toInteger(), kPromptTokens);
                QCOMPARE(s.usage.value("completion_tokens").toInteger(), kReplyTokens);
            } else {
                QVERIFY2(s.usage.isEmpty(), "usage sent to a caller that did not ask for it");
                for (const auto& e : parseSse(r.body))
                    if (e.data != "[DONE]")
                        QVERIFY2(!e.json().value("choices").toArray().isEmpty(), "a usage-only chunk reached the caller");
            }
        }
        const QJsonObject rec = row(r);
        QVERIFY(!rec.isEmpty());
        QCOMPARE(rec.value("session_id").toString(), QStringLiteral("stream-1"));
        QCOMPARE(rec.value("input_tokens").toInteger(), kPromptTokens);
        QCOMPARE(rec.value("output_tokens").toInteger(), kReplyTokens);
        QCOMPARE(rec.value("cost_micros").toInteger(), e2eCostMicros(servedBy, kPromptTokens, kReplyTokens));
        QCOMPARE(rec.value("outcome").toString(), QStringLiteral("ok"));
        QVERIFY(!rec.value("first_token_ms").isNull());
    }

    // Both key headers work on both endpoints (Claude Code sends x-api-key, the new Anthropic
    // SDK and OpenAI clients Bearer).
    void keyHeaders() {
        auto r = postJson(gw() + "/v1/messages", anthropicBody("claude-sonnet-4-5"),
                          {"Authorization: Bearer " + fx_.webKey, "anthropic-version: 2023-06-01", "X-Gatehouse-Repo: acme/web-app"});
        QCOMPARE(r.status, 200);
        r = postJson(gw() + "/v1/chat/completions", openaiBody("gpt-4.1"),
                     {"x-api-key: " + fx_.webKey, "X-Gatehouse-Repo: acme/web-app"});
        QCOMPARE(r.status, 200);
        verifyNoCallerKeyUpstream();
    }

    // /v1/models lists exactly the models the caller would be served when asking for them.
    void models_data() {
        QTest::addColumn<int>("key"); // 0 web, 1 data, 2 scoped
        QTest::addColumn<QString>("repo");
        QTest::addColumn<QStringList>("expected");
        const QStringList web{"gpt-4.1", "DeepSeek-V3", "claude-sonnet-4-5", "qwen2.5-coder:7b", "devstral-small",
                              "llama-3.3-70b"};
        QTest::newRow("web team, any repository") << 0 << "" << web;
        QTest::newRow("data team gets o4-mini too") << 1 << "" << (web + QStringList{"o4-mini"});
        QTest::newRow("restricted repository: local models only")
            << 0 << "acme/payments-api" << QStringList{"qwen2.5-coder:7b", "devstral-small"};
        QTest::newRow("confidential repository") << 0 << "acme/secret-plans" << QStringList{"gpt-4.1", "devstral-small"};
        QTest::newRow("frozen repository: incident work only") << 0 << "acme/frozen-app" << QStringList{"devstral-small"};
        QTest::newRow("unknown repository: nothing") << 0 << "other/thing" << QStringList{};
        QTest::newRow("key scoped to acme/payments-*") << 2 << ""
                                                       << QStringList{"qwen2.5-coder:7b", "devstral-small"};
        QTest::newRow("key scoped to acme/payments-*, another repository") << 2 << "acme/web-app" << QStringList{};
    }

    void models() {
        QFETCH(int, key);
        QFETCH(QString, repo);
        QFETCH(QStringList, expected);
        const QString secret = key == 0 ? fx_.webKey : key == 1 ? fx_.dataKey : fx_.scopedKey;
        QStringList args{"-H", "Authorization: Bearer " + secret};
        if (!repo.isEmpty())
            args << "-H" << "X-Gatehouse-Repo: " + repo;
        const auto r = curl(args + QStringList{gw() + "/v1/models"});
        // A key that may not be used for the repository may also be refused outright.
        if (expected.isEmpty() && r.status == 403)
            return;
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value("object").toString(), QStringLiteral("list"));
        const QSet<QString> ids = modelIds(r.json());
        const QSet<QString> want(expected.begin(), expected.end());
        QVERIFY2(ids == want, qPrintable("listed: " + describe(ids) + "; expected: " + describe(want)));
        for (const auto& m : r.json().value("data").toArray())
            QCOMPARE(m.toObject().value("object").toString(), QStringLiteral("model"));
        QCOMPARE(fx_.mock.requests().size(), 0);
    }

    // An Anthropic client (anthropic-version sent) gets the same models in the Anthropic list
    // format.
    void modelsAnthropicFormat() {
        const auto r = curl({"-H", "x-api-key: " + fx_.webKey, "-H", "anthropic-version: 2023-06-01", "-H",
                             "X-Gatehouse-Repo: acme/secret-plans", gw() + "/v1/models"});
        QCOMPARE(r.status, 200);
        const QJsonObject list = r.json();
        QVERIFY2(!list.contains("object"), "an OpenAI list went to an Anthropic client");
        QCOMPARE(list.value("has_more").toBool(true), false);
        const QJsonArray data = list.value("data").toArray();
        const QSet<QString> ids = modelIds(list);
        QVERIFY2(ids == (QSet<QString>{"gpt-4.1", "devstral-small"}), qPrintable(describe(ids)));
        for (const auto& m : data)
            QCOMPARE(m.toObject().value("type").toString(), QStringLiteral("model"));
        QCOMPARE(list.value("first_id").toString(), data.first().toObject().value("id").toString());
        QCOMPARE(list.value("last_id").toString(), data.last().toObject().value("id").toString());
    }

    // Every request above left a row; the rows of denied, failed and served requests all carry
    // the caller's identity and team (the key fixes the team).
    void everyRequestRecorded() {
        const QJsonArray rows = recordedRequests(fx_.gateway.requestsDb());
        QVERIFY(rows.size() >= 40);
        QSet<QString> ids;
        for (const auto& v : rows) {
            const QJsonObject row = v.toObject();
            QVERIFY(!row.value("request_id").toString().isEmpty());
            ids.insert(row.value("request_id").toString());
            const QString identity = row.value("identity").toString();
            QVERIFY2(identity == "alice" || identity == "dana" || identity == "pat", qPrintable(identity));
            QCOMPARE(row.value("team").toString(), identity == "dana" ? QStringLiteral("data") : QStringLiteral("web"));
        }
        QCOMPARE(ids.size(), rows.size());
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

QTEST_GUILESS_MAIN(gh::test::E2eRouting)
#include "tst_e2e_routing.moc"
