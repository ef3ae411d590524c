#include "wire/usage.h"
#include "wire_support.h"

#include <QTest>

using gh::pricing::Usage;
using gh::wire::Format;
using gh::wire::StreamUsageTracker;

namespace {

// Usage{input, output, cachedInput, cacheWrite}
StreamUsageTracker track(Format format, const char* fixture) {
    StreamUsageTracker tracker(format);
    for (const auto& event : gh::test::sseObjects(gh::test::fixture(fixture)))
        tracker.observe(event);
    return tracker;
}

} // namespace

class TestWireUsage : public QObject {
    Q_OBJECT
private slots:
    void openAIResponseSubtractsCachedTokens() {
        // prompt_tokens 1117 includes 1024 cached: 93 uncached input.
        const auto usage =
            gh::wire::usageFromResponse(Format::OpenAI, gh::test::fixtureObject("openai_response_text.json"));
        QVERIFY(usage.has_value());
        QCOMPARE(*usage, (Usage{93, 46, 1024, 0}));
        const auto tools =
            gh::wire::usageFromResponse(Format::OpenAI, gh::test::fixtureObject("openai_response_tool_calls.json"));
        QCOMPARE(*tools, (Usage{82, 17, 0, 0}));
    }

    void openAIUsageWithoutDetails() {
        // Ollama, LM Studio and older servers send no prompt_tokens_details (or null).
        QCOMPARE(gh::wire::usageFromObject(
                     Format::OpenAI,
                     gh::test::parseObject(R"({"prompt_tokens":26,"completion_tokens":298,"total_tokens":324})")),
                 (Usage{26, 298, 0, 0}));
        QCOMPARE(gh::wire::usageFromObject(
                     Format::OpenAI, gh::test::parseObject(
                                         R"({"prompt_tokens":26,"completion_tokens":3,"prompt_tokens_details":null})")),
                 (Usage{26, 3, 0, 0}));
    }

    void malformedCountsNeverBillNegative() {
        // More cached than prompt tokens: the cached ones are kept, input floors at 0.
        QCOMPARE(
            gh::wire::usageFromObject(
                Format::OpenAI,
                gh::test::parseObject(
                    R"({"prompt_tokens":10,"completion_tokens":-5,"prompt_tokens_details":{"cached_tokens":20}})")),
            (Usage{0, 0, 20, 0}));
        QCOMPARE(
            gh::wire::usageFromObject(
                Format::Anthropic,
                gh::test::parseObject(R"({"input_tokens":"12","output_tokens":7.0,"cache_read_input_tokens":1.5})")),
            (Usage{0, 7, 0, 0}));
        QVERIFY(!gh::wire::usageFromResponse(Format::OpenAI, gh::test::parseObject(R"({"choices":[]})")).has_value());
        QVERIFY(
            !gh::wire::usageFromResponse(Format::Anthropic, gh::test::parseObject(R"({"usage":null})")).has_value());
    }

    void anthropicResponseKeepsCacheCategoriesApart() {
        const auto usage =
            gh::wire::usageFromResponse(Format::Anthropic, gh::test::fixtureObject("anthropic_response_tool_use.json"));
        QCOMPARE(*usage, (Usage{50, 80, 2000, 1000}));
        const auto text =
            gh::wire::usageFromResponse(Format::Anthropic, gh::test::fixtureObject("anthropic_response_text.json"));
        QCOMPARE(*text, (Usage{2095, 503, 0, 0}));
    }

    void openAIStreamUsageComesFromTheFinalChunk() {
        StreamUsageTracker tracker(Format::OpenAI);
        const auto chunks = gh::test::sseObjects(gh::test::fixture("openai_stream_tool_calls.sse"));
        for (std::size_t i = 0; i + 1 < chunks.size(); ++i)
            tracker.observe(chunks[i]);
        QVERIFY(!tracker.seen()); // "usage": null on every chunk before the last
        QVERIFY(!tracker.complete());
        tracker.observe(chunks.back());
        QVERIFY(tracker.seen());
        QVERIFY(tracker.complete());
        QCOMPARE(tracker.usage(), (Usage{86, 52, 1920, 0}));

        QCOMPARE(track(Format::OpenAI, "openai_stream_text.sse").usage(), (Usage{93, 9, 1024, 0}));
    }

    void openAIStreamWithoutUsageIsIncomplete() {
        // A caller that did not ask for include_usage: no usage chunk.
        StreamUsageTracker tracker(Format::OpenAI);
        auto chunks = gh::test::sseObjects(gh::test::fixture("openai_stream_text.sse"));
        chunks.pop_back();
        for (const auto& c : chunks)
            tracker.observe(c);
        QVERIFY(!tracker.seen());
        QVERIFY(!tracker.complete());
        QCOMPARE(tracker.usage(), Usage{});
    }

    void anthropicStreamCombinesStartAndCumulativeDeltas() {
        const auto tracker = track(Format::Anthropic, "anthropic_stream_tool_use.sse");
        QVERIFY(tracker.complete());
        // input from message_start (472), output from message_delta (89, not 2 + 89).
        QCOMPARE(tracker.usage(), (Usage{472, 89, 0, 0}));

        // Two message_delta events, 7 then 15: cumulative, so 15 (not 22), and the cache
        // write from message_start is kept.
        const auto cached = track(Format::Anthropic, "anthropic_stream_text_cached.sse");
        QCOMPARE(cached.usage(), (Usage{21, 15, 0, 188086}));
    }

    void anthropicStreamCutBeforeMessageDelta() {
        StreamUsageTracker tracker(Format::Anthropic);
        const auto events = gh::test::sseObjects(gh::test::fixture("anthropic_stream_tool_use.sse"));
        for (std::size_t i = 0; i < 5; ++i)
            tracker.observe(events[i]);
        QVERIFY(tracker.seen());
        QVERIFY(!tracker.complete()); // the output count is unknown: the gateway must estimate
        QCOMPARE(tracker.usage(), (Usage{472, 2, 0, 0}));
    }

    void anthropicMessageDeltaWithFinalInputFigures() {
        // Newer API versions repeat the input figures in message_delta; they replace the start's.
        StreamUsageTracker tracker(Format::Anthropic);
        tracker.observe(gh::test::parseObject(
            R"({"type":"message_start","message":{"usage":{"input_tokens":849,"cache_creation_input_tokens":5,"cache_read_input_tokens":0,"output_tokens":10}}})"));
        tracker.observe(gh::test::parseObject(
            R"({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"input_tokens":849,"cache_creation_input_tokens":null,"cache_read_input_tokens":100,"output_tokens":47}})"));
        QCOMPARE(tracker.usage(), (Usage{849, 47, 100, 5}));
    }

    void costOfAStreamUsesEveryCategory() {
        // The point of the normalisation: the one cost function sees non-overlapping counts.
        const gh::pricing::ModelPrice price{*gh::Money::parse("2.50"), *gh::Money::parse("10"),
                                            gh::Money::parse("1.25"), std::nullopt};
        const auto usage = track(Format::OpenAI, "openai_stream_tool_calls.sse").usage();
        // 86 x 2.5 + 52 x 10 + 1920 x 1.25 = 215 + 520 + 2400 = 3135 micro-dollars.
        QCOMPARE(gh::pricing::cost(price, usage).micros, qint64(3135));
    }
};

QTEST_APPLESS_MAIN(TestWireUsage)
#include "tst_wire_usage.moc"
