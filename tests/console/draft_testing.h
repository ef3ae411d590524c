#pragma once
// Shared by the editor's suites (no gateway): the example policy's text and a draft's rule ids.
#include "models/policy_draft.h"

#include <QFile>
#include <QString>
#include <QStringList>

namespace gh::test {

// resources/policies/example.yaml, read from the source tree.
inline QString exampleYaml() {
    QFile file(QStringLiteral(GATEHOUSE_SOURCE_DIR) + QStringLiteral("/resources/policies/example.yaml"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the example policy");
    return QString::fromUtf8(file.readAll());
}

// The draft's rule ids, in order.
inline QStringList ruleIds(const console::PolicyDraft& draft) {
    QStringList out;
    for (const auto& r : draft.document().routes)
        out << QString::fromStdString(r.id);
    return out;
}

} // namespace gh::test
