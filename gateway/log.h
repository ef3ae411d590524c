#pragma once
// Structured log lines on stderr: `ts=... level=info msg="..." key=value ...`, one per event.
// Only values the caller passes are printed; never pass a secret (keys, tokens, prompts).
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace gh::gateway::log {

using Field = std::pair<std::string_view, std::string>;

void info(std::string_view message, std::initializer_list<Field> fields = {});
void warn(std::string_view message, std::initializer_list<Field> fields = {});
void error(std::string_view message, std::initializer_list<Field> fields = {});

// Silences info lines (tests and benchmarks).
void setQuiet(bool quiet);

} // namespace gh::gateway::log
