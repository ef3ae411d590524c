#pragma once
// Helpers shared by the wire suites: fixtures, JSON parsing and comparison, SSE transcripts.
//
// moc reads raw string literals as ordinary ones, so inside the JSON strings of the suites' R"(...)"
// literals the characters that would unbalance its view ({, }, ') are written as JSON escapes
// (\u007b, \u007d, \u0027). Longer documents live in fixtures/.
#include "support/testdata.h"
#include "wire/sse.h"

#include <boost/json.hpp>

#include <QTest>

#include <string>
#include <vector>

namespace gh::test {

inline std::string fixture(const char* name) {
    return readText(sourcePath(QStringLiteral("tests/wire/fixtures/") + QString::fromUtf8(name)));
}

inline boost::json::object parseObject(std::string_view text) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(text, ec);
    if (ec || !v.is_object())
        qFatal("test JSON is not an object: %.*s", static_cast<int>(text.size()), text.data());
    return std::move(v.get_object());
}

inline boost::json::object fixtureObject(const char* name) {
    return parseObject(fixture(name));
}

// All events of an SSE transcript, parsed in one piece.
inline std::vector<wire::SseEvent> sseEvents(std::string_view text) {
    wire::SseParser parser;
    std::vector<wire::SseEvent> events;
    if (!parser.feed(text, events))
        qFatal("SSE transcript rejected");
    return events;
}

// The JSON objects of a transcript's data lines, without OpenAI's [DONE].
inline std::vector<boost::json::object> sseObjects(std::string_view text) {
    std::vector<boost::json::object> out;
    for (const auto& e : sseEvents(text))
        if (e.data != "[DONE]")
            out.push_back(parseObject(e.data));
    return out;
}

inline std::string str(const boost::json::value& v) {
    return boost::json::serialize(v);
}

} // namespace gh::test

// Compares JSON values (object member order ignored) and prints both on failure.
#define QCOMPARE_JSON(actual, expected)                                                                                \
    do {                                                                                                               \
        const boost::json::value actual_ = (actual);                                                                   \
        const boost::json::value expected_ = (expected);                                                               \
        QVERIFY2(actual_ == expected_,                                                                                 \
                 qPrintable(QString::fromStdString("\n   actual: " + gh::test::str(actual_) +                          \
                                                   "\n expected: " + gh::test::str(expected_))));                      \
    } while (false)
