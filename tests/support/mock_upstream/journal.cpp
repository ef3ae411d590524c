#include "journal.h"

#include <boost/json.hpp>

#include <chrono>
#include <string_view>

namespace mock {
namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 8> injected_names = {"fail-429", "fail-500",         "fail-503",    "fail-529",
                                                            "reset",    "reset-mid-stream", "slow-stream", "hang"};

constexpr std::array<std::string_view, static_cast<std::size_t>(Endpoint::count_)> endpoint_names = {
    "openai_chat", "azure_chat", "foundry_chat", "anthropic_messages", "models", "not_found"};

void append_serialized(std::string& out, const json::value& v) {
    json::serializer sr;
    sr.reset(&v);
    while (!sr.done()) {
        const std::size_t old = out.size();
        out.resize(old + 4096);
        const auto chunk = sr.read(out.data() + old, 4096);
        out.resize(old + chunk.size());
    }
}

std::string lowercase(std::string_view s) {
    std::string r(s);
    for (char& c : r)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return r;
}

} // namespace

void Journal::record(const Request& req, unsigned status, bool stream, std::string_view injected) {
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    std::lock_guard lock(mutex_);
    Entry& e = ring_[next_];
    next_ = (next_ + 1) % capacity;
    if (count_ < capacity)
        ++count_;
    e.seq = ++seq_;
    e.time_ms = now;
    e.method.assign(req.method);
    e.target.assign(req.target);
    if (e.headers.size() < req.headers.size())
        e.headers.resize(req.headers.size());
    e.header_count = req.headers.size();
    for (std::size_t i = 0; i < req.headers.size(); ++i) {
        e.headers[i].first.assign(req.headers[i].name);
        e.headers[i].second.assign(req.headers[i].value);
    }
    // Bodies are kept whole up to a cap; a buffer grown by a huge body is given back later.
    const std::string_view body = req.body.substr(0, body_cap);
    if (e.body.capacity() > 4 * body.size() + 65536)
        std::string().swap(e.body);
    e.body.assign(body);
    e.body_truncated = body.size() < req.body.size();
    e.status = status;
    e.stream = stream;
    e.injected.assign(injected);
}

std::size_t Journal::clear() {
    std::lock_guard lock(mutex_);
    const std::size_t n = count_;
    count_ = 0;
    next_ = 0;
    return n;
}

std::size_t Journal::size() const {
    std::lock_guard lock(mutex_);
    return count_;
}

void Journal::dump(std::string& out) const {
    json::array arr;
    {
        std::lock_guard lock(mutex_);
        arr.reserve(count_);
        const std::size_t first = (next_ + capacity - count_) % capacity;
        for (std::size_t k = 0; k < count_; ++k) {
            const Entry& e = ring_[(first + k) % capacity];
            json::object headers;
            for (std::size_t i = 0; i < e.header_count; ++i) {
                const std::string name = lowercase(e.headers[i].first);
                if (auto* existing = headers.if_contains(name); existing && existing->is_string()) {
                    std::string joined(existing->get_string());
                    joined.append(", ").append(e.headers[i].second);
                    *existing = joined;
                } else {
                    headers[name] = e.headers[i].second;
                }
            }
            json::value body;
            if (!e.body.empty() && !e.body_truncated) {
                std::error_code ec;
                body = json::parse(e.body, ec);
                if (ec)
                    body = json::string(e.body);
            } else if (e.body_truncated) {
                body = json::string(e.body);
            }
            json::object o;
            o["seq"] = e.seq;
            o["time_ms"] = e.time_ms;
            o["method"] = e.method;
            o["target"] = e.target;
            o["headers"] = std::move(headers);
            o["body"] = std::move(body);
            if (e.body_truncated)
                o["body_truncated"] = true;
            o["status"] = e.status;
            o["stream"] = e.stream;
            if (e.injected.empty())
                o["injected"] = nullptr;
            else
                o["injected"] = e.injected;
            arr.emplace_back(std::move(o));
        }
    }
    json::value v(std::move(arr));
    append_serialized(out, v);
}

void Stats::count_request(Endpoint e, unsigned status, bool stream, std::string_view injected) {
    requests_.fetch_add(1, std::memory_order_relaxed);
    endpoints_[static_cast<std::size_t>(e)].fetch_add(1, std::memory_order_relaxed);
    statuses_[status < statuses_.size() ? status : 0].fetch_add(1, std::memory_order_relaxed);
    if (stream)
        streams_.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t i = 0; i < injected_names.size() && !injected.empty(); ++i)
        if (injected_names[i] == injected)
            injected_[i].fetch_add(1, std::memory_order_relaxed);
}

void Stats::clear() {
    requests_ = 0;
    streams_ = 0;
    for (auto& c : endpoints_)
        c = 0;
    for (auto& c : statuses_)
        c = 0;
    for (auto& c : injected_)
        c = 0;
    accepted_ = 0; // active and hanging are gauges: they stay
}

void Stats::dump(std::string& out, std::size_t journal_size) const {
    json::object o;
    o["requests"] = requests_.load(std::memory_order_relaxed);
    o["streams"] = streams_.load(std::memory_order_relaxed);
    json::object by_endpoint;
    for (std::size_t i = 0; i < endpoints_.size(); ++i)
        by_endpoint[endpoint_names[i]] = endpoints_[i].load(std::memory_order_relaxed);
    o["by_endpoint"] = std::move(by_endpoint);
    json::object by_status;
    for (std::size_t i = 0; i < statuses_.size(); ++i)
        if (const auto n = statuses_[i].load(std::memory_order_relaxed); n != 0)
            by_status[i == 0 ? std::string("none") : std::to_string(i)] = n;
    o["by_status"] = std::move(by_status);
    json::object injected;
    for (std::size_t i = 0; i < injected_.size(); ++i)
        injected[injected_names[i]] = injected_[i].load(std::memory_order_relaxed);
    o["injected"] = std::move(injected);
    json::object connections;
    connections["accepted"] = accepted_.load(std::memory_order_relaxed);
    connections["active"] = active_.load(std::memory_order_relaxed);
    connections["hanging"] = hanging_.load(std::memory_order_relaxed);
    o["connections"] = std::move(connections);
    o["journal_size"] = journal_size;
    json::value v(std::move(o));
    append_serialized(out, v);
}

} // namespace mock
