#pragma once
// The policy being edited in the console: the running version it started from, and the draft
// (its YAML text and the document parsed from it), validated by the core validator after every
// change. Every editor (rule list, rule form, catalog, constraints, the YAML tab), the simulator
// and Review/Apply work on this one object, so they always agree.
//
// The text is what Apply sends. A form edit rewrites it as canonical YAML (core toYaml); an edit
// in the YAML tab keeps the text as typed and, when it parses, updates the document. When the
// text does not parse, document() stays the last one that did and diagnostics() says why.
//
// Item models must not reset (and lose the view's selection and scroll position) on every edit,
// so each edit is announced twice, around the change: aboutToEdit() while document() is still
// the old one, edited() once it is the new one. A model turns Inserted/Removed/Moved into
// beginInsertRows/endInsertRows and friends. Reset means the whole section (or, with
// Section::Document, the whole document) may differ; models reconcile it themselves.
#include "policy/diagnostic.h"
#include "policy/document.h"
#include "policy/evaluator.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace gh::console {

struct DraftChange {
    enum class Kind : std::uint8_t { Reset, Inserted, Removed, Moved, Updated };
    Kind kind = Kind::Reset;
    policy::Section section = policy::Section::Document; // Document: any part may have changed
    int index = -1;                                      // the item inserted, removed, moved or updated
    int to = -1;                                         // Moved: the index the item ends up at

    // True when a model showing `s` must look at this change.
    bool concerns(policy::Section s) const { return section == s || section == policy::Section::Document; }
};

class PolicyDraft : public QObject {
    Q_OBJECT
public:
    explicit PolicyDraft(QObject* parent = nullptr);
    ~PolicyDraft() override;

    // The version running on the gateway. resetToRunning() also makes the draft a copy of it
    // (edits are dropped); rebase() keeps the draft (after a conflict, to apply it on top of the
    // newer version).
    void resetToRunning(const QString& yaml, qint64 version, const QString& etag);
    void rebase(const QString& yaml, qint64 version, const QString& etag);
    QString runningYaml() const;
    qint64 runningVersion() const; // 0 before anything was loaded
    QString runningEtag() const;

    QString yaml() const;                                       // the draft's text: what Apply sends
    const policy::Document& document() const;                   // the last text that parsed
    const std::vector<policy::Diagnostic>& diagnostics() const; // parse + validator, document order
    bool hasErrors() const;
    bool isModified() const; // the text differs from the running version's
    // False while the YAML text does not parse: document() is then the last one that did, and
    // a form edit would throw the typed text away, so the forms wait until it parses again.
    bool isDocumentCurrent() const;
    // The draft compiled for the simulator; null while the draft has errors.
    std::shared_ptr<const policy::Evaluator> evaluator() const;

    // The problems of one item (a rule, a catalog entry, ...), in document order. Meaningful
    // only while isDocumentCurrent(): a text that does not parse has no items to point at.
    std::vector<policy::Diagnostic> diagnosticsFor(policy::Section section, int index) const;

    bool isReadOnly() const; // a viewer's console: nothing may change
    void setReadOnly(bool readOnly);

    // Edits (ignored while read-only).
    void setYaml(const QString& text);           // from the YAML tab
    void setDocument(policy::Document document); // from the forms; the text becomes canonical YAML

    // One item at a time, announced precisely (see aboutToEdit). Indexes out of range are
    // ignored; insert positions are clamped to the end.
    void insertRule(int index, policy::Rule rule);
    void removeRule(int index);
    void moveRule(int from, int to); // `to`: the index the rule ends up at
    void updateRule(int index, policy::Rule rule);

    void setRepositories(std::vector<policy::RepositoryClass> repositories);
    void insertRepository(int index, policy::RepositoryClass repository);
    void removeRepository(int index);
    void moveRepository(int from, int to);
    void updateRepository(int index, policy::RepositoryClass repository);

    void setConstraints(std::vector<policy::Constraint> constraints);
    void insertConstraint(int index, policy::Constraint constraint);
    void removeConstraint(int index);
    void updateConstraint(int index, policy::Constraint constraint);

    // Names for pickers and completers, from the document.
    QStringList teamIds() const;
    QStringList taskNames() const; // the policy's tasks, without "none"
    QStringList endpointIds() const;
    QStringList modelsOf(const QString& endpointId) const;
    QStringList servedModels() const; // every model any endpoint serves, sorted, once each
    QStringList budgetIds() const;
    // `base`, or `base-2`, `base-3`, ... whichever no rule uses yet.
    QString uniqueRuleId(const QString& base) const;

signals:
    void aboutToEdit(const gh::console::DraftChange& change); // document() is still the old one
    void edited(const gh::console::DraftChange& change);      // document() is the new one
    void changed();        // the text, the document or the diagnostics changed (from any editor)
    void runningChanged(); // resetToRunning / rebase
    void readOnlyChanged(bool readOnly);

private:
    void apply(const DraftChange& change, policy::Document next);
    template <class Items, class Item>
    void insertItem(policy::Section section, Items policy::Document::*items, int index, Item item);
    template <class Items> void removeItem(policy::Section section, Items policy::Document::*items, int index);
    template <class Items, class Item>
    void updateItem(policy::Section section, Items policy::Document::*items, int index, Item item);
    template <class Items> void moveItem(policy::Section section, Items policy::Document::*items, int from, int to);

    struct State;
    std::unique_ptr<State> s_;
};

} // namespace gh::console
