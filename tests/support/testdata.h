#pragma once
// Paths and small helpers shared by the test suites.
#include <QFile>
#include <QString>
#include <QTest>

#include <string>

// Print std::string values when a QCOMPARE fails.
namespace QTest {
template <>
inline char* toString(const std::string& s) {
    return qstrdup(s.c_str());
}
} // namespace QTest

namespace gh::test {

inline QString sourcePath(const QString& relative) { return QStringLiteral(GATEHOUSE_SOURCE_DIR "/") + relative; }

inline std::string readText(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    return f.readAll().toStdString();
}

inline std::string examplePolicy() { return readText(sourcePath("resources/policies/example.yaml")); }

} // namespace gh::test
