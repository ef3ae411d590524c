#pragma once
// Helpers shared by the state.db suites.
#include "support/testdata.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace gh::test {

inline constexpr std::int64_t kStateNow = 1'767'225'600'000; // 2026-01-01T00:00:00Z

inline std::filesystem::path workspaceOf(const QTemporaryDir& dir) { return dir.path().toStdString(); }

// The raw bytes of every file of the workspace (state.db and its -wal and -shm).
inline QByteArray workspaceBytes(const QTemporaryDir& dir) {
    QByteArray all;
    for (const QString& name : QDir(dir.path()).entryList(QDir::Files)) {
        QFile f(dir.filePath(name));
        if (f.open(QIODevice::ReadOnly))
            all += f.readAll();
    }
    return all;
}

inline bool containsBytes(const QByteArray& haystack, const std::string& needle) {
    return haystack.contains(QByteArray::fromStdString(needle));
}

inline bool containsBytes(const QByteArray& haystack, std::span<const std::uint8_t> needle) {
    return haystack.contains(QByteArray(reinterpret_cast<const char*>(needle.data()), int(needle.size())));
}

} // namespace gh::test

// RotationState has a toString() of its own (a string_view, found by ADL), which QCOMPARE would
// pick up and cannot print; compare the names instead.
#define QCOMPARE_STATE(actual, expected) QCOMPARE(std::string(toString(actual)), std::string(toString(expected)))
