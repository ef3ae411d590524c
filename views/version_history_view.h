#pragma once
// The policy's history: every applied version with author, time and comment (newest first,
// paged by cursor as the list scrolls), the selected version's changes against the one before
// it, and rollback (a new version that copies an old one; the gateway audits it).
#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace gh::console {

class AdminClient;
class DiffView;
class MessageBar;
class PolicyDraft;
class VersionListModel;

class VersionHistoryView : public QWidget {
    Q_OBJECT
public:
    VersionHistoryView(AdminClient* client, PolicyDraft* draft, MessageBar* messages, QWidget* parent = nullptr);

    // Fetches the first page again (after connecting, applying or rolling back).
    void reload();
    VersionListModel* model() const { return model_; }

signals:
    // A rollback made a new running version: the screen reloads the running policy.
    void rolledBack(qint64 newVersion);

private:
    void fetchPage(const QString& cursor);
    void showSelected();
    void rollBack();
    void openInEditor();
    qint64 selectedVersion() const;

    AdminClient* client_;
    PolicyDraft* draft_;
    MessageBar* messages_;
    VersionListModel* model_;
    QTableView* table_ = nullptr;
    DiffView* diff_ = nullptr;
    QLabel* diffLabel_ = nullptr;
    QLineEdit* comment_ = nullptr;
    QPushButton* rollback_ = nullptr;
    QPushButton* openInEditor_ = nullptr;
    QString selectedYaml_;
    int generation_ = 0; // drops answers to an older selection
};

} // namespace gh::console
