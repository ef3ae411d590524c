#include "log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace gh::gateway::log {
namespace {

std::atomic<bool> quietMode{false};

void quoteInto(std::string& out, std::string_view value) {
    const bool plain = !value.empty() && value.find_first_of(" \"=\\\n\r\t") == std::string_view::npos;
    if (plain) {
        out += value;
        return;
    }
    out += '"';
    for (char c : value) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            // Control characters would let a caller forge log lines.
            if (static_cast<unsigned char>(c) < 0x20)
                out += '?';
            else
                out += c;
        }
    }
    out += '"';
}

void write(const char* level, std::string_view message, std::initializer_list<Field> fields) {
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t secs = std::time_t(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[96];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
    std::string line = "ts=";
    line += stamp;
    line += " level=";
    line += level;
    line += " msg=";
    quoteInto(line, message);
    for (const auto& [key, value] : fields) {
        line += ' ';
        line += key;
        line += '=';
        quoteInto(line, value);
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr); // one write: lines from threads never interleave
}

} // namespace

void info(std::string_view message, std::initializer_list<Field> fields) {
    if (!quietMode.load(std::memory_order_relaxed))
        write("info", message, fields);
}
void warn(std::string_view message, std::initializer_list<Field> fields) { write("warn", message, fields); }
void error(std::string_view message, std::initializer_list<Field> fields) { write("error", message, fields); }
void setQuiet(bool quiet) { quietMode = quiet; }

} // namespace gh::gateway::log
