#include "policy/diff.h"

#include <algorithm>
#include <vector>

namespace gh::policy {
namespace {

std::vector<std::string_view> lines(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto nl = std::min(text.find('\n', start), text.size());
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

enum class Op : char { Keep = ' ', Remove = '-', Add = '+' };
struct Edit {
    Op op;
    std::size_t a, b; // line index in before / after
};

// Myers' O((N+M)D) shortest edit script over the middle (common prefix and suffix trimmed
// first, which is most of a policy edit). Past kMaxD differences it gives up on minimality and
// replaces the rest wholesale: still a correct diff, just not the shortest.
std::vector<Edit> editScript(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
    std::size_t pre = 0;
    while (pre < a.size() && pre < b.size() && a[pre] == b[pre])
        ++pre;
    std::size_t suf = 0;
    while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf])
        ++suf;
    std::vector<Edit> out;
    for (std::size_t i = 0; i < pre; ++i)
        out.push_back({Op::Keep, i, i});

    const long n = long(a.size() - pre - suf), m = long(b.size() - pre - suf);
    auto A = [&](long i) { return a[pre + std::size_t(i)]; };
    auto B = [&](long j) { return b[pre + std::size_t(j)]; };
    constexpr long kMaxD = 1000; // bounds memory: kMaxD * (2 * kMaxD) positions kept
    const long max = std::min(n + m, kMaxD);
    const long offset = max + 1;
    std::vector<long> v(std::size_t(2 * max + 3), 0);
    std::vector<std::vector<long>> trace;
    long found = -1;
    for (long d = 0; d <= max && found < 0; ++d) {
        trace.push_back(v);
        for (long k = -d; k <= d; k += 2) {
            long x = (k == -d || (k != d && v[std::size_t(offset + k - 1)] < v[std::size_t(offset + k + 1)]))
                         ? v[std::size_t(offset + k + 1)]
                         : v[std::size_t(offset + k - 1)] + 1;
            long y = x - k;
            while (x < n && y < m && A(x) == B(y))
                ++x, ++y;
            v[std::size_t(offset + k)] = x;
            if (x >= n && y >= m) {
                found = d;
                break;
            }
        }
    }
    std::vector<Edit> middle;
    if (found < 0) {
        for (long i = 0; i < n; ++i)
            middle.push_back({Op::Remove, pre + std::size_t(i), pre});
        for (long j = 0; j < m; ++j)
            middle.push_back({Op::Add, pre + std::size_t(n), pre + std::size_t(j)});
    } else {
        long x = n, y = m;
        for (long d = found; d > 0; --d) {
            const auto& pv = trace[std::size_t(d)];
            const long k = x - y;
            const bool down = k == -d || (k != d && pv[std::size_t(offset + k - 1)] < pv[std::size_t(offset + k + 1)]);
            const long pk = down ? k + 1 : k - 1;
            const long px = pv[std::size_t(offset + pk)], py = px - pk;
            while (x > px && y > py) {
                --x, --y;
                middle.push_back({Op::Keep, pre + std::size_t(x), pre + std::size_t(y)});
            }
            if (down)
                middle.push_back({Op::Add, pre + std::size_t(px), pre + std::size_t(py)});
            else
                middle.push_back({Op::Remove, pre + std::size_t(px), pre + std::size_t(py)});
            x = px, y = py;
        }
        while (x > 0 && y > 0) {
            --x, --y;
            middle.push_back({Op::Keep, pre + std::size_t(x), pre + std::size_t(y)});
        }
        std::reverse(middle.begin(), middle.end());
    }
    out.insert(out.end(), middle.begin(), middle.end());
    for (std::size_t i = 0; i < suf; ++i)
        out.push_back({Op::Keep, a.size() - suf + i, b.size() - suf + i});
    return out;
}

std::string range(std::size_t start, std::size_t count) {
    // diff -u numbers lines from 1; an empty range names the line before it.
    const std::size_t first = count == 0 ? start : start + 1;
    return count == 1 ? std::to_string(first) : std::to_string(first) + "," + std::to_string(count);
}

// Lines [start, end) of the base become `lines`.
struct Hunk {
    std::size_t start = 0, end = 0;
    std::vector<std::string_view> lines;
    bool operator==(const Hunk&) const = default;
};

std::vector<Hunk> hunks(const std::vector<std::string_view>& base, const std::vector<std::string_view>& other) {
    const auto edits = editScript(base, other);
    std::vector<Hunk> out;
    for (std::size_t i = 0; i < edits.size();) {
        if (edits[i].op == Op::Keep) {
            ++i;
            continue;
        }
        Hunk h;
        h.start = h.end = edits[i].a;
        for (; i < edits.size() && edits[i].op != Op::Keep; ++i) {
            if (edits[i].op == Op::Remove)
                h.end = edits[i].a + 1;
            else
                h.lines.push_back(other[edits[i].b]);
        }
        out.push_back(std::move(h));
    }
    return out;
}

// Two changes of the same base interfere when their ranges overlap or touch (an insertion next
// to a changed line included): which order they belong in is then a guess, so it is refused.
bool interfere(const Hunk& a, const Hunk& b) { return a.start <= b.end && b.start <= a.end; }

} // namespace

std::optional<std::string> mergeLines(std::string_view base, std::string_view mine, std::string_view theirs) {
    const auto b = lines(base);
    const auto m = hunks(b, lines(mine)), t = hunks(b, lines(theirs));
    std::vector<Hunk> all;
    for (const Hunk& h : m) {
        for (const Hunk& o : t)
            if (interfere(h, o) && !(h == o))
                return std::nullopt;
        all.push_back(h);
    }
    for (const Hunk& o : t)
        if (std::find(m.begin(), m.end(), o) == m.end())
            all.push_back(o);
    std::stable_sort(all.begin(), all.end(), [](const Hunk& x, const Hunk& y) { return x.start < y.start; });
    std::string out;
    std::size_t next = 0; // the next base line to copy
    auto append = [&out](std::string_view line) {
        out.append(line);
        out.push_back('\n');
    };
    for (const Hunk& h : all) {
        for (; next < h.start; ++next)
            append(b[next]);
        for (std::string_view line : h.lines)
            append(line);
        next = std::max(next, h.end);
    }
    for (; next < b.size(); ++next)
        append(b[next]);
    return out;
}

std::string unifiedDiff(std::string_view before, std::string_view after, std::string_view beforeLabel,
                        std::string_view afterLabel, int context) {
    const auto a = lines(before), b = lines(after);
    const auto edits = editScript(a, b);
    const std::size_t ctx = std::size_t(std::max(0, context));
    std::string out;
    std::size_t i = 0;
    while (i < edits.size()) {
        while (i < edits.size() && edits[i].op == Op::Keep)
            ++i;
        if (i == edits.size())
            break;
        // A hunk: from ctx lines before this change to ctx lines after the last change that is
        // closer than 2*ctx lines to the previous one.
        std::size_t start = i >= ctx ? i - ctx : 0;
        std::size_t end = i;
        while (end < edits.size()) {
            if (edits[end].op != Op::Keep) {
                ++end;
                continue;
            }
            std::size_t run = end;
            while (run < edits.size() && edits[run].op == Op::Keep)
                ++run;
            if (run == edits.size() || run - end > 2 * ctx) {
                end = std::min(run, end + ctx);
                break;
            }
            end = run;
        }
        std::size_t aStart = edits[start].a, bStart = edits[start].b, aCount = 0, bCount = 0;
        std::string body;
        for (std::size_t e = start; e < end; ++e) {
            const auto& ed = edits[e];
            const std::string_view text = ed.op == Op::Add ? b[ed.b] : a[ed.a];
            body += char(ed.op);
            body += text;
            body += '\n';
            aCount += ed.op != Op::Add;
            bCount += ed.op != Op::Remove;
        }
        if (out.empty())
            out = "--- " + std::string(beforeLabel) + "\n+++ " + std::string(afterLabel) + "\n";
        out += "@@ -" + range(aStart, aCount) + " +" + range(bStart, bCount) + " @@\n" + body;
        i = end;
    }
    return out;
}

} // namespace gh::policy
