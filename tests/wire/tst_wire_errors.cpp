#include "wire/errors.h"
#include "wire_support.h"

#include <QTest>

using gh::wire::Format;

class TestWireErrors : public QObject {
    Q_OBJECT
private slots:
    void openAIShape() {
        QCOMPARE_JSON(
            gh::wire::openaiError(400, "'model' is required"),
            gh::test::parseObject(
                R"({"error":{"message":"\u0027model\u0027 is required","type":"invalid_request_error","param":null,"code":null}})"));
        QCOMPARE_JSON(
            gh::wire::openaiError(401, "unknown gateway key"),
            gh::test::parseObject(
                R"({"error":{"message":"unknown gateway key","type":"authentication_error","param":null,"code":"invalid_api_key"}})"));
        QCOMPARE_JSON(
            gh::wire::openaiError(429, "slow down"),
            gh::test::parseObject(
                R"({"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}})"));
        // A budget at its limit: OpenAI's code for an exhausted quota.
        QCOMPARE_JSON(
            gh::wire::openaiError(429, "budget 'payments-monthly' is spent", "insufficient_quota"),
            gh::test::parseObject(
                R"({"error":{"message":"budget \u0027payments-monthly\u0027 is spent","type":"rate_limit_error","param":null,"code":"insufficient_quota"}})"));
    }

    void anthropicShape() {
        QCOMPARE_JSON(
            gh::wire::anthropicError(529, "Overloaded"),
            gh::test::parseObject(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
        QCOMPARE_JSON(
            gh::wire::errorBody(Format::Anthropic, 403, "route denies"),
            gh::test::parseObject(R"({"type":"error","error":{"type":"permission_error","message":"route denies"}})"));
        QCOMPARE_JSON(
            gh::wire::errorBody(Format::OpenAI, 403, "route denies"),
            gh::test::parseObject(
                R"({"error":{"message":"route denies","type":"permission_error","param":null,"code":null}})"));
    }

    void typeNamesPerStatus_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("openai");
        QTest::addColumn<QString>("anthropic");
        QTest::newRow("400") << 400 << "invalid_request_error"
                             << "invalid_request_error";
        QTest::newRow("401") << 401 << "authentication_error"
                             << "authentication_error";
        QTest::newRow("402") << 402 << "invalid_request_error"
                             << "billing_error";
        QTest::newRow("403") << 403 << "permission_error"
                             << "permission_error";
        QTest::newRow("404") << 404 << "not_found_error"
                             << "not_found_error";
        QTest::newRow("409") << 409 << "conflict_error"
                             << "invalid_request_error";
        QTest::newRow("413") << 413 << "invalid_request_error"
                             << "request_too_large";
        QTest::newRow("422") << 422 << "invalid_request_error"
                             << "invalid_request_error";
        QTest::newRow("429") << 429 << "rate_limit_error"
                             << "rate_limit_error";
        QTest::newRow("500") << 500 << "server_error"
                             << "api_error";
        QTest::newRow("502") << 502 << "server_error"
                             << "api_error";
        QTest::newRow("503") << 503 << "server_error"
                             << "overloaded_error";
        QTest::newRow("504") << 504 << "server_error"
                             << "timeout_error";
        QTest::newRow("529") << 529 << "server_error"
                             << "overloaded_error";
    }
    void typeNamesPerStatus() {
        QFETCH(int, status);
        QFETCH(QString, openai);
        QFETCH(QString, anthropic);
        QCOMPARE(
            QString::fromUtf8(gh::wire::openaiErrorType(status).data(), int(gh::wire::openaiErrorType(status).size())),
            openai);
        QCOMPARE(QString::fromUtf8(gh::wire::anthropicErrorType(status).data(),
                                   int(gh::wire::anthropicErrorType(status).size())),
                 anthropic);
    }

    void statusOfAnthropicErrorTypes() {
        QCOMPARE(gh::wire::statusForAnthropicErrorType("overloaded_error"), 529);
        QCOMPARE(gh::wire::statusForAnthropicErrorType("rate_limit_error"), 429);
        QCOMPARE(gh::wire::statusForAnthropicErrorType("invalid_request_error"), 400);
        QCOMPARE(gh::wire::statusForAnthropicErrorType("request_too_large"), 413);
        QCOMPARE(gh::wire::statusForAnthropicErrorType("something_new"), 500);
        // Every named type maps back to a status that names it.
        for (const char* type :
             {"invalid_request_error", "authentication_error", "billing_error", "permission_error", "not_found_error",
              "request_too_large", "rate_limit_error", "api_error", "timeout_error", "overloaded_error"})
            QCOMPARE(gh::wire::anthropicErrorType(gh::wire::statusForAnthropicErrorType(type)), std::string_view(type));
    }

    void openAIUpstreamErrorToAnthropic() {
        const std::string body =
            R"({"error":{"message":"This model\u0027s maximum context length is 128000 tokens. However, your messages resulted in 130412 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})";
        QCOMPARE_JSON(
            gh::wire::translateErrorBody(Format::Anthropic, 400, body),
            gh::test::parseObject(
                R"({"type":"error","error":{"type":"invalid_request_error","message":"This model\u0027s maximum context length is 128000 tokens. However, your messages resulted in 130412 tokens. Please reduce the length of the messages."}})"));
        // Kept when the caller speaks OpenAI too: the code is what clients branch on.
        QCOMPARE_JSON(gh::wire::translateErrorBody(Format::OpenAI, 400, body)["error"].at("code"),
                      boost::json::value("context_length_exceeded"));
    }

    void anthropicUpstreamErrorToOpenAI() {
        const std::string body =
            R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"})";
        QCOMPARE_JSON(gh::wire::translateErrorBody(Format::OpenAI, 529, body),
                      gh::test::parseObject(
                          R"({"error":{"message":"Overloaded","type":"server_error","param":null,"code":null}})"));
        QCOMPARE_JSON(
            gh::wire::translateErrorBody(Format::Anthropic, 529, body),
            gh::test::parseObject(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
    }

    void otherServersErrorBodies_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("ollama") << 404 << R"({"error":"model \u0022llama9\u0022 not found, try pulling it first"})"
                                << R"(model "llama9" not found, try pulling it first)";
        QTest::newRow("message") << 400 << R"({"message":"bad input","statusCode":400})"
                                 << "bad input";
        QTest::newRow("detail") << 422 << R"({"detail":"Field required"})"
                                << "Field required";
        QTest::newRow("plain text") << 502 << "  Bad Gateway\n"
                                    << "Bad Gateway";
        QTest::newRow("html page") << 502 << "<html><body><h1>502 Bad Gateway</h1></body></html>"
                                   << "upstream returned HTTP 502";
        QTest::newRow("empty") << 503 << ""
                               << "upstream returned HTTP 503";
        QTest::newRow("broken json") << 500 << "{\"error\": {\"mess"
                                     << "upstream returned HTTP 500";
        QTest::newRow("json without message") << 500 << R"({"error":{"code":17}})"
                                              << "upstream returned HTTP 500";
        QTest::newRow("array") << 500 << "[1,2]"
                               << "upstream returned HTTP 500";
    }
    void otherServersErrorBodies() {
        QFETCH(int, status);
        QFETCH(QString, body);
        QFETCH(QString, message);
        QCOMPARE(QString::fromStdString(gh::wire::upstreamErrorMessage(status, body.toStdString())), message);
        const auto translated = gh::wire::translateErrorBody(Format::Anthropic, status, body.toStdString());
        QCOMPARE(QString::fromUtf8(translated.at("error").at("message").as_string().c_str()), message);
    }

    void longTextIsCutOnACharacterBoundary() {
        std::string body(998, 'x');
        body += "ü and more"; // 'ü' is two bytes, at 998-999; the cut at 1000 keeps it whole
        const std::string m = gh::wire::upstreamErrorMessage(500, body);
        QCOMPARE(m, std::string(998, 'x') + "ü...");
        std::string straddling(999, 'x');
        straddling += "ü tail"; // 'ü' at 999-1000: the cut would split it, so it goes
        QCOMPARE(gh::wire::upstreamErrorMessage(500, straddling), std::string(999, 'x') + "...");
    }
};

QTEST_APPLESS_MAIN(TestWireErrors)
#include "tst_wire_errors.moc"
