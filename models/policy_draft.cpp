#include "models/policy_draft.h"

#include "policy/validator.h"
#include "policy/yaml_codec.h"

#include <algorithm>
#include <set>

namespace gh::console {

struct PolicyDraft::State {
    QString runningYaml;
    qint64 runningVersion = 0;
    QString runningEtag;
    QString yaml;
    policy::Document document;
    std::vector<policy::Diagnostic> diagnostics;
    std::shared_ptr<const policy::Evaluator> evaluator;
    bool documentCurrent = true;
    bool readOnly = false;

    // The one place the console parses and validates a policy. Returns false (and keeps the
    // previous document) when the text does not parse, so the forms do not empty while someone
    // types in the YAML tab. `edited`: the document a form produced, kept as is when its
    // canonical text has a shape error (an empty id, say) so the forms show what was typed.
    bool load(const QString& text, const policy::Document* edited) {
        const std::string utf8 = text.toStdString();
        policy::ParseResult parsed = policy::parseYaml(utf8);
        diagnostics = std::move(parsed.diagnostics);
        evaluator.reset();
        if (policy::hasErrors(diagnostics)) {
            documentCurrent = edited != nullptr;
            if (!edited)
                return false;
            document = *edited;
            return true;
        }
        documentCurrent = true;
        document = std::move(parsed.document);
        auto problems = policy::validate(document);
        diagnostics.insert(diagnostics.end(), problems.begin(), problems.end());
        policy::sortByPosition(diagnostics);
        if (!policy::hasErrors(diagnostics))
            evaluator = policy::Evaluator::compile(document);
        return true;
    }
};

PolicyDraft::PolicyDraft(QObject* parent) : QObject(parent), s_(std::make_unique<State>()) {}
PolicyDraft::~PolicyDraft() = default;

void PolicyDraft::resetToRunning(const QString& yaml, qint64 version, const QString& etag) {
    s_->runningYaml = yaml;
    s_->runningVersion = version;
    s_->runningEtag = etag;
    s_->yaml = yaml;
    const DraftChange reset;
    emit aboutToEdit(reset);
    s_->load(yaml, nullptr);
    emit edited(reset);
    emit runningChanged();
    emit changed();
}

void PolicyDraft::rebase(const QString& yaml, qint64 version, const QString& etag) {
    s_->runningYaml = yaml;
    s_->runningVersion = version;
    s_->runningEtag = etag;
    emit runningChanged();
}

QString PolicyDraft::runningYaml() const {
    return s_->runningYaml;
}
qint64 PolicyDraft::runningVersion() const {
    return s_->runningVersion;
}
QString PolicyDraft::runningEtag() const {
    return s_->runningEtag;
}
QString PolicyDraft::yaml() const {
    return s_->yaml;
}
const policy::Document& PolicyDraft::document() const {
    return s_->document;
}
const std::vector<policy::Diagnostic>& PolicyDraft::diagnostics() const {
    return s_->diagnostics;
}
bool PolicyDraft::hasErrors() const {
    return policy::hasErrors(s_->diagnostics);
}
bool PolicyDraft::isModified() const {
    return s_->yaml != s_->runningYaml;
}
bool PolicyDraft::isDocumentCurrent() const {
    return s_->documentCurrent;
}
std::shared_ptr<const policy::Evaluator> PolicyDraft::evaluator() const {
    return s_->evaluator;
}
bool PolicyDraft::isReadOnly() const {
    return s_->readOnly;
}

std::vector<policy::Diagnostic> PolicyDraft::diagnosticsFor(policy::Section section, int index) const {
    std::vector<policy::Diagnostic> out;
    for (const auto& d : s_->diagnostics)
        if (d.section == section && d.index == index)
            out.push_back(d);
    return out;
}

void PolicyDraft::setReadOnly(bool readOnly) {
    if (s_->readOnly == readOnly)
        return;
    s_->readOnly = readOnly;
    emit readOnlyChanged(readOnly);
}

void PolicyDraft::setYaml(const QString& text) {
    if (s_->readOnly || text == s_->yaml)
        return;
    // Parse before announcing: a text that does not parse changes the diagnostics only.
    State next;
    if (!next.load(text, nullptr)) {
        s_->yaml = text;
        s_->diagnostics = std::move(next.diagnostics);
        s_->evaluator.reset();
        s_->documentCurrent = false;
        emit changed();
        return;
    }
    const DraftChange reset;
    emit aboutToEdit(reset);
    s_->yaml = text;
    s_->document = std::move(next.document);
    s_->diagnostics = std::move(next.diagnostics);
    s_->evaluator = std::move(next.evaluator);
    s_->documentCurrent = true;
    emit edited(reset);
    emit changed();
}

void PolicyDraft::setDocument(policy::Document document) {
    if (s_->readOnly)
        return;
    apply(DraftChange{}, std::move(document));
}

void PolicyDraft::apply(const DraftChange& change, policy::Document next) {
    emit aboutToEdit(change);
    s_->yaml = QString::fromStdString(policy::toYaml(next));
    s_->load(s_->yaml, &next);
    emit edited(change);
    emit changed();
}

template <class Items, class Item>
void PolicyDraft::insertItem(policy::Section section, Items policy::Document::*items, int index, Item item) {
    if (s_->readOnly)
        return;
    policy::Document next = s_->document;
    auto& list = next.*items;
    index = std::clamp(index, 0, int(list.size()));
    list.insert(list.begin() + index, std::move(item));
    apply({DraftChange::Kind::Inserted, section, index, -1}, std::move(next));
}

template <class Items>
void PolicyDraft::removeItem(policy::Section section, Items policy::Document::*items, int index) {
    if (s_->readOnly || index < 0 || index >= int((s_->document.*items).size()))
        return;
    policy::Document next = s_->document;
    auto& list = next.*items;
    list.erase(list.begin() + index);
    apply({DraftChange::Kind::Removed, section, index, -1}, std::move(next));
}

template <class Items, class Item>
void PolicyDraft::updateItem(policy::Section section, Items policy::Document::*items, int index, Item item) {
    if (s_->readOnly || index < 0 || index >= int((s_->document.*items).size()))
        return;
    if ((s_->document.*items)[std::size_t(index)] == item)
        return;
    policy::Document next = s_->document;
    (next.*items)[std::size_t(index)] = std::move(item);
    apply({DraftChange::Kind::Updated, section, index, -1}, std::move(next));
}

template <class Items>
void PolicyDraft::moveItem(policy::Section section, Items policy::Document::*items, int from, int to) {
    const int size = int((s_->document.*items).size());
    if (s_->readOnly || from < 0 || from >= size || to < 0 || to >= size || from == to)
        return;
    policy::Document next = s_->document;
    auto& list = next.*items;
    auto item = std::move(list[std::size_t(from)]);
    list.erase(list.begin() + from);
    list.insert(list.begin() + to, std::move(item));
    apply({DraftChange::Kind::Moved, section, from, to}, std::move(next));
}

using policy::Document;
using policy::Section;

void PolicyDraft::insertRule(int index, policy::Rule rule) {
    insertItem(Section::Routes, &Document::routes, index, std::move(rule));
}
void PolicyDraft::removeRule(int index) {
    removeItem(Section::Routes, &Document::routes, index);
}
void PolicyDraft::moveRule(int from, int to) {
    moveItem(Section::Routes, &Document::routes, from, to);
}
void PolicyDraft::updateRule(int index, policy::Rule rule) {
    updateItem(Section::Routes, &Document::routes, index, std::move(rule));
}

void PolicyDraft::setRepositories(std::vector<policy::RepositoryClass> repositories) {
    if (s_->readOnly || repositories == s_->document.repositories)
        return;
    Document next = s_->document;
    next.repositories = std::move(repositories);
    apply({DraftChange::Kind::Reset, Section::Repositories, -1, -1}, std::move(next));
}
void PolicyDraft::insertRepository(int index, policy::RepositoryClass repository) {
    insertItem(Section::Repositories, &Document::repositories, index, std::move(repository));
}
void PolicyDraft::removeRepository(int index) {
    removeItem(Section::Repositories, &Document::repositories, index);
}
void PolicyDraft::moveRepository(int from, int to) {
    moveItem(Section::Repositories, &Document::repositories, from, to);
}
void PolicyDraft::updateRepository(int index, policy::RepositoryClass repository) {
    updateItem(Section::Repositories, &Document::repositories, index, std::move(repository));
}

void PolicyDraft::setConstraints(std::vector<policy::Constraint> constraints) {
    if (s_->readOnly || constraints == s_->document.constraints)
        return;
    Document next = s_->document;
    next.constraints = std::move(constraints);
    apply({DraftChange::Kind::Reset, Section::Constraints, -1, -1}, std::move(next));
}
void PolicyDraft::insertConstraint(int index, policy::Constraint constraint) {
    insertItem(Section::Constraints, &Document::constraints, index, std::move(constraint));
}
void PolicyDraft::removeConstraint(int index) {
    removeItem(Section::Constraints, &Document::constraints, index);
}
void PolicyDraft::updateConstraint(int index, policy::Constraint constraint) {
    updateItem(Section::Constraints, &Document::constraints, index, std::move(constraint));
}

QStringList PolicyDraft::teamIds() const {
    QStringList out;
    for (const auto& t : s_->document.teams)
        out << QString::fromStdString(t.id);
    return out;
}

QStringList PolicyDraft::taskNames() const {
    QStringList out;
    for (const auto& t : s_->document.tasks)
        out << QString::fromStdString(t.value);
    return out;
}

QStringList PolicyDraft::endpointIds() const {
    QStringList out;
    for (const auto& e : s_->document.endpoints)
        out << QString::fromStdString(e.id);
    return out;
}

QStringList PolicyDraft::modelsOf(const QString& endpointId) const {
    QStringList out;
    if (const auto* e = s_->document.findEndpoint(endpointId.toStdString()))
        for (const auto& m : e->models)
            out << QString::fromStdString(m.name);
    return out;
}

QStringList PolicyDraft::servedModels() const {
    std::set<std::string> names;
    for (const auto& e : s_->document.endpoints)
        for (const auto& m : e.models)
            names.insert(m.name);
    QStringList out;
    for (const auto& n : names)
        out << QString::fromStdString(n);
    return out;
}

QStringList PolicyDraft::budgetIds() const {
    QStringList out;
    for (const auto& b : s_->document.budgets)
        out << QString::fromStdString(b.id);
    return out;
}

QString PolicyDraft::uniqueRuleId(const QString& base) const {
    auto taken = [&](const QString& id) {
        const std::string s = id.toStdString();
        return std::any_of(s_->document.routes.begin(), s_->document.routes.end(),
                           [&](const policy::Rule& r) { return r.id == s; });
    };
    if (!taken(base))
        return base;
    for (int n = 2;; ++n)
        if (const QString id = QStringLiteral("%1-%2").arg(base).arg(n); !taken(id))
            return id;
}

} // namespace gh::console
