#pragma once
// The Routes screen: the running version and the state of the draft, the editor with its
// simulator and replay, the version history, and the one way a draft gets applied: Review (the
// diff against the running version) → Apply with If-Match → on a conflict, what changed
// meanwhile and a choice to keep or discard the draft.
#include "api/shapes.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTabWidget;

namespace gh::console {

class AdminClient;
class MessageBar;
class PolicyDraft;
class ReplayPanel;
class ReviewDialog;
class RouteEditor;
class VersionHistoryView;

class RoutesScreen : public QWidget {
    Q_OBJECT
public:
    RoutesScreen(AdminClient* client, PolicyDraft* draft, MessageBar* messages, QWidget* parent = nullptr);

    RouteEditor* editor() const { return editor_; }
    VersionHistoryView* history() const { return history_; }
    ReplayPanel* replay() const { return replay_; }

public slots:
    // Fetches the running version. The draft follows it unless it has unapplied edits.
    void loadRunning();
    // The gateway reports another running version than the draft's base (status polling).
    void noticeRunningVersion(qint64 version);
    void reviewAndApply();
    void discardDraft();

signals:
    void applied(qint64 version);

private:
    void apply(const QString& comment);
    void resolveConflict();
    void setRunning(const api::PolicyVersion& running);
    void updateHeader();

    AdminClient* client_;
    PolicyDraft* draft_;
    MessageBar* messages_;
    RouteEditor* editor_ = nullptr;
    ReplayPanel* replay_ = nullptr;
    VersionHistoryView* history_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    QLabel* running_ = nullptr;
    QLabel* draftStatus_ = nullptr;
    QPushButton* discard_ = nullptr;
    QPushButton* review_ = nullptr;
    QPointer<ReviewDialog> reviewDialog_;
    api::PolicyVersion runningInfo_;
    bool loading_ = false;
};

} // namespace gh::console
