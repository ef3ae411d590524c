#include "wire/sse.h"

namespace gh::wire {

bool SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
    if (failed_)
        return false;
    if (atStart_) {
        // The BOM may itself arrive split; hold back a prefix of it until it is decided.
        static constexpr std::string_view kBom = "\xEF\xBB\xBF";
        line_.append(bytes);
        if (line_.size() < kBom.size() && kBom.substr(0, line_.size()) == line_)
            return true;
        atStart_ = false;
        std::string first = line_.compare(0, kBom.size(), kBom) == 0 ? line_.substr(kBom.size()) : line_;
        line_.clear();
        return feed(first, out);
    }
    if (skipLineFeed_ && !bytes.empty()) {
        skipLineFeed_ = false;
        if (bytes.front() == '\n')
            bytes.remove_prefix(1);
    }
    while (!bytes.empty()) {
        const std::size_t end = bytes.find_first_of("\r\n");
        if (end == std::string_view::npos) {
            if (line_.size() + bytes.size() + pending_.data.size() > maxEventBytes_) {
                failed_ = true;
                return false;
            }
            line_.append(bytes);
            return true;
        }
        // Complete lines are processed straight from the input; only a line split across
        // chunks is copied.
        if (line_.empty()) {
            processLine(bytes.substr(0, end), out);
        } else {
            line_.append(bytes.substr(0, end));
            processLine(line_, out);
            line_.clear();
        }
        if (failed_)
            return false;
        const bool cr = bytes[end] == '\r';
        bytes.remove_prefix(end + 1);
        if (cr) {
            if (bytes.empty())
                skipLineFeed_ = true;
            else if (bytes.front() == '\n')
                bytes.remove_prefix(1);
        }
    }
    return true;
}

void SseParser::processLine(std::string_view line, std::vector<SseEvent>& out) {
    if (line.empty()) {
        if (sawDataField_) {
            if (!pending_.data.empty() && pending_.data.back() == '\n')
                pending_.data.pop_back();
            out.push_back(std::move(pending_));
        }
        pending_ = SseEvent{};
        sawDataField_ = false;
        return;
    }
    if (line.front() == ':')
        return;
    std::string_view field = line;
    std::string_view value;
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ')
            value.remove_prefix(1);
    }
    if (field == "data") {
        if (pending_.data.size() + value.size() + 1 > maxEventBytes_) {
            failed_ = true;
            return;
        }
        pending_.data.append(value);
        pending_.data.push_back('\n');
        sawDataField_ = true;
    } else if (field == "event") {
        pending_.event.assign(value);
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos)
            pending_.id.assign(value);
    }
}

void appendSseEvent(std::string& out, std::string_view event, std::string_view data) {
    if (!event.empty()) {
        out.append("event: ");
        out.append(event);
        out.push_back('\n');
    }
    // Split on every line ending the parser recognises, so the round trip is exact for "\n".
    while (true) {
        const std::size_t end = data.find_first_of("\r\n");
        out.append("data: ");
        out.append(data.substr(0, end));
        out.push_back('\n');
        if (end == std::string_view::npos)
            break;
        const bool crlf = data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n';
        data.remove_prefix(end + (crlf ? 2 : 1));
    }
    out.push_back('\n');
}

std::string formatSseEvent(std::string_view event, std::string_view data) {
    std::string out;
    out.reserve(event.size() + data.size() + 16);
    appendSseEvent(out, event, data);
    return out;
}

} // namespace gh::wire
