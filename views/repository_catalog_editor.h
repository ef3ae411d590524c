#pragma once
// The Repositories tab: the catalog of repository patterns and their sensitivity, in order
// (the first matching pattern wins), and what happens to repositories no pattern matches.
#include <QWidget>

class QComboBox;
class QTableView;
class QToolButton;

namespace gh::console {

class PolicyDraft;
class RepositoryCatalogModel;

class RepositoryCatalogEditor : public QWidget {
    Q_OBJECT
public:
    explicit RepositoryCatalogEditor(PolicyDraft* draft, QWidget* parent = nullptr);
    void selectEntry(int index);
    RepositoryCatalogModel* model() const { return model_; }

private:
    void updateEnabled();
    void refreshUnknown();

    PolicyDraft* draft_;
    RepositoryCatalogModel* model_;
    QTableView* table_;
    QComboBox* unknown_;
    QToolButton* add_;
    QToolButton* remove_;
    QToolButton* up_;
    QToolButton* down_;
};

} // namespace gh::console
