#include "views/constraints_editor.h"

#include "models/constraint_model.h"
#include "models/policy_draft.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace gh::console {

ConstraintsEditor::ConstraintsEditor(PolicyDraft* draft, QWidget* parent)
    : QWidget(parent), draft_(draft), model_(new ConstraintModel(draft, this)) {
    auto* layout = new QVBoxLayout(this);
    auto* hint = new QLabel(tr("Requests of the given sensitivities may only reach endpoints of the allowed classes "
                               "and regions (empty: any). Sensitivities are written as a level, \">= confidential\" "
                               "or a list; classes are enterprise, hosted and local. The validator refuses any route "
                               "that could break a constraint."),
                            this);
    hint->setWordWrap(true);
    hint->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(hint);

    auto* row = new QHBoxLayout;
    table_ = new QTableView(this);
    table_->setObjectName(QStringLiteral("constraintTable"));
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->hide();
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(ConstraintModel::IdColumn, QHeaderView::Stretch);
    table_->setWordWrap(false);
    row->addWidget(table_, 1);
    auto* buttons = new QVBoxLayout;
    add_ = new QToolButton(this);
    add_->setObjectName(QStringLiteral("addConstraintButton"));
    add_->setText(QStringLiteral("+"));
    add_->setToolTip(tr("Add a constraint"));
    add_->setAccessibleName(tr("Add a constraint"));
    add_->setFixedWidth(28);
    remove_ = new QToolButton(this);
    remove_->setObjectName(QStringLiteral("removeConstraintButton"));
    remove_->setText(QStringLiteral("−"));
    remove_->setToolTip(tr("Remove the constraint"));
    remove_->setAccessibleName(tr("Remove the constraint"));
    remove_->setFixedWidth(28);
    buttons->addWidget(add_);
    buttons->addWidget(remove_);
    buttons->addStretch();
    row->addLayout(buttons);
    layout->addLayout(row, 1);

    connect(add_, &QToolButton::clicked, this, [this] {
        const int at = model_->rowCount();
        if (model_->insertRows(at, 1)) {
            table_->setCurrentIndex(model_->index(at, ConstraintModel::IdColumn));
            table_->edit(table_->currentIndex());
        }
    });
    connect(remove_, &QToolButton::clicked, this, [this] {
        if (const QModelIndex current = table_->currentIndex(); current.isValid())
            model_->removeRows(current.row(), 1);
    });
    connect(draft_, &PolicyDraft::changed, this, &ConstraintsEditor::updateEnabled);
    connect(draft_, &PolicyDraft::readOnlyChanged, this, &ConstraintsEditor::updateEnabled);
    connect(table_->selectionModel(), &QItemSelectionModel::currentChanged, this, &ConstraintsEditor::updateEnabled);
    updateEnabled();
}

void ConstraintsEditor::selectConstraint(int index) {
    table_->setCurrentIndex(model_->index(index, ConstraintModel::IdColumn));
    table_->scrollTo(table_->currentIndex());
}

void ConstraintsEditor::updateEnabled() {
    const bool editable = !draft_->isReadOnly() && draft_->isDocumentCurrent();
    add_->setEnabled(editable);
    remove_->setEnabled(editable && table_->currentIndex().isValid());
}

} // namespace gh::console
