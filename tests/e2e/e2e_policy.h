#pragma once
// The route policy the end-to-end suites run the gateway with (e2e_policy.yaml), the provider
// secrets of its credentials, and its prices, to compute expected costs independently.
#include <QFile>
#include <QString>
#include <QtGlobal>

namespace gh::test {

// The policy text (tests/e2e/e2e_policy.yaml), read from the source tree. It is a file rather
// than a raw string here because moc's preprocessor mis-reads raw string literals in headers.
inline QString e2ePolicyText() {
    QFile f(QStringLiteral(GATEHOUSE_SOURCE_DIR "/tests/e2e/e2e_policy.yaml"));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    return QString::fromUtf8(f.readAll());
}

// The provider secrets of e2e_policy.yaml's credentials (what `gatehoused credential set` seals).
inline const char* const kE2eCredentials[][2] = {
    {"openai-key", "sk-e2e-openai-7Q2xK9"},     {"azure-key", "az-e2e-azure-4M8pL1"},
    {"foundry-key", "fd-e2e-foundry-6T3vB5"},   {"anthropic-key", "sk-ant-e2e-anthropic-2R9wH4"},
    {"compat-key", "cp-e2e-compat-8N1zD7"},
};

inline QString e2eSecret(const char* credential) {
    for (const auto& c : kE2eCredentials)
        if (qstrcmp(c[0], credential) == 0)
            return QString::fromLatin1(c[1]);
    return {};
}

// Prices of e2e_policy.yaml's models in micro-dollars per million tokens.
struct E2ePrice {
    qint64 input = 0;
    qint64 output = 0;
};

inline E2ePrice e2ePrice(const QString& endpointSlashModel) {
    struct Entry {
        const char* target;
        E2ePrice price;
    };
    static const Entry kPrices[] = {
        {"openai/gpt-4.1", {2'000'000, 8'000'000}},
        {"openai/o4-mini", {1'100'000, 4'400'000}},
        {"azure-eu/gpt-4.1", {1'234'567, 9'876'543}},
        {"foundry-eu/DeepSeek-V3", {1'140'000, 4'560'000}},
        {"anthropic/claude-sonnet-4-5", {3'000'000, 15'000'000}},
        {"gpu-box/qwen2.5-coder:7b", {0, 0}},
        {"workstation/devstral-small", {0, 0}},
        {"compat/llama-3.3-70b", {590'000, 790'000}},
    };
    for (const auto& e : kPrices)
        if (endpointSlashModel == QLatin1String(e.target))
            return e.price;
    qFatal("no price for %s in the e2e policy table", qPrintable(endpointSlashModel));
    return {};
}

// The expected cost, computed independently of core/pricing: tokens x price per million,
// rounded up once to a whole micro-dollar.
inline qint64 e2eCostMicros(const QString& endpointSlashModel, qint64 inputTokens, qint64 outputTokens) {
    const E2ePrice p = e2ePrice(endpointSlashModel);
    const qint64 scaled = inputTokens * p.input + outputTokens * p.output;
    return scaled / 1'000'000 + (scaled % 1'000'000 ? 1 : 0);
}

} // namespace gh::test
