#include "views/chip_edit.h"

#include "views/colors.h"
#include "views/flow_layout.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QStringListModel>
#include <QTimer>
#include <QToolButton>

namespace gh::console {

ChipEdit::ChipEdit(QWidget* parent)
    : QFrame(parent), flow_(new FlowLayout(this, 4)), edit_(new QLineEdit(this)), completer_(new QCompleter(this)),
      suggestions_(new QStringListModel(this)) {
    // Looks like a line edit holding the chips.
    setFrameShape(QFrame::StyledPanel);
    setFrameShadow(QFrame::Sunken);
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setFocusProxy(edit_);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    flow_->setContentsMargins(4, 3, 4, 3);

    edit_->setFrame(false);
    edit_->setMinimumWidth(90);
    edit_->installEventFilter(this);
    completer_->setModel(suggestions_);
    completer_->setCaseSensitivity(Qt::CaseInsensitive);
    completer_->setFilterMode(Qt::MatchContains);
    completer_->setCompletionMode(QCompleter::PopupCompletion);
    edit_->setCompleter(completer_);
    flow_->addWidget(edit_);

    connect(edit_, &QLineEdit::returnPressed, this, &ChipEdit::commitText);
    // The completer writes the picked text into the line edit after this signal; take it once
    // that is done.
    connect(completer_, qOverload<const QString&>(&QCompleter::activated), this,
            [this] { QTimer::singleShot(0, this, &ChipEdit::commitText); });
    connect(edit_, &QLineEdit::editingFinished, this, [this] {
        if (!edit_->hasFocus() && !completer_->popup()->isVisible())
            commitText();
    });
}

void ChipEdit::setChips(const QStringList& chips) {
    if (chips == chips_)
        return;
    chips_ = chips;
    rebuild();
}

void ChipEdit::setSuggestions(const QStringList& suggestions) {
    if (suggestions_->stringList() != suggestions)
        suggestions_->setStringList(suggestions);
}

void ChipEdit::setNormaliser(Normaliser normaliser) {
    normaliser_ = std::move(normaliser);
}
void ChipEdit::setPlaceholderText(const QString& text) {
    placeholder_ = text;
    edit_->setPlaceholderText(chips_.isEmpty() ? placeholder_ : QString());
}

void ChipEdit::setReadOnly(bool readOnly) {
    if (readOnly_ == readOnly)
        return;
    readOnly_ = readOnly;
    edit_->setReadOnly(readOnly);
    rebuild();
}

void ChipEdit::setChipProblems(const QHash<QString, QString>& problems) {
    if (problems == problems_)
        return;
    problems_ = problems;
    rebuild();
}

void ChipEdit::addChips(const QString& text) {
    if (readOnly_)
        return;
    QStringList values;
    if (normaliser_) {
        values = normaliser_(text);
    } else {
        for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (const QString v = part.trimmed(); !v.isEmpty())
                values << v;
    }
    bool added = false;
    for (const QString& v : values)
        if (!chips_.contains(v)) {
            chips_ << v;
            added = true;
        }
    if (!added)
        return;
    rebuild();
    emit changed(chips_);
}

void ChipEdit::removeChip(int index) {
    if (readOnly_ || index < 0 || index >= chips_.size())
        return;
    chips_.removeAt(index);
    rebuild();
    emit changed(chips_);
}

void ChipEdit::commitText() {
    const QString text = edit_->text().trimmed();
    if (text.isEmpty())
        return;
    const int before = int(chips_.size());
    addChips(text);
    // A refused value stays in the line edit to be corrected; an accepted one (or a duplicate)
    // is cleared.
    if (chips_.size() > before || !normaliser_ || !normaliser_(text).isEmpty())
        edit_->clear();
    completer_->popup()->hide();
}

void ChipEdit::rebuild() {
    for (QWidget* w : chipWidgets_) {
        flow_->removeWidget(w);
        w->deleteLater();
    }
    chipWidgets_.clear();
    flow_->removeWidget(edit_);

    const QPalette pal = palette();
    const QColor accent = pal.color(QPalette::Highlight);
    const QColor base = pal.color(QPalette::Base);
    const QColor error(0xd9, 0x3f, 0x3f);
    for (int i = 0; i < chips_.size(); ++i) {
        const QString value = chips_[i];
        const bool problem = problems_.contains(value);
        const QColor tint = problem ? error : accent;
        auto* chip = new QFrame(this);
        chip->setObjectName(QStringLiteral("chip"));
        chip->setStyleSheet(QStringLiteral("QFrame#chip { background: %1; border: 1px solid %2; border-radius: 9px; }")
                                .arg(mixColors(base, tint, 0.16).name(), mixColors(base, tint, 0.55).name()));
        auto* row = new QHBoxLayout(chip);
        row->setContentsMargins(8, 1, readOnly_ ? 8 : 2, 1);
        row->setSpacing(2);
        auto* label = new QLabel(value, chip);
        label->setStyleSheet(QStringLiteral("background: transparent; border: none;"));
        row->addWidget(label);
        if (!readOnly_) {
            auto* remove = new QToolButton(chip);
            remove->setText(QStringLiteral("×"));
            remove->setAutoRaise(true);
            remove->setCursor(Qt::PointingHandCursor);
            remove->setToolTip(tr("Remove %1").arg(value));
            remove->setAccessibleName(tr("Remove %1").arg(value));
            remove->setStyleSheet(
                QStringLiteral("QToolButton { border: none; background: transparent; padding: 0 2px; }"));
            connect(remove, &QToolButton::clicked, this, [this, value] { removeChip(int(chips_.indexOf(value))); });
            row->addWidget(remove);
        }
        chip->setToolTip(problem ? problems_.value(value) : value);
        flow_->addWidget(chip);
        chipWidgets_ << chip;
    }
    flow_->addWidget(edit_);
    // The placeholder says what an empty condition means; beside chips it is noise.
    edit_->setPlaceholderText(chips_.isEmpty() ? placeholder_ : QString());
    updateGeometry();
}

bool ChipEdit::eventFilter(QObject* watched, QEvent* event) {
    if (watched == edit_ && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Backspace && edit_->text().isEmpty() && !chips_.isEmpty() && !readOnly_) {
            removeChip(int(chips_.size()) - 1);
            return true;
        }
    }
    return QFrame::eventFilter(watched, event);
}

void ChipEdit::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange)
        rebuild();
    QFrame::changeEvent(event);
}

void ChipEdit::mousePressEvent(QMouseEvent* event) {
    edit_->setFocus(Qt::MouseFocusReason);
    QFrame::mousePressEvent(event);
}

} // namespace gh::console
