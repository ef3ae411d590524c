#pragma once
// Review before Apply, and the conflict met when someone else applied first. Both show a
// unified diff computed by the core (policy::unifiedDiff, the same diff the admin API serves).
// Both are opened with open() (window-modal, not a nested event loop), so the rest of the
// console keeps painting and tests drive them like any widget.
#include <QDialog>
#include <QPlainTextEdit>

class QLabel;
class QLineEdit;
class QPushButton;
class QSyntaxHighlighter;

namespace gh::console {

// A read-only unified diff with added lines green, removed lines red (tints that work on light
// and dark palettes).
class DiffView : public QPlainTextEdit {
    Q_OBJECT
public:
    explicit DiffView(QWidget* parent = nullptr);
    // Shows the diff of two policy texts in their canonical form (core toYaml, as the admin
    // API's /policy/diff does), so that comments, layout and number formats do not drown the
    // changes that matter; a text that does not parse is compared as written. `emptyText` when
    // they mean the same.
    void showPolicyDiff(const QString& before, const QString& after, const QString& beforeLabel,
                        const QString& afterLabel, const QString& emptyText);
    int addedLines() const { return added_; }
    int removedLines() const { return removed_; }

private:
    QSyntaxHighlighter* highlighter_ = nullptr;
    int added_ = 0;
    int removed_ = 0;
};

class ReviewDialog : public QDialog {
    Q_OBJECT
public:
    // `problems`: the draft's errors (Apply stays disabled while there are any); `readOnly`: the
    // token's role may not apply (the diff is still shown).
    ReviewDialog(const QString& runningYaml, qint64 runningVersion, const QString& draftYaml, int errorCount,
                 bool readOnly, QWidget* parent = nullptr);

    QString comment() const;
    // While the gateway answers: buttons disabled. An error keeps the dialog open with the reason.
    void setApplying(bool applying);
    void showError(const QString& message);

signals:
    void applyRequested(const QString& comment);

private:
    void updateApplyButton();
    DiffView* diff_ = nullptr;
    QLineEdit* comment_ = nullptr;
    QLabel* error_ = nullptr;
    QPushButton* apply_ = nullptr;
    bool blocked_ = false; // no changes, errors, or read-only
    bool applying_ = false;
};

class ConflictDialog : public QDialog {
    Q_OBJECT
public:
    enum class Choice { KeepDraft, DiscardDraft };
    // `baseYaml`: the version the draft started from; `current`: the version now running.
    // `merges`: the draft's changes and theirs touch different parts of the policy, so keeping
    // the draft puts its changes on top of theirs (otherwise it replaces theirs).
    ConflictDialog(const QString& baseYaml, qint64 baseVersion, const QString& currentYaml, qint64 currentVersion,
                   const QString& currentAuthor, const QString& currentTime, const QString& currentComment,
                   bool merges, QWidget* parent = nullptr);

signals:
    void chosen(gh::console::ConflictDialog::Choice choice);
};

} // namespace gh::console
