#include "wire/sse.h"
#include "wire/translate.h"
#include "wire/usage.h"
#include "wire_support.h"

#include <QTest>

#include <map>

namespace json = boost::json;
using gh::wire::AnthropicToOpenAIStream;
using gh::wire::Format;
using gh::wire::OpenAIToAnthropicStream;
using gh::wire::StreamUsageTracker;

namespace {

std::vector<json::object> toAnthropic(const std::vector<json::object>& chunks, gh::wire::ResponseOptions options = {},
                                      bool* finishedCleanly = nullptr) {
    OpenAIToAnthropicStream stream(options);
    std::vector<json::object> out;
    for (const auto& c : chunks)
        stream.feed(c, out);
    const bool clean = stream.finish(out);
    if (finishedCleanly)
        *finishedCleanly = clean;
    return out;
}

std::vector<json::object> toOpenAI(const std::vector<json::object>& events, gh::wire::ResponseOptions options = {},
                                   bool* finishedCleanly = nullptr) {
    AnthropicToOpenAIStream stream(options);
    std::vector<json::object> out;
    for (const auto& e : events)
        stream.feed(e, out);
    const bool clean = stream.finish(out);
    if (finishedCleanly)
        *finishedCleanly = clean;
    return out;
}

std::vector<std::string> types(const std::vector<json::object>& events) {
    std::vector<std::string> out;
    for (const auto& e : events)
        out.emplace_back(e.at("type").as_string());
    return out;
}

// What an Anthropic client assembles from events: text and tool inputs per block index.
struct Assembled {
    std::map<std::int64_t, std::string> text;
    std::map<std::int64_t, std::string> toolInput;
    std::map<std::int64_t, std::string> toolName;
    std::string stopReason;
};

Assembled assembleAnthropic(const std::vector<json::object>& events) {
    Assembled a;
    for (const auto& e : events) {
        const std::string type(e.at("type").as_string());
        if (type == "content_block_start" && e.at("content_block").at("type") == "tool_use")
            a.toolName[e.at("index").as_int64()] = std::string(e.at("content_block").at("name").as_string());
        if (type == "content_block_delta") {
            const auto& d = e.at("delta").as_object();
            if (d.at("type") == "text_delta")
                a.text[e.at("index").as_int64()] += std::string(d.at("text").as_string());
            else
                a.toolInput[e.at("index").as_int64()] += std::string(d.at("partial_json").as_string());
        }
        if (type == "message_delta")
            a.stopReason = std::string(e.at("delta").at("stop_reason").as_string());
    }
    return a;
}

// What an OpenAI client assembles from chunks.
struct AssembledOpenAI {
    std::string content;
    std::map<std::int64_t, std::string> arguments, names, ids;
    std::string finishReason;
};

AssembledOpenAI assembleOpenAI(const std::vector<json::object>& chunks) {
    AssembledOpenAI a;
    for (const auto& c : chunks) {
        for (const auto& ch : c.at("choices").as_array()) {
            const auto& delta = ch.at("delta").as_object();
            if (const auto* content = delta.if_contains("content"); content && content->is_string())
                a.content += std::string(content->get_string());
            if (const auto* calls = delta.if_contains("tool_calls")) {
                for (const auto& call : calls->as_array()) {
                    const auto index = call.at("index").as_int64();
                    if (const auto* id = call.as_object().if_contains("id"))
                        a.ids[index] = std::string(id->as_string());
                    const auto& f = call.at("function").as_object();
                    if (const auto* name = f.if_contains("name"))
                        a.names[index] = std::string(name->as_string());
                    if (const auto* args = f.if_contains("arguments"))
                        a.arguments[index] += std::string(args->as_string());
                }
            }
            if (ch.at("finish_reason").is_string())
                a.finishReason = std::string(ch.at("finish_reason").as_string());
        }
    }
    return a;
}

} // namespace

class TestWireStream : public QObject {
    Q_OBJECT
private slots:
    // ------------------------------------------------------------ OpenAI -> Anthropic

    void openAIToolCallStreamBecomesAnthropicEvents() {
        const auto chunks = gh::test::sseObjects(gh::test::fixture("openai_stream_tool_calls.sse"));
        bool clean = false;
        const auto events = toAnthropic(chunks, {.model = "claude-sonnet-4-5"}, &clean);
        QVERIFY(clean);
        std::vector<json::object> expected;
        for (
            const char* e :
            {R"({"type":"message_start","message":{"id":"chatcmpl-BDt6qGXnbhkFxCfNQnMvrtfqcqgbs","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}})",
             R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","name":"get_weather","input":{}}})",
             R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\u007b\u0022lo"}})",
             R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"cation\u0022: \u0022Pa"}})",
             R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"ris, France\u0022\u007d"}})",
             R"({"type":"content_block_stop","index":0})",
             R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"call_mlVEPrVVoUhtUW0IEBHCqvZB","name":"get_weather","input":{}}})",
             R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\u007b\u0022location\u0022: \u0022Bogot"}})",
             R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"á, Colombia\u0022\u007d"}})",
             R"({"type":"content_block_stop","index":1})",
             R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":86,"cache_creation_input_tokens":0,"cache_read_input_tokens":1920,"output_tokens":52}})",
             R"({"type":"message_stop"})"})
            expected.push_back(gh::test::parseObject(e));
        QCOMPARE(events.size(), expected.size());
        for (std::size_t i = 0; i < events.size(); ++i)
            QCOMPARE_JSON(events[i], expected[i]);
    }

    void theTranslatedStreamBillsLikeTheUpstream() {
        const auto chunks = gh::test::sseObjects(gh::test::fixture("openai_stream_tool_calls.sse"));
        StreamUsageTracker upstream(Format::OpenAI);
        for (const auto& c : chunks)
            upstream.observe(c);
        StreamUsageTracker caller(Format::Anthropic);
        for (const auto& e : toAnthropic(chunks))
            caller.observe(e);
        QVERIFY(caller.complete());
        QCOMPARE(caller.usage(), upstream.usage());
    }

    void openAITextStream() {
        const auto events = toAnthropic(gh::test::sseObjects(gh::test::fixture("openai_stream_text.sse")));
        QCOMPARE(types(events), (std::vector<std::string>{"message_start", "content_block_start", "content_block_delta",
                                                          "content_block_delta", "content_block_stop", "message_delta",
                                                          "message_stop"}));
        QCOMPARE(std::string(events[0].at("message").at("model").as_string()), std::string("gpt-4o-mini-2024-07-18"));
        QCOMPARE_JSON(events[1],
                      gh::test::parseObject(
                          R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"));
        const auto a = assembleAnthropic(events);
        QCOMPARE(a.text.at(0), std::string("Hello! How can I help?"));
        QCOMPARE(a.stopReason, std::string("end_turn"));
    }

    void textThenToolCallsCloseEachBlock() {
        // A model that talks before calling tools (Qwen, Llama on Ollama), and numbers every call
        // of a parallel batch 0, told apart only by their ids.
        std::vector<json::object> chunks;
        for (
            const char* c :
            {R"({"id":"c1","model":"qwen2.5-coder:7b","choices":[{"index":0,"delta":{"role":"assistant","content":"Checking"},"finish_reason":null}]})",
             R"({"id":"c1","model":"qwen2.5-coder:7b","choices":[{"index":0,"delta":{"content":" both."},"finish_reason":null}]})",
             R"({"id":"c1","model":"qwen2.5-coder:7b","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"read","arguments":"{\u0022path\u0022:\u0022a.go\u0022}"}}]},"finish_reason":null}]})",
             R"({"id":"c1","model":"qwen2.5-coder:7b","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_b","type":"function","function":{"name":"read","arguments":"{\u0022path\u0022:\u0022b.go\u0022}"}}]},"finish_reason":null}]})",
             R"({"id":"c1","model":"qwen2.5-coder:7b","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":40,"completion_tokens":20,"total_tokens":60}})"})
            chunks.push_back(gh::test::parseObject(c));
        const auto events = toAnthropic(chunks);
        QCOMPARE(types(events), (std::vector<std::string>{
                                    "message_start", "content_block_start", "content_block_delta",
                                    "content_block_delta", "content_block_stop", "content_block_start",
                                    "content_block_delta", "content_block_stop", "content_block_start",
                                    "content_block_delta", "content_block_stop", "message_delta", "message_stop"}));
        const auto a = assembleAnthropic(events);
        QCOMPARE(a.text.at(0), std::string("Checking both."));
        QCOMPARE(a.toolInput.at(1), std::string(R"({"path":"a.go"})"));
        QCOMPARE(a.toolInput.at(2), std::string(R"({"path":"b.go"})"));
        QCOMPARE(a.stopReason, std::string("tool_use"));
        QCOMPARE(events[11].at("usage").at("output_tokens").as_int64(), std::int64_t(20));
    }

    void aCutOpenAIStreamEndsWithAnError() {
        auto chunks = gh::test::sseObjects(gh::test::fixture("openai_stream_text.sse"));
        chunks.resize(3); // no finish_reason, no usage
        bool clean = true;
        const auto events = toAnthropic(chunks, {}, &clean);
        QVERIFY(!clean);
        QCOMPARE_JSON(
            events.back(),
            gh::test::parseObject(
                R"({"type":"error","error":{"type":"api_error","message":"the upstream stream ended before the response was complete"}})"));
        const auto names = types(events);
        QVERIFY(std::find(names.begin(), names.end(), "message_stop") == names.end());
    }

    void anOpenAIErrorChunkBecomesAnAnthropicErrorEvent() {
        OpenAIToAnthropicStream stream;
        std::vector<json::object> out;
        stream.feed(
            gh::test::parseObject(
                R"({"error":{"message":"The server had an error processing your request.","type":"server_error","param":null,"code":null}})"),
            out);
        QVERIFY(stream.finished());
        QCOMPARE(out.size(), std::size_t(1));
        QCOMPARE_JSON(
            out[0],
            gh::test::parseObject(
                R"({"type":"error","error":{"type":"api_error","message":"The server had an error processing your request."}})"));
        stream.feed(gh::test::parseObject(R"({"choices":[{"index":0,"delta":{"content":"late"}}]})"), out);
        QVERIFY(!stream.finish(out));
        QCOMPARE(out.size(), std::size_t(1)); // nothing after the error
    }

    void sseFramingOfAnthropicEvents() {
        std::string wire;
        for (const auto& e : toAnthropic(gh::test::sseObjects(gh::test::fixture("openai_stream_text.sse"))))
            gh::wire::appendAnthropicSse(wire, e);
        QVERIFY(wire.rfind("event: message_start\ndata: {\"type\":\"message_start\",", 0) == 0);
        const std::string tail = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        QVERIFY(wire.size() > tail.size());
        QCOMPARE(wire.substr(wire.size() - tail.size()), tail);
        const auto parsed = gh::test::sseEvents(wire);
        QCOMPARE(parsed.size(), std::size_t(7));
        for (const auto& e : parsed)
            QCOMPARE(std::string(gh::test::parseObject(e.data).at("type").as_string()), e.event);
    }

    // ------------------------------------------------------------ Anthropic -> OpenAI

    void anthropicToolUseStreamBecomesOpenAIChunks() {
        const auto events = gh::test::sseObjects(gh::test::fixture("anthropic_stream_tool_use.sse"));
        bool clean = false;
        const auto chunks = toOpenAI(events, {.model = "gpt-4.1", .created = 1750000000}, &clean);
        QVERIFY(clean);
        // Every chunk carries the same envelope.
        for (const auto& c : chunks) {
            QCOMPARE(std::string(c.at("id").as_string()), std::string("msg_014p7gG3wDgGV9EUtLvnow3U"));
            QCOMPARE(std::string(c.at("object").as_string()), std::string("chat.completion.chunk"));
            QCOMPARE(c.at("created").as_int64(), std::int64_t(1750000000));
            QCOMPARE(std::string(c.at("model").as_string()), std::string("gpt-4.1"));
        }
        const std::vector<std::string> expected{
            R"({"role":"assistant","content":""})",
            R"({"content":"Okay"})",
            R"({"content":", let me check the weather"})",
            R"({"content":" for San Francisco, CA:"})",
            R"({"tool_calls":[{"index":0,"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","type":"function","function":{"name":"get_weather","arguments":""}}]})",
            R"({"tool_calls":[{"index":0,"function":{"arguments":"\u007b\u0022location\u0022:"}}]})",
            R"({"tool_calls":[{"index":0,"function":{"arguments":" \u0022San"}}]})",
            R"({"tool_calls":[{"index":0,"function":{"arguments":" Francisc"}}]})",
            R"({"tool_calls":[{"index":0,"function":{"arguments":"o,"}}]})",
            R"({"tool_calls":[{"index":0,"function":{"arguments":" CA\u0022"}}]})",
            R"({"tool_calls":[{"index":0,"function":{"arguments":", "}}]})",
            R"({"tool_calls":[{"index":0,"function":{"arguments":"\u0022unit\u0022: \u0022fah"}}]})",
            R"({"tool_calls":[{"index":0,"function":{"arguments":"renheit\u0022\u007d"}}]})",
            "{}"};
        QCOMPARE(chunks.size(), expected.size() + 1);
        for (std::size_t i = 0; i < expected.size(); ++i)
            QCOMPARE_JSON(chunks[i].at("choices").at(0).at("delta"), gh::test::parseObject(expected[i]));
        QCOMPARE(std::string(chunks[chunks.size() - 2].at("choices").at(0).at("finish_reason").as_string()),
                 std::string("tool_calls"));
        for (std::size_t i = 0; i + 2 < chunks.size(); ++i)
            QVERIFY(chunks[i].at("choices").at(0).at("finish_reason").is_null());
        // The final usage chunk: empty choices, Anthropic's figures in OpenAI's terms.
        QCOMPARE_JSON(chunks.back().at("choices"), json::array());
        QCOMPARE_JSON(
            chunks.back().at("usage"),
            gh::test::parseObject(
                R"({"prompt_tokens":472,"completion_tokens":89,"total_tokens":561,"prompt_tokens_details":{"cached_tokens":0}})"));
        const auto a = assembleOpenAI(chunks);
        QCOMPARE_JSON(json::parse(a.arguments.at(0)),
                      gh::test::parseObject(R"({"location": "San Francisco, CA", "unit": "fahrenheit"})"));
    }

    void withoutIncludeUsageThereIsNoUsageChunk() {
        const auto chunks =
            toOpenAI(gh::test::sseObjects(gh::test::fixture("anthropic_stream_tool_use.sse")), {.includeUsage = false});
        QCOMPARE(std::string(chunks.back().at("choices").at(0).at("finish_reason").as_string()),
                 std::string("tool_calls"));
        for (const auto& c : chunks)
            QVERIFY(!c.contains("usage"));
    }

    void cachedAnthropicStreamUsage() {
        const auto events = gh::test::sseObjects(gh::test::fixture("anthropic_stream_text_cached.sse"));
        const auto chunks = toOpenAI(events);
        QCOMPARE(assembleOpenAI(chunks).content, std::string("Hello! Grüße aus Zürich 👋"));
        QCOMPARE(assembleOpenAI(chunks).finishReason, std::string("stop"));
        // Cache writes count as prompt tokens (OpenAI has no such category).
        QCOMPARE(chunks.back().at("usage").at("prompt_tokens").as_int64(), std::int64_t(21 + 188086));
        QCOMPARE(chunks.back().at("usage").at("completion_tokens").as_int64(), std::int64_t(15));
    }

    void anAnthropicErrorEventBecomesAnOpenAIErrorChunk() {
        auto events = gh::test::sseObjects(gh::test::fixture("anthropic_stream_text_cached.sse"));
        events.resize(4);
        events.push_back(
            gh::test::parseObject(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
        events.push_back(gh::test::parseObject(R"({"type":"message_stop"})"));
        bool clean = true;
        const auto chunks = toOpenAI(events, {}, &clean);
        QVERIFY(!clean);
        QCOMPARE_JSON(
            chunks.back(),
            gh::test::parseObject(
                R"({"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded_error"}})"));
        QCOMPARE(chunks.size(), std::size_t(3)); // role, "Hello", error: nothing after it
    }

    void aCutAnthropicStreamEndsWithAnError() {
        auto events = gh::test::sseObjects(gh::test::fixture("anthropic_stream_tool_use.sse"));
        events.resize(10);
        bool clean = true;
        const auto chunks = toOpenAI(events, {}, &clean);
        QVERIFY(!clean);
        QCOMPARE_JSON(
            chunks.back(),
            gh::test::parseObject(
                R"({"error":{"message":"the upstream stream ended before the response was complete","type":"server_error","param":null,"code":null}})"));
    }

    // ------------------------------------------------------------ both ways

    // Anthropic stream -> OpenAI chunks on the wire -> parsed again -> Anthropic events: what a
    // client assembles is unchanged, and so is what it is billed.
    void aStreamSurvivesBothTranslationsOverTheWire() {
        const auto original = gh::test::sseObjects(gh::test::fixture("anthropic_stream_tool_use.sse"));
        std::string wire;
        for (const auto& c : toOpenAI(original))
            gh::wire::appendOpenAISse(wire, c);
        wire += gh::wire::kSseDone;
        // Over the network, in 7-byte reads.
        gh::wire::SseParser parser;
        std::vector<gh::wire::SseEvent> received;
        for (std::size_t i = 0; i < wire.size(); i += 7)
            QVERIFY(parser.feed(std::string_view(wire).substr(i, 7), received));
        QCOMPARE(received.back().data, std::string("[DONE]"));
        OpenAIToAnthropicStream back({.model = "claude-opus-4-1-20250805"});
        std::vector<json::object> events;
        for (const auto& e : received) {
            if (e.data != "[DONE]")
                back.feed(gh::test::parseObject(e.data), events);
        }
        QVERIFY(back.finish(events));

        const auto before = assembleAnthropic(original);
        const auto after = assembleAnthropic(events);
        QCOMPARE(after.text, before.text);
        QCOMPARE(after.toolName, before.toolName);
        QCOMPARE(after.toolInput, before.toolInput);
        QCOMPARE(after.stopReason, before.stopReason);

        StreamUsageTracker usageBefore(Format::Anthropic), usageAfter(Format::Anthropic);
        for (const auto& e : original)
            usageBefore.observe(e);
        for (const auto& e : events)
            usageAfter.observe(e);
        QCOMPARE(usageAfter.usage(), usageBefore.usage());
    }
};

QTEST_APPLESS_MAIN(TestWireStream)
#include "tst_wire_stream.moc"
