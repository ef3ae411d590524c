#pragma once
#include "policy/document.h"

#include <string>
#include <string_view>
#include <vector>

namespace gh::policy {

enum class Severity : std::uint8_t { Error, Warning };

// Where in the document a problem is, so that the console can show it beside the item.
enum class Section : std::uint8_t { Document, Endpoints, Credentials, Teams, Tasks, Repositories, Constraints, Routes, Budgets };

struct Diagnostic {
    Severity severity = Severity::Error;
    Pos pos;
    std::string message;
    Section section = Section::Document;
    int index = -1; // index of the item within its section, -1 for the section or document
};

// "document", "endpoints", ... as the policy file names its sections.
const char* toString(Section section);

// "FILE:LINE:COL: error: message", the way compilers print, so editors can jump to it.
std::string format(const Diagnostic& d, std::string_view file);
bool hasErrors(const std::vector<Diagnostic>& diagnostics);
// Document order (line, then column); items without a position keep their relative order.
void sortByPosition(std::vector<Diagnostic>& diagnostics);

} // namespace gh::policy
