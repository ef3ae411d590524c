#include "wire/request_summary.h"
#include "wire_support.h"

#include <QTest>

using gh::wire::Format;

Q_DECLARE_METATYPE(gh::wire::Format)

class TestWireRequest : public QObject {
    Q_OBJECT
private slots:
    void summarisesAnOpenAIRequest() {
        const auto body = gh::test::fixtureObject("openai_request_tools.json");
        const auto s = gh::wire::summarizeRequest(Format::OpenAI, body);
        QVERIFY2(s.ok(), s.error().c_str());
        QCOMPARE(s->model, std::string("gpt-4.1"));
        QVERIFY(s->stream);
        QCOMPARE(s->maxOutputTokens, std::optional<std::int64_t>(2048)); // max_completion_tokens
        QVERIFY(s->hasTools);
        QVERIFY(s->estimatedInputTokens > 0);
    }

    void summarisesAnAnthropicRequest() {
        const auto body = gh::test::fixtureObject("anthropic_request_claude_code.json");
        const auto s = gh::wire::summarizeRequest(Format::Anthropic, body);
        QVERIFY2(s.ok(), s.error().c_str());
        QCOMPARE(s->model, std::string("claude-sonnet-4-5-20250929"));
        QVERIFY(s->stream);
        QCOMPARE(s->maxOutputTokens, std::optional<std::int64_t>(32000));
        QVERIFY(s->hasTools);
    }

    void maxOutputTokensOfOpenAI() {
        auto s = gh::wire::summarizeRequest(
            Format::OpenAI,
            gh::test::parseObject(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":100})"));
        QCOMPARE(s->maxOutputTokens, std::optional<std::int64_t>(100));
        // max_completion_tokens wins: it is the newer name and what reasoning models honour.
        s = gh::wire::summarizeRequest(
            Format::OpenAI,
            gh::test::parseObject(
                R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":100,"max_completion_tokens":300})"));
        QCOMPARE(s->maxOutputTokens, std::optional<std::int64_t>(300));
        s = gh::wire::summarizeRequest(
            Format::OpenAI,
            gh::test::parseObject(
                R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":null,"stream":false,"tools":[]})"));
        QVERIFY(s.ok());
        QCOMPARE(s->maxOutputTokens, std::optional<std::int64_t>());
        QVERIFY(!s->stream);
        QVERIFY(!s->hasTools); // an empty tools array enables no tools
    }

    // The estimate: ceil(bytes / 2) + 4 per message + 2,000 per image, bytes counting strings
    // and keys under system, messages and tools.
    void estimatesInputTokensByTheDocumentedRule() {
        // keys "role" (4) "content" (7), values "user" (4) "abcdefghij" (10) = 25 bytes -> 13, + 4.
        QCOMPARE(gh::wire::estimateInputTokens(
                     Format::OpenAI,
                     gh::test::parseObject(R"({"model":"m","messages":[{"role":"user","content":"abcdefghij"}]})")),
                 std::int64_t(17));
        // Anthropic system counts as a message: "Be brief" 8 bytes + 25 = 33 -> 17, + 2 x 4.
        QCOMPARE(
            gh::wire::estimateInputTokens(
                Format::Anthropic,
                gh::test::parseObject(
                    R"({"model":"m","max_tokens":5,"system":"Be brief","messages":[{"role":"user","content":"abcdefghij"}]})")),
            std::int64_t(25));
        // An image costs 2,000 however large its data: "role" "user" "content" "type" "text"
        // "text" "" = 4+4+7+4+4+4+0 = 27 -> 14, + 4 + 2000.
        QCOMPARE(
            gh::wire::estimateInputTokens(
                Format::Anthropic,
                gh::test::parseObject(
                    R"({"messages":[{"role":"user","content":[{"type":"text","text":""},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}]}]})")),
            std::int64_t(2018));
    }

    void theEstimateErrsHigh() {
        // English prose and code average about 4 bytes per token; the estimate must not fall
        // below a generous real count (bytes / 3.5) for a realistic request.
        const auto body = gh::test::fixtureObject("anthropic_request_claude_code.json");
        const std::int64_t estimate = gh::wire::estimateInputTokens(Format::Anthropic, body);
        const std::string text = gh::test::fixture("anthropic_request_claude_code.json");
        QVERIFY(estimate > static_cast<std::int64_t>(text.size() / 4));
        // ...and the image in it is counted once, at the fixed price.
        QVERIFY(estimate >= 2000);
        QVERIFY(estimate < 2000 + static_cast<std::int64_t>(text.size()));
        // Tools count too.
        auto withoutTools = body;
        withoutTools.erase("tools");
        QVERIFY(gh::wire::estimateInputTokens(Format::Anthropic, withoutTools) < estimate - 100);
    }

    void parsesBodies() {
        auto parsed = gh::wire::parseRequestBody(R"({"model":"m"})");
        QVERIFY(parsed.ok());
        QCOMPARE(gh::test::str(*parsed), std::string(R"({"model":"m"})"));

        QCOMPARE(gh::wire::parseRequestBody("").error(),
                 std::string("the request body is empty: send the request as a JSON object"));
        QCOMPARE(gh::wire::parseRequestBody(" \n").error(),
                 std::string("the request body is empty: send the request as a JSON object"));
        QCOMPARE(gh::wire::parseRequestBody(R"([{"model":"m"}])").error(),
                 std::string("the request body must be a JSON object, not an array"));
        QCOMPARE(gh::wire::parseRequestBody(R"("text")").error(),
                 std::string("the request body must be a JSON object, not a string"));
        const std::string broken = gh::wire::parseRequestBody(R"({"model": "m",, "messages": []})").error();
        QVERIFY2(broken.rfind("the request body is not valid JSON: ", 0) == 0, broken.c_str());
        QVERIFY2(broken.find(" at byte 14") != std::string::npos, broken.c_str());
        const std::string truncated = gh::wire::parseRequestBody(R"({"model": "m")").error();
        QVERIFY2(truncated.rfind("the request body is not valid JSON: ", 0) == 0, truncated.c_str());
    }

    // Each invalid request is refused with exactly this message, which the caller reads.
    void refusesInvalidRequests_data() {
        QTest::addColumn<gh::wire::Format>("format");
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("message");
        const auto openai = Format::OpenAI;
        const auto anthropic = Format::Anthropic;
        QTest::newRow("openai no model") << openai << R"({"messages":[{"role":"user","content":"hi"}]})"
                                         << R"('model' is required: name the model to use, e.g. "model": "gpt-4.1")";
        QTest::newRow("anthropic no model")
            << anthropic << R"({"max_tokens":10,"messages":[{"role":"user","content":"hi"}]})"
            << R"('model' is required: name the model to use, e.g. "model": "claude-sonnet-4-5")";
        QTest::newRow("model number") << openai << R"({"model":4,"messages":[]})"
                                      << "'model' must be a string, not 4";
        QTest::newRow("model empty") << openai << R"({"model":"","messages":[]})"
                                     << "'model' must not be empty: name the model to use";
        QTest::newRow("no messages")
            << openai << R"({"model":"m"})"
            << R"('messages' is required: send the conversation as an array, e.g. "messages": [{"role": "user", "content": "Hello"}])";
        QTest::newRow("anthropic no messages")
            << anthropic << R"({"model":"m","max_tokens":1})"
            << R"('messages' is required: send the conversation as an array, e.g. "messages": [{"role": "user", "content": "Hello"}]; system instructions go in 'system')";
        QTest::newRow("messages object") << openai << R"({"model":"m","messages":{"role":"user","content":"hi"}})"
                                         << "'messages' must be an array of messages, not an object";
        QTest::newRow("messages string") << anthropic << R"({"model":"m","max_tokens":1,"messages":"hi"})"
                                         << "'messages' must be an array of messages, not a string";
        QTest::newRow("messages empty") << openai << R"({"model":"m","messages":[]})"
                                        << "'messages' must contain at least one message";
        QTest::newRow("message string") << openai << R"({"model":"m","messages":["hi"]})"
                                        << "'messages[0]' must be an object with 'role' and 'content', not a string";
        QTest::newRow("no role") << openai
                                 << R"({"model":"m","messages":[{"role":"user","content":"a"},{"content":"hi"}]})"
                                 << "'messages[1].role' is required: one of system, developer, user, assistant, tool";
        QTest::newRow("typo role") << openai << R"({"model":"m","messages":[{"role":"usr","content":"hi"}]})"
                                   << "'messages[0].role' has unknown role 'usr'; did you mean 'user'?";
        QTest::newRow("unknown role") << openai << R"({"model":"m","messages":[{"role":"narrator","content":"hi"}]})"
                                      << "'messages[0].role' has unknown role 'narrator'; expected one of: system, "
                                         "developer, user, assistant, tool";
        QTest::newRow("role number") << openai << R"({"model":"m","messages":[{"role":1,"content":"hi"}]})"
                                     << "'messages[0].role' must be a string, not 1";
        QTest::newRow("function role") << openai
                                       << R"({"model":"m","messages":[{"role":"function","name":"f","content":"hi"}]})"
                                       << "'messages[0].role' is 'function', the deprecated function-calling API: use "
                                          "role 'tool' with 'tool_call_id' instead";
        QTest::newRow("user no content") << openai << R"({"model":"m","messages":[{"role":"user"}]})"
                                         << "'messages[0].content' is required for role 'user'";
        QTest::newRow("content number")
            << openai << R"({"model":"m","messages":[{"role":"user","content":42}]})"
            << "'messages[0].content' must be a string or an array of content parts, not 42";
        QTest::newRow("part string")
            << openai << R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},"b"]}]})"
            << "'messages[0].content[1]' must be a content part object with a 'type', not a string";
        QTest::newRow("part without type")
            << openai << R"({"model":"m","messages":[{"role":"user","content":[{"text":"a"}]}]})"
            << R"('messages[0].content[0].type' is required: the kind of content, e.g. "text")";
        QTest::newRow("tool without id") << openai << R"({"model":"m","messages":[{"role":"tool","content":"42"}]})"
                                         << "'messages[0].tool_call_id' is required for role 'tool': the id of the "
                                            "assistant's tool call this message answers";
        QTest::newRow("arguments object")
            << openai
            << R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":{"a":1}}}]}]})"
            << "'messages[0].tool_calls[0].function.arguments' must be a string holding JSON, not an object (serialise "
               "the arguments object)";
        QTest::newRow("tool call without name")
            << openai
            << R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"arguments":"{}"}}]}]})"
            << "'messages[0].tool_calls[0].function.name' is required";
        QTest::newRow("tool call without id")
            << openai
            << R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]})"
            << "'messages[0].tool_calls[0].id' is required: the id that the tool message answering it repeats";
        QTest::newRow("stream string") << openai
                                       << R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":"yes"})"
                                       << "'stream' must be true or false, not a string";
        QTest::newRow("max_tokens zero")
            << openai << R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":0})"
            << "'max_tokens' must be a positive integer, not 0";
        QTest::newRow("max_completion_tokens fraction")
            << openai << R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":1.5})"
            << "'max_completion_tokens' must be a positive integer, not 1.5";
        QTest::newRow("tools object")
            << openai << R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":{"type":"function"}})"
            << "'tools' must be an array of tools, not an object";
        QTest::newRow("tool without function")
            << openai << R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function"}]})"
            << "'tools[0].function' is required: an object with 'name', 'description' and 'parameters'";
        QTest::newRow("tool without type")
            << openai
            << R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"function":{"name":"f"}}]})"
            << R"('tools[0].type' is required: "function" for a function tool)";
        QTest::newRow("anthropic no max_tokens")
            << anthropic << R"({"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"hi"}]})"
            << R"('max_tokens' is required by the Anthropic Messages API: set the most tokens the model may generate, e.g. "max_tokens": 4096)";
        QTest::newRow("anthropic max_tokens string")
            << anthropic << R"({"model":"m","max_tokens":"1024","messages":[{"role":"user","content":"hi"}]})"
            << "'max_tokens' must be a positive integer, not a string";
        QTest::newRow("anthropic max_tokens negative")
            << anthropic << R"({"model":"m","max_tokens":-1,"messages":[{"role":"user","content":"hi"}]})"
            << "'max_tokens' must be a positive integer, not -1";
        QTest::newRow("anthropic system role")
            << anthropic
            << R"({"model":"m","max_tokens":1,"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]})"
            << "'messages[0].role' is 'system', which the Messages API does not accept: put system instructions in the "
               "top-level 'system' field";
        QTest::newRow("anthropic unknown role")
            << anthropic << R"({"model":"m","max_tokens":1,"messages":[{"role":"assistent","content":"hi"}]})"
            << "'messages[0].role' has unknown role 'assistent'; did you mean 'assistant'?";
        QTest::newRow("anthropic no content")
            << anthropic << R"({"model":"m","max_tokens":1,"messages":[{"role":"user"}]})"
            << "'messages[0].content' is required for role 'user'";
        QTest::newRow("anthropic content object")
            << anthropic
            << R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":{"type":"text","text":"hi"}}]})"
            << "'messages[0].content' must be a string or an array of content blocks, not an object";
        QTest::newRow("anthropic block null")
            << anthropic << R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":[null]}]})"
            << "'messages[0].content[0]' must be a content block object with a 'type', not null";
        QTest::newRow("anthropic system object")
            << anthropic
            << R"({"model":"m","max_tokens":1,"system":{"text":"x"},"messages":[{"role":"user","content":"hi"}]})"
            << "'system' must be a string or an array of text blocks, not an object";
        QTest::newRow("anthropic system block")
            << anthropic
            << R"({"model":"m","max_tokens":1,"system":[{"type":"text","text":"a"},{"type":"image"}],"messages":[{"role":"user","content":"hi"}]})"
            << R"('system[1]' must be a text block, {"type": "text", "text": "..."})";
        QTest::newRow("anthropic tool without name")
            << anthropic
            << R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"tools":[{"input_schema":{}}]})"
            << "'tools[0].name' is required";
        QTest::newRow("anthropic stream number")
            << anthropic << R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"stream":1})"
            << "'stream' must be true or false, not 1";
    }
    void refusesInvalidRequests() {
        QFETCH(gh::wire::Format, format);
        QFETCH(QString, body);
        QFETCH(QString, message);
        const auto result = gh::wire::summarizeRequest(format, gh::test::parseObject(body.toStdString()));
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error()), message);
    }

    void acceptsWhatTheProvidersAccept_data() {
        QTest::addColumn<gh::wire::Format>("format");
        QTest::addColumn<QString>("body");
        QTest::newRow("assistant with null content and tool calls")
            << Format::OpenAI
            << R"({"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"ok"}]})";
        QTest::newRow("developer role")
            << Format::OpenAI
            << R"({"model":"o3","messages":[{"role":"developer","content":"x"},{"role":"user","content":[{"type":"text","text":"y"}]}]})";
        QTest::newRow("custom tool")
            << Format::OpenAI
            << R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"custom","custom":{"name":"grammar"}}]})";
        QTest::newRow("anthropic blocks")
            << Format::Anthropic
            << R"({"model":"m","max_tokens":1,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":false})";
        QTest::newRow("max_tokens as 1024.0")
            << Format::Anthropic << R"({"model":"m","max_tokens":1024.0,"messages":[{"role":"user","content":"hi"}]})";
    }
    void acceptsWhatTheProvidersAccept() {
        QFETCH(gh::wire::Format, format);
        QFETCH(QString, body);
        const auto result = gh::wire::summarizeRequest(format, gh::test::parseObject(body.toStdString()));
        QVERIFY2(result.ok(), result.error().c_str());
    }
};

QTEST_APPLESS_MAIN(TestWireRequest)
#include "tst_wire_request.moc"
