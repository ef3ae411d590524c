#include "policy/document.h"

#include <array>

namespace gh::policy {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<const char*, N>& names, std::string_view text) {
    for (std::size_t i = 0; i < N; ++i)
        if (text == names[i])
            return static_cast<E>(i);
    return std::nullopt;
}

template <std::size_t N>
std::vector<std::string> toVector(const std::array<const char*, N>& names) {
    return {names.begin(), names.end()};
}

constexpr std::array<const char*, 4> kSensitivity{"public", "internal", "confidential", "restricted"};
constexpr std::array<const char*, 7> kKind{"openai", "azure-openai", "anthropic", "foundry",
                                           "ollama", "lmstudio", "openai-compatible"};
constexpr std::array<const char*, 3> kClass{"enterprise", "hosted", "local"};
constexpr std::array<const char*, 4> kPeriod{"day", "week", "month", "custom"};
constexpr std::array<const char*, 6> kScope{"global", "team", "identity", "key", "repo", "task"};

} // namespace

const char* toString(Sensitivity s) { return kSensitivity[std::size_t(s)]; }
const char* toString(EndpointKind k) { return kKind[std::size_t(k)]; }
const char* toString(EndpointClass c) { return kClass[std::size_t(c)]; }
const char* toString(BudgetPeriod p) { return kPeriod[std::size_t(p)]; }
const char* toString(ScopeKind k) { return kScope[std::size_t(k)]; }

std::optional<Sensitivity> sensitivityFromString(std::string_view t) { return lookup<Sensitivity>(kSensitivity, t); }
std::optional<EndpointKind> endpointKindFromString(std::string_view t) { return lookup<EndpointKind>(kKind, t); }
std::optional<EndpointClass> endpointClassFromString(std::string_view t) { return lookup<EndpointClass>(kClass, t); }
std::optional<BudgetPeriod> budgetPeriodFromString(std::string_view t) { return lookup<BudgetPeriod>(kPeriod, t); }
std::optional<ScopeKind> scopeKindFromString(std::string_view t) { return lookup<ScopeKind>(kScope, t); }

const std::vector<std::string>& sensitivityNames() {
    static const auto names = toVector(kSensitivity);
    return names;
}
const std::vector<std::string>& endpointKindNames() {
    static const auto names = toVector(kKind);
    return names;
}
const std::vector<std::string>& endpointClassNames() {
    static const auto names = toVector(kClass);
    return names;
}

std::string toString(SensitivitySet set) {
    if (set.empty())
        return "any";
    for (int i = 0; i < kSensitivityCount; ++i) {
        const auto s = Sensitivity(i);
        if (set == SensitivitySet::of(s))
            return toString(s);
    }
    for (int i = 1; i < kSensitivityCount; ++i) {
        const auto s = Sensitivity(i);
        if (set == SensitivitySet::atLeast(s))
            return std::string(">= ") + toString(s);
    }
    std::string out = "[";
    for (int i = 0; i < kSensitivityCount; ++i) {
        if (!set.contains(Sensitivity(i)))
            continue;
        if (out.size() > 1)
            out += ", ";
        out += toString(Sensitivity(i));
    }
    return out + "]";
}

std::optional<SensitivitySet> sensitivitySetFromString(std::string_view text) {
    auto trim = [](std::string_view v) {
        while (!v.empty() && v.front() == ' ')
            v.remove_prefix(1);
        while (!v.empty() && v.back() == ' ')
            v.remove_suffix(1);
        return v;
    };
    text = trim(text);
    std::string_view op;
    for (std::string_view candidate : {">=", "<=", ">", "<"}) {
        if (text.starts_with(candidate)) {
            op = candidate;
            text = trim(text.substr(candidate.size()));
            break;
        }
    }
    const auto level = sensitivityFromString(text);
    if (!level)
        return std::nullopt;
    const int n = int(*level);
    SensitivitySet set;
    for (int i = 0; i < kSensitivityCount; ++i) {
        const bool in = op.empty() ? i == n : op == ">=" ? i >= n : op == "<=" ? i <= n : op == ">" ? i > n : i < n;
        if (in)
            set.add(Sensitivity(i));
    }
    if (set.empty())
        return std::nullopt; // "> restricted" matches nothing
    return set;
}

std::string toString(const BudgetScope& scope) {
    if (scope.kind == ScopeKind::Global)
        return "global";
    return std::string(toString(scope.kind)) + ":" + scope.value;
}

} // namespace gh::policy
