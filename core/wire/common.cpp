#include "wire/common.h"

namespace gh::wire {

std::string_view toString(Format format) {
    switch (format) {
    case Format::OpenAI:
        return "openai";
    case Format::Anthropic:
        return "anthropic";
    }
    return "unknown";
}

} // namespace gh::wire
