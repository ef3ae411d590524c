#include "views/repository_catalog_editor.h"

#include "models/policy_draft.h"
#include "models/repository_catalog_model.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace gh::console {

namespace {

// Sensitivities are picked from the four levels, never typed.
class SensitivityDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem&, const QModelIndex&) const override {
        auto* combo = new QComboBox(parent);
        for (const auto& name : policy::sensitivityNames())
            combo->addItem(QString::fromStdString(name));
        return combo;
    }
    void setEditorData(QWidget* editor, const QModelIndex& index) const override {
        static_cast<QComboBox*>(editor)->setCurrentText(index.data(Qt::EditRole).toString());
    }
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override {
        model->setData(index, static_cast<QComboBox*>(editor)->currentText());
    }
};

} // namespace

RepositoryCatalogEditor::RepositoryCatalogEditor(PolicyDraft* draft, QWidget* parent)
    : QWidget(parent), draft_(draft), model_(new RepositoryCatalogModel(draft, this)) {
    auto* layout = new QVBoxLayout(this);
    auto* hint = new QLabel(tr("Patterns are matched against owner/name, case-insensitively (* is any run of "
                               "characters, ? one character). The first matching pattern gives the sensitivity, so "
                               "narrower patterns go first."),
                            this);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(hint);

    auto* row = new QHBoxLayout;
    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("repositoryTable"));
    table_->setModel(model_);
    table_->setItemDelegateForColumn(RepositoryCatalogModel::SensitivityColumn, new SensitivityDelegate(table_));
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->horizontalHeader()->setSectionResizeMode(RepositoryCatalogModel::PatternColumn, QHeaderView::Stretch);
    table_->horizontalHeader()->setSectionResizeMode(RepositoryCatalogModel::SensitivityColumn,
                                                     QHeaderView::ResizeToContents);
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                            QAbstractItemView::AnyKeyPressed);
    row->addWidget(table_, 1);
    auto* buttons = new QVBoxLayout;
    auto tool = [&](const QString& name, const QString& text, const QString& tip) {
        auto* b = new QToolButton(this);
        b->setObjectName(name);
        b->setText(text);
        b->setToolTip(tip);
        b->setAccessibleName(tip);
        b->setFixedWidth(28);
        buttons->addWidget(b);
        return b;
    };
    add_ = tool(QStringLiteral("addRepositoryButton"), QStringLiteral("+"), tr("Add a pattern"));
    remove_ = tool(QStringLiteral("removeRepositoryButton"), QStringLiteral("−"), tr("Remove the pattern"));
    up_ = tool(QStringLiteral("repositoryUpButton"), QStringLiteral("↑"), tr("Move the pattern up"));
    down_ = tool(QStringLiteral("repositoryDownButton"), QStringLiteral("↓"), tr("Move the pattern down"));
    buttons->addStretch();
    row->addLayout(buttons);
    layout->addLayout(row, 1);

    auto* form = new QFormLayout;
    unknown_ = new QComboBox(this);
    unknown_->setObjectName(QStringLiteral("unknownRepositoryCombo"));
    unknown_->addItem(tr("deny the request"), QString());
    for (const auto& name : policy::sensitivityNames())
        unknown_->addItem(tr("treat as %1").arg(QString::fromStdString(name)), QString::fromStdString(name));
    form->addRow(tr("Repositories that match no pattern:"), unknown_);
    layout->addLayout(form);

    connect(add_, &QToolButton::clicked, this, [this] {
        const QModelIndex current = table_->currentIndex();
        const int at = current.isValid() ? current.row() + 1 : model_->rowCount();
        if (model_->insertRows(at, 1)) {
            table_->setCurrentIndex(model_->index(at, RepositoryCatalogModel::PatternColumn));
            table_->edit(table_->currentIndex());
        }
    });
    connect(remove_, &QToolButton::clicked, this, [this] {
        if (const QModelIndex current = table_->currentIndex(); current.isValid())
            model_->removeRows(current.row(), 1);
    });
    auto move = [this](int delta) {
        const QModelIndex current = table_->currentIndex();
        if (!current.isValid())
            return;
        const int at = current.row();
        if (model_->moveRows({}, at, 1, {}, delta < 0 ? at - 1 : at + 2))
            table_->setCurrentIndex(model_->index(at + delta, current.column()));
    };
    connect(up_, &QToolButton::clicked, this, [move] { move(-1); });
    connect(down_, &QToolButton::clicked, this, [move] { move(+1); });
    connect(unknown_, &QComboBox::activated, this, [this] {
        policy::Document doc = draft_->document();
        doc.unknownRepository = policy::sensitivityFromString(unknown_->currentData().toString().toStdString());
        if (doc.unknownRepository != draft_->document().unknownRepository)
            draft_->setDocument(std::move(doc));
    });
    connect(draft_, &PolicyDraft::changed, this, [this] {
        refreshUnknown();
        updateEnabled();
    });
    connect(draft_, &PolicyDraft::readOnlyChanged, this, &RepositoryCatalogEditor::updateEnabled);
    connect(table_->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &RepositoryCatalogEditor::updateEnabled);
    refreshUnknown();
    updateEnabled();
}

void RepositoryCatalogEditor::selectEntry(int index) {
    table_->setCurrentIndex(model_->index(index, RepositoryCatalogModel::PatternColumn));
    table_->scrollTo(table_->currentIndex());
}

void RepositoryCatalogEditor::refreshUnknown() {
    const auto& unknown = draft_->document().unknownRepository;
    const int i = unknown_->findData(unknown ? QString::fromLatin1(policy::toString(*unknown)) : QString());
    unknown_->setCurrentIndex(std::max(0, i));
}

void RepositoryCatalogEditor::updateEnabled() {
    const bool editable = !draft_->isReadOnly() && draft_->isDocumentCurrent();
    const QModelIndex current = table_->currentIndex();
    add_->setEnabled(editable);
    remove_->setEnabled(editable && current.isValid());
    up_->setEnabled(editable && current.isValid() && current.row() > 0);
    down_->setEnabled(editable && current.isValid() && current.row() + 1 < model_->rowCount());
    unknown_->setEnabled(editable);
}

} // namespace gh::console
