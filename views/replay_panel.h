#pragma once
// Replay: the draft over the requests the gateway recorded in a chosen period (POST
// /policy/replay; the gateway holds the records and runs the core's replay). Shows how many
// would be routed differently, denied or newly allowed, the cost difference, and a sample of the
// affected requests. A result is marked out of date as soon as the draft changes again.
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace gh::console {

class AdminClient;
class PolicyDraft;
class ReplayModel;

class ReplayPanel : public QWidget {
    Q_OBJECT
public:
    ReplayPanel(AdminClient* client, PolicyDraft* draft, QWidget* parent = nullptr);
    ReplayModel* model() const { return model_; }

public slots:
    void run();

signals:
    void finished(bool ok);

private:
    void updateRunButton();
    void setFigures(const QString& requests, const QString& routed, const QString& denied, const QString& allowed,
                    const QString& cost);

    AdminClient* client_;
    PolicyDraft* draft_;
    ReplayModel* model_;
    QComboBox* period_ = nullptr;
    QPushButton* run_ = nullptr;
    QLabel* status_ = nullptr;
    QLabel* requests_ = nullptr;
    QLabel* routed_ = nullptr;
    QLabel* denied_ = nullptr;
    QLabel* allowed_ = nullptr;
    QLabel* cost_ = nullptr;
    QTableView* sample_ = nullptr;
    bool running_ = false;
    bool haveResult_ = false;
};

} // namespace gh::console
