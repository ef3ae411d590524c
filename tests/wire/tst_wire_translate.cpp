#include "wire/request_summary.h"
#include "wire/translate.h"
#include "wire/usage.h"
#include "wire_support.h"

#include <QTest>

namespace json = boost::json;
using gh::wire::Format;
using gh::wire::RequestOptions;
using gh::wire::ResponseOptions;

namespace {

// OpenAI tool-call arguments are JSON text: compare them as JSON, not as spelling.
json::object withParsedArguments(json::object request) {
    if (auto* messages = request["messages"].if_array()) {
        for (auto& m : *messages) {
            auto* calls = m.get_object().if_contains("tool_calls");
            if (!calls)
                continue;
            for (auto& call : calls->get_array()) {
                auto& function = call.get_object()["function"].get_object();
                function["arguments"] = json::parse(function["arguments"].get_string());
            }
        }
    }
    return request;
}

json::object toOpenAI(const json::object& request, RequestOptions options = {}) {
    auto result = gh::wire::anthropicRequestToOpenAI(request, options);
    if (!result)
        qFatal("translation failed: %s", result.error().c_str());
    return std::move(result).value();
}

json::object toAnthropic(const json::object& request, RequestOptions options = {}) {
    auto result = gh::wire::openaiRequestToAnthropic(request, options);
    if (!result)
        qFatal("translation failed: %s", result.error().c_str());
    return std::move(result).value();
}

} // namespace

class TestWireTranslate : public QObject {
    Q_OBJECT
private slots:
    // ------------------------------------------------------------ requests

    void claudeCodeRequestToOpenAI() {
        const auto request = gh::test::fixtureObject("anthropic_request_claude_code.json");
        const auto translated = toOpenAI(request, {.model = "gpt-4.1"});
        QCOMPARE_JSON(withParsedArguments(translated),
                      withParsedArguments(gh::test::fixtureObject("anthropic_request_claude_code.openai.json")));
        // The result is a valid OpenAI request in its own right.
        QVERIFY(gh::wire::summarizeRequest(Format::OpenAI, translated).ok());
    }

    void openAIRequestToAnthropic() {
        const auto request = gh::test::fixtureObject("openai_request_tools.json");
        const auto translated = toAnthropic(request, {.model = "claude-sonnet-4-5"});
        QCOMPARE_JSON(translated, gh::test::fixtureObject("openai_request_tools.anthropic.json"));
        const auto summary = gh::wire::summarizeRequest(Format::Anthropic, translated);
        QVERIFY2(summary.ok(), summary.error().c_str());
    }

    void openAIToAnthropicToOpenAIKeepsTheConversation() {
        const auto original = gh::test::fixtureObject("openai_request_tools.json");
        const auto back = toOpenAI(toAnthropic(original), {.maxCompletionTokens = true});
        QCOMPARE_JSON(withParsedArguments(back), withParsedArguments(original));
    }

    void anthropicToOpenAIToAnthropicKeepsTheConversation() {
        // Everything that has an OpenAI counterpart survives: roles, text, images, tool calls and
        // results, tools, tool_choice, stop sequences, limits.
        const auto original =
            gh::test::parseObject(R"({"model":"claude-haiku-4-5","max_tokens":512,"system":"Answer in German.",
            "messages":[{"role":"user","content":"Wie ist das Wetter?"},
                        {"role":"assistant","content":[{"type":"text","text":"Ich sehe nach."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Berlin","days":[1,2]}}]},
                        {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"12 Grad"},{"type":"text","text":"Und morgen?"}]},
                        {"role":"assistant","content":[{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{}}]},
                        {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_2","content":"14 Grad"}]}],
            "tools":[{"name":"get_weather","description":"Weather by city","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
            "tool_choice":{"type":"tool","name":"get_weather"},"stop_sequences":["STOP"],"temperature":0.5})");
        const auto back = toAnthropic(toOpenAI(original));
        QCOMPARE_JSON(back, original);
    }

    void systemMessagesJoinTheSystemPrompt() {
        // Anthropic has one system prompt; system and developer messages anywhere join it in order.
        const auto translated = toAnthropic(gh::test::parseObject(R"({"model":"m","messages":[
            {"role":"system","content":"Be brief."},{"role":"user","content":"hi"},
            {"role":"developer","content":[{"type":"text","text":"Answer in French."}]},{"role":"user","content":"bye"}]})"));
        QCOMPARE_JSON(
            translated.at("system"),
            gh::test::parseObject(
                R"({"s":[{"type":"text","text":"Be brief."},{"type":"text","text":"Answer in French."}]})")["s"]);
        QCOMPARE(translated.at("messages").as_array().size(), std::size_t(2));
        // Anthropic requires max_tokens: the route's default applies when the caller set none.
        QCOMPARE(translated.at("max_tokens").as_int64(), std::int64_t(4096));
        const auto withDefault =
            toAnthropic(gh::test::parseObject(R"({"model":"m","messages":[{"role":"user","content":"hi"}]})"),
                        {.defaultMaxTokens = 1000});
        QCOMPARE(withDefault.at("max_tokens").as_int64(), std::int64_t(1000));
    }

    void openAIParametersMapped() {
        const auto translated =
            toAnthropic(gh::test::parseObject(R"({"model":"m","messages":[{"role":"user","content":"hi"}],
            "stop":"END","temperature":1.6,"max_tokens":77,"tools":[{"type":"function","function":{"name":"now"}}],
            "tool_choice":{"type":"function","function":{"name":"now"}},"seed":4,"frequency_penalty":0.5,"stream":false})"));
        QCOMPARE_JSON(translated,
                      gh::test::parseObject(R"({"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":77,
            "stop_sequences":["END"],"temperature":1.0,
            "tools":[{"name":"now","input_schema":{"type":"object","properties":{}}}],"tool_choice":{"type":"tool","name":"now"}})"));
        // tool_choice strings.
        for (const auto& [openai, anthropic] : std::vector<std::pair<const char*, const char*>>{
                 {"auto", "auto"}, {"required", "any"}, {"none", "none"}}) {
            auto request = gh::test::parseObject(
                R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]})");
            request["tool_choice"] = openai;
            QCOMPARE(std::string(toAnthropic(request).at("tool_choice").at("type").as_string()),
                     std::string(anthropic));
            const auto back = toOpenAI(toAnthropic(request));
            QCOMPARE(std::string(back.at("tool_choice").as_string()), std::string(openai));
        }
    }

    void anthropicParametersMapped() {
        auto translated = toOpenAI(
            gh::test::parseObject(R"({"model":"claude","max_tokens":100,"messages":[{"role":"user","content":"hi"}],
            "top_k":5,"top_p":0.9,"thinking":{"type":"enabled","budget_tokens":2000},"stream":true})"),
            {.maxCompletionTokens = true});
        QCOMPARE_JSON(translated,
                      gh::test::parseObject(R"({"model":"claude","messages":[{"role":"user","content":"hi"}],
            "max_completion_tokens":100,"top_p":0.9,"stream":true,"stream_options":{"include_usage":true}})"));
        // tool_choice without tools is dropped (OpenAI refuses it).
        translated = toOpenAI(gh::test::parseObject(
            R"({"model":"c","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"tool_choice":{"type":"any"}})"));
        QVERIFY(!translated.contains("tool_choice"));
        translated =
            toOpenAI(gh::test::parseObject(R"({"model":"c","max_tokens":1,"messages":[{"role":"user","content":"hi"}],
            "tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"any"}})"));
        QCOMPARE(std::string(translated.at("tool_choice").as_string()), std::string("required"));
        QVERIFY(!translated.contains("parallel_tool_calls"));
    }

    void toolResultsWithImagesAndErrors() {
        const auto translated = toOpenAI(gh::test::parseObject(R"({"model":"c","max_tokens":1,"messages":[
            {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"screenshot","input":{}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","is_error":false,"content":[
                {"type":"text","text":"Captured."},{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAAA"}},{"type":"text","text":"800x600"}]}]}]})"));
        QCOMPARE_JSON(translated.at("messages"), gh::test::parseObject(R"({"m":[
            {"role":"assistant","content":null,"tool_calls":[{"id":"t1","type":"function","function":{"name":"screenshot","arguments":"{}"}}]},
            {"role":"tool","tool_call_id":"t1","content":"Captured.\n800x600"},
            {"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,AAAA"}}]}]})")
                                                     ["m"]);
    }

    void untranslatableRequestsAreRefusedClearly_data() {
        QTest::addColumn<bool>("toOpenAI");
        QTest::addColumn<QString>("body");
        QTest::addColumn<QString>("message");
        QTest::newRow("server tool")
            << true
            << R"({"model":"c","max_tokens":1,"messages":[{"role":"user","content":"hi"}],"tools":[{"type":"web_search_20250305","name":"web_search","max_uses":5}]})"
            << "tool 'web_search' in 'tools[0]' is an Anthropic server tool (type web_search_20250305) that the "
               "OpenAI-compatible model this route uses cannot run";
        QTest::newRow("document")
            << true
            << R"({"model":"c","max_tokens":1,"messages":[{"role":"user","content":[{"type":"text","text":"read"},{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0"}}]}]})"
            << "content block type 'document' in 'messages[0].content[1]' cannot be sent to the OpenAI-compatible "
               "model this route uses";
        QTest::newRow("n")
            << false << R"({"model":"m","n":3,"messages":[{"role":"user","content":"hi"}]})"
            << "'n' is 3, but the Anthropic model this route uses returns one choice per request: send n: 1";
        QTest::newRow("response_format")
            << false
            << R"({"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}},"messages":[{"role":"user","content":"hi"}]})"
            << "'response_format' of type 'json_schema' is not supported by the Anthropic model this route uses: "
               "describe the format in the prompt, or declare a tool whose parameters are the schema";
        QTest::newRow("audio")
            << false
            << R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]})"
            << "content part type 'input_audio' in 'messages[0].content[0]' cannot be sent to the Anthropic model this "
               "route uses";
        QTest::newRow("arguments not JSON")
            << false
            << R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"\u007b\u0022a\u0022: "}}]}]})"
            << "'messages[0].tool_calls[0].function.arguments' must be a JSON object serialised as a string for the "
               "Anthropic model this route uses";
        QTest::newRow("image file id")
            << false
            << R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"file-abc123"}}]}]})"
            << "the image in 'messages[0].content[0]' must be an http(s) URL or a base64 data URL";
        QTest::newRow("custom tool")
            << false
            << R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"custom","custom":{"name":"g"}}]})"
            << "'tools[0]' is a 'custom' tool; the Anthropic model this route uses takes function tools only";
    }
    void untranslatableRequestsAreRefusedClearly() {
        QFETCH(bool, toOpenAI);
        QFETCH(QString, body);
        QFETCH(QString, message);
        const auto request = gh::test::parseObject(body.toStdString());
        const auto result =
            toOpenAI ? gh::wire::anthropicRequestToOpenAI(request) : gh::wire::openaiRequestToAnthropic(request);
        QVERIFY(!result.ok());
        QCOMPARE(QString::fromStdString(result.error()), message);
    }

    void emptyArgumentsAreAnEmptyInput() {
        const auto translated = toAnthropic(gh::test::parseObject(
            R"({"model":"m","messages":[{"role":"assistant","content":"","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":""}}]}]})"));
        QCOMPARE_JSON(
            translated.at("messages"),
            gh::test::parseObject(
                R"({"m":[{"role":"assistant","content":[{"type":"tool_use","id":"c","name":"f","input":{}}]}]})")["m"]);
    }

    // ------------------------------------------------------------ responses

    void openAIToolCallResponseToAnthropic() {
        const auto result = gh::wire::openaiResponseToAnthropic(
            gh::test::fixtureObject("openai_response_tool_calls.json"), {.model = "claude-sonnet-4-5"});
        QVERIFY2(result.ok(), result.error().c_str());
        QCOMPARE_JSON(*result,
                      gh::test::parseObject(
                          R"({"id":"chatcmpl-abc123","type":"message","role":"assistant","model":"claude-sonnet-4-5",
            "content":[{"type":"tool_use","id":"call_abc123","name":"get_current_weather","input":{"location":"Boston, MA"}}],
            "stop_reason":"tool_use","stop_sequence":null,
            "usage":{"input_tokens":82,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":17}})"));
    }

    void openAITextResponseToAnthropicKeepsCachedTokensApart() {
        const auto upstream = gh::test::fixtureObject("openai_response_text.json");
        const auto result = gh::wire::openaiResponseToAnthropic(upstream);
        QVERIFY(result.ok());
        QCOMPARE(std::string(result->at("model").as_string()),
                 std::string("gpt-4o-2024-08-06")); // no caller model given
        QCOMPARE(std::string(result->at("stop_reason").as_string()), std::string("max_tokens"));
        QCOMPARE(result->at("content").as_array().size(), std::size_t(1));
        // The caller's view of usage prices the same as the upstream's.
        QCOMPARE(*gh::wire::usageFromResponse(Format::Anthropic, *result),
                 *gh::wire::usageFromResponse(Format::OpenAI, upstream));
        QCOMPARE(result->at("usage").at("input_tokens").as_int64(), std::int64_t(93));
        QCOMPARE(result->at("usage").at("cache_read_input_tokens").as_int64(), std::int64_t(1024));
    }

    void anthropicToolUseResponseToOpenAI() {
        const auto result = gh::wire::anthropicResponseToOpenAI(
            gh::test::fixtureObject("anthropic_response_tool_use.json"), {.model = "gpt-4.1", .created = 1750000000});
        QVERIFY2(result.ok(), result.error().c_str());
        QCOMPARE_JSON(
            *result,
            gh::test::parseObject(
                R"({"id":"msg_01Aq9w938a90dw8q","object":"chat.completion","created":1750000000,"model":"gpt-4.1",
            "choices":[{"index":0,"message":{"role":"assistant","content":"I\u0027ll check the current weather in San Francisco for you.",
                "tool_calls":[{"id":"toolu_01A09q90qw90lq917835lq9","type":"function","function":{"name":"get_weather","arguments":"\u007b\u0022location\u0022:\u0022San Francisco, CA\u0022,\u0022unit\u0022:\u0022celsius\u0022\u007d"}}]},
                "logprobs":null,"finish_reason":"tool_calls"}],
            "usage":{"prompt_tokens":3050,"completion_tokens":80,"total_tokens":3130,"prompt_tokens_details":{"cached_tokens":2000}}})"));
    }

    void anthropicTextResponseToOpenAIDropsThinking() {
        const auto result =
            gh::wire::anthropicResponseToOpenAI(gh::test::fixtureObject("anthropic_response_text.json"));
        QVERIFY(result.ok());
        const auto& message = result->at("choices").at(0).at("message").as_object();
        QCOMPARE(std::string(message.at("content").as_string()), std::string("Hi! My name is Claude."));
        QVERIFY(!message.contains("tool_calls"));
        QCOMPARE(std::string(result->at("choices").at(0).at("finish_reason").as_string()), std::string("stop"));
        QCOMPARE(std::string(result->at("model").as_string()), std::string("claude-sonnet-4-5-20250929"));
        QVERIFY(result->at("created").as_int64() > 1700000000); // now
    }

    void responsesRoundTrip() {
        const auto upstream = gh::test::fixtureObject("anthropic_response_tool_use.json");
        const auto there = gh::wire::anthropicResponseToOpenAI(upstream);
        const auto back = gh::wire::openaiResponseToAnthropic(*there);
        QVERIFY(back.ok());
        QCOMPARE_JSON(back->at("content"), upstream.at("content"));
        QCOMPARE_JSON(back->at("stop_reason"), upstream.at("stop_reason"));
        // OpenAI has no cache-write category: written tokens come back as plain input.
        QCOMPARE(*gh::wire::usageFromResponse(Format::Anthropic, *back), (gh::pricing::Usage{1050, 80, 2000, 0}));
    }

    void badUpstreamResponsesAreErrorsNotExceptions() {
        QCOMPARE(gh::wire::openaiResponseToAnthropic(gh::test::parseObject(R"({"choices":[]})")).error(),
                 std::string("the upstream response has no choices[0].message"));
        QCOMPARE(gh::wire::openaiResponseToAnthropic(gh::test::parseObject(R"({"choices":[{"message":"x"}]})")).error(),
                 std::string("the upstream response has no choices[0].message"));
        QCOMPARE(
            gh::wire::openaiResponseToAnthropic(
                gh::test::parseObject(
                    R"({"choices":[{"message":{"tool_calls":[{"id":"c","function":{"name":"f","arguments":"[1,2]"}}]}}]})"))
                .error(),
            std::string("the upstream model called tool 'f' with arguments that are not a JSON object"));
        QCOMPARE(gh::wire::anthropicResponseToOpenAI(
                     gh::test::parseObject(R"({"type":"error","error":{"type":"api_error","message":"x"}})"))
                     .error(),
                 std::string("the upstream response is not a message"));
        // Wrong types everywhere read as absent.
        const auto odd = gh::wire::anthropicResponseToOpenAI(gh::test::parseObject(
            R"({"type":"message","content":[1,{"type":"text","text":5}],"usage":{"input_tokens":"x"},"stop_reason":7})"));
        QVERIFY(odd.ok());
        QCOMPARE(std::string(odd->at("choices").at(0).at("message").at("content").as_string()), std::string(""));
        QCOMPARE(odd->at("usage").at("prompt_tokens").as_int64(), std::int64_t(0));
    }

    void stopReasonMapping() {
        QCOMPARE(gh::wire::anthropicStopReason("stop"), std::string_view("end_turn"));
        QCOMPARE(gh::wire::anthropicStopReason("length"), std::string_view("max_tokens"));
        QCOMPARE(gh::wire::anthropicStopReason("tool_calls"), std::string_view("tool_use"));
        QCOMPARE(gh::wire::anthropicStopReason("function_call"), std::string_view("tool_use"));
        QCOMPARE(gh::wire::anthropicStopReason("content_filter"), std::string_view("refusal"));
        QCOMPARE(gh::wire::anthropicStopReason(""), std::string_view("end_turn"));
        QCOMPARE(gh::wire::openaiFinishReason("end_turn"), std::string_view("stop"));
        QCOMPARE(gh::wire::openaiFinishReason("stop_sequence"), std::string_view("stop"));
        QCOMPARE(gh::wire::openaiFinishReason("max_tokens"), std::string_view("length"));
        QCOMPARE(gh::wire::openaiFinishReason("tool_use"), std::string_view("tool_calls"));
        QCOMPARE(gh::wire::openaiFinishReason("refusal"), std::string_view("content_filter"));
        QCOMPARE(gh::wire::openaiFinishReason("pause_turn"), std::string_view("stop"));
    }
};

QTEST_APPLESS_MAIN(TestWireTranslate)
#include "tst_wire_translate.moc"
