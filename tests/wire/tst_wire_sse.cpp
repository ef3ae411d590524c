#include "wire/sse.h"
#include "wire_support.h"

#include <QTest>

using gh::wire::SseEvent;
using gh::wire::SseParser;

namespace {

std::vector<SseEvent> feedPieces(const std::vector<std::string_view>& pieces, SseParser& parser) {
    std::vector<SseEvent> events;
    for (auto piece : pieces)
        if (!parser.feed(piece, events))
            qFatal("parser failed");
    return events;
}

std::vector<SseEvent> feedPieces(const std::vector<std::string_view>& pieces) {
    SseParser parser;
    return feedPieces(pieces, parser);
}

std::string withLineEnding(const std::string& text, std::string_view ending) {
    std::string out;
    for (char c : text) {
        if (c == '\n')
            out.append(ending);
        else
            out.push_back(c);
    }
    return out;
}

} // namespace

class TestWireSse : public QObject {
    Q_OBJECT
private slots:
    void parsesTheAnthropicToolUseTranscript() {
        const auto events = gh::test::sseEvents(gh::test::fixture("anthropic_stream_tool_use.sse"));
        QCOMPARE(events.size(), std::size_t(20));
        QCOMPARE(events.front().event, std::string("message_start"));
        QVERIFY(events.front().data.rfind(R"({"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U")",
                                          0) == 0);
        QCOMPARE(events[2].event, std::string("ping"));
        QCOMPARE(events[2].data, std::string(R"({"type": "ping"})"));
        QCOMPARE_JSON(
            gh::test::parseObject(events[9].data),
            gh::test::parseObject(
                R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\u007b\u0022location\u0022:"}})"));
        QCOMPARE(events.back(), (SseEvent{"message_stop", R"({"type":"message_stop"})", ""}));
    }

    void openAIEventsHaveNoName() {
        const auto events = gh::test::sseEvents(gh::test::fixture("openai_stream_text.sse"));
        QCOMPARE(events.size(), std::size_t(6));
        for (const auto& e : events)
            QCOMPARE(e.event, std::string());
        QCOMPARE(events.back().data, std::string("[DONE]"));
    }

    // Network reads split a stream anywhere: in a field name, between "\r" and "\n", inside a
    // multi-byte character. Every split must give the same events as the whole.
    void splitAtEveryByteBoundary_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("ending");
        for (const char* name :
             {"anthropic_stream_tool_use.sse", "openai_stream_tool_calls.sse", "anthropic_stream_text_cached.sse"}) {
            QTest::newRow(qPrintable(QString(name) + " LF")) << name << "\n";
            QTest::newRow(qPrintable(QString(name) + " CRLF")) << name << "\r\n";
            QTest::newRow(qPrintable(QString(name) + " CR")) << name << "\r";
        }
    }
    void splitAtEveryByteBoundary() {
        QFETCH(QString, name);
        QFETCH(QString, ending);
        const std::string text = withLineEnding(gh::test::fixture(qPrintable(name)), ending.toStdString());
        const auto whole = gh::test::sseEvents(gh::test::fixture(qPrintable(name)));
        QVERIFY(whole.size() > 5);
        const std::string_view all = text;
        for (std::size_t i = 0; i <= all.size(); ++i) {
            const auto events = feedPieces({all.substr(0, i), all.substr(i)});
            if (events != whole)
                QFAIL(qPrintable(QString("split at byte %1 changed the events").arg(i)));
        }
        // And one byte at a time.
        SseParser parser;
        std::vector<SseEvent> events;
        for (char c : text)
            QVERIFY(parser.feed(std::string_view(&c, 1), events));
        QVERIFY(events == whole);
        QVERIFY(!parser.hasPartialEvent());
    }

    void aCarriageReturnAtAChunkEndIsOneLineEnd() {
        // "\r" | "\n" must not read as two line ends (which would end the event early).
        const auto events = feedPieces({"data: a\r", "\ndata: b\r", "\n\r", "\n"});
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0].data, std::string("a\nb"));
    }

    void mixedLineEndings() {
        const auto events = feedPieces({"event: x\rdata: 1\r\ndata: 2\n\r\nevent: y\ndata: 3\r\r"});
        QCOMPARE(events.size(), std::size_t(2));
        QCOMPARE(events[0], (SseEvent{"x", "1\n2", ""}));
        QCOMPARE(events[1], (SseEvent{"y", "3", ""}));
    }

    void fieldValueSpacing() {
        const auto events = feedPieces({"data:no-space\n\ndata:  two spaces\n\ndata\n\ndata:\ndata: x\n\n"});
        QCOMPARE(events.size(), std::size_t(4));
        QCOMPARE(events[0].data, std::string("no-space"));
        QCOMPARE(events[1].data, std::string(" two spaces")); // only the first space is dropped
        QCOMPARE(events[2].data, std::string(""));            // a bare "data" line is an empty data line
        QCOMPARE(events[3].data, std::string("\nx"));
    }

    void commentsAndUnknownFieldsAreIgnored() {
        const auto events = feedPieces({": keep-alive\n\n:ping\nretry: 3000\nfoo: bar\ndata: payload\n: mid\n\n"});
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0], (SseEvent{"", "payload", ""}));
    }

    void anEventWithoutDataIsNotDispatchedAndNamesDoNotLeak() {
        const auto events = feedPieces({"event: ping\n\ndata: after\n\n"});
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0].event, std::string()); // the name of the empty event does not carry over
        QCOMPARE(events[0].data, std::string("after"));
    }

    void idField() {
        const auto events = feedPieces({"id: 42\nevent: e\ndata: d\n\n"});
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0], (SseEvent{"e", "d", "42"}));
    }

    void aByteOrderMarkIsSkippedEvenWhenSplit() {
        const auto events = feedPieces({"\xEF", "\xBB",
                                        "\xBF"
                                        "data: a\n\n"});
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0].data, std::string("a"));
        // Only at the very start: a later BOM is part of the data.
        const auto later = feedPieces({"data: a\n\n", "data: \xEF\xBB\xBF"
                                                      "b\n\n"});
        QCOMPARE(later.size(), std::size_t(2));
        QCOMPARE(later[1].data, std::string("\xEF\xBB\xBF"
                                            "b"));
        // A stream that starts like a BOM but is not one loses nothing.
        const auto notBom = feedPieces({"\xEF", "x\n\ndata: c\n\n"});
        QCOMPARE(notBom.size(), std::size_t(1));
        QCOMPARE(notBom[0].data, std::string("c"));
    }

    void anUnfinishedEventIsHeldBack() {
        SseParser parser;
        auto events = feedPieces({"data: complete\n\ndata: cut off mid-ev"}, parser);
        QCOMPARE(events.size(), std::size_t(1));
        QVERIFY(parser.hasPartialEvent());
        events = feedPieces({"ent\n"}, parser);
        QVERIFY(events.empty());
        QVERIFY(parser.hasPartialEvent()); // a data line without its blank line is still unfinished
        events = feedPieces({"\n"}, parser);
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0].data, std::string("cut off mid-event"));
        QVERIFY(!parser.hasPartialEvent());
    }

    void anOversizedEventFailsTheStream() {
        SseParser parser(64);
        std::vector<SseEvent> events;
        QVERIFY(parser.feed("data: small\n\n", events));
        QCOMPARE(events.size(), std::size_t(1));
        QVERIFY(!parser.feed(std::string(100, 'x'), events));
        QVERIFY(parser.failed());
        QVERIFY(!parser.feed("\n\ndata: more\n\n", events));
        QCOMPARE(events.size(), std::size_t(1));
        // Many data lines that each fit but together do not.
        SseParser lines(64);
        std::string many;
        for (int i = 0; i < 10; ++i)
            many += "data: 0123456789\n";
        QVERIFY(!lines.feed(many, events));
    }

    void formatsOneEvent() {
        QCOMPARE(gh::wire::formatSseEvent("message_stop", R"({"type":"message_stop"})"),
                 std::string("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
        QCOMPARE(gh::wire::formatSseEvent("", "{}"), std::string("data: {}\n\n"));
        QCOMPARE(gh::wire::formatSseEvent("e", "a\nb"), std::string("event: e\ndata: a\ndata: b\n\n"));
        QCOMPARE(gh::wire::formatSseEvent("", ""), std::string("data: \n\n"));
        QCOMPARE(std::string(gh::wire::kSseDone), std::string("data: [DONE]\n\n"));
    }

    void formatterAndParserRoundTrip_data() {
        QTest::addColumn<QString>("event");
        QTest::addColumn<QString>("data");
        QTest::newRow("json") << "content_block_delta"
                              << R"({"text":"a\nb"})";
        QTest::newRow("multi-line") << ""
                                    << "line 1\nline 2\n\nline 4";
        QTest::newRow("trailing newline") << "x"
                                          << "ends with newline\n";
        QTest::newRow("leading space") << "x"
                                       << " leading";
        QTest::newRow("colon") << "x"
                               << ": not a comment";
        QTest::newRow("empty") << "x"
                               << "";
        QTest::newRow("utf-8") << "x"
                               << "Grüße 👋";
    }
    void formatterAndParserRoundTrip() {
        QFETCH(QString, event);
        QFETCH(QString, data);
        const std::string text = gh::wire::formatSseEvent(event.toStdString(), data.toStdString());
        const auto events = gh::test::sseEvents(text);
        QCOMPARE(events.size(), std::size_t(1));
        QCOMPARE(events[0].event, event.toStdString());
        QCOMPARE(events[0].data, data.toStdString());
    }
};

QTEST_APPLESS_MAIN(TestWireSse)
#include "tst_wire_sse.moc"
