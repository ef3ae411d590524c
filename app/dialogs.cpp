#include "app/dialogs.h"

#include <QFileDialog>
#include <QPushButton>

namespace gh::console {

void Dialogs::setNextAnswer(QMessageBox::StandardButton answer) {
    nextAnswer_ = answer;
}
void Dialogs::setNextFileName(const QString& path) {
    nextFileName_ = path;
}

void Dialogs::reset() {
    nextAnswer_.reset();
    nextFileName_.reset();
}

QMessageBox::StandardButton Dialogs::ask(QMessageBox::Icon icon, QWidget* parent, const QString& title,
                                         const QString& text, QMessageBox::StandardButtons buttons,
                                         QMessageBox::StandardButton defaultButton) {
    if (nextAnswer_) {
        const QMessageBox::StandardButton answer = *nextAnswer_;
        nextAnswer_.reset();
        return answer;
    }
    QMessageBox box(icon, title, text, buttons, parent);
    box.setDefaultButton(defaultButton);
    box.exec();
    return box.standardButton(box.clickedButton());
}

QMessageBox::StandardButton Dialogs::question(QWidget* parent, const QString& title, const QString& text,
                                              QMessageBox::StandardButtons buttons,
                                              QMessageBox::StandardButton defaultButton) {
    return ask(QMessageBox::Question, parent, title, text, buttons, defaultButton);
}

QMessageBox::StandardButton Dialogs::warning(QWidget* parent, const QString& title, const QString& text,
                                             QMessageBox::StandardButtons buttons,
                                             QMessageBox::StandardButton defaultButton) {
    return ask(QMessageBox::Warning, parent, title, text, buttons, defaultButton);
}

bool Dialogs::confirm(QWidget* parent, const QString& title, const QString& text, const QString& confirmText) {
    if (nextAnswer_) {
        const QMessageBox::StandardButton answer = *nextAnswer_;
        nextAnswer_.reset();
        return answer == QMessageBox::Ok || answer == QMessageBox::Yes;
    }
    QMessageBox box(QMessageBox::Warning, title, text, QMessageBox::Cancel, parent);
    QPushButton* confirmButton = box.addButton(confirmText, QMessageBox::DestructiveRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == confirmButton;
}

QString Dialogs::getOpenFileName(QWidget* parent, const QString& caption, const QString& dir, const QString& filter) {
    if (nextFileName_) {
        const QString path = *nextFileName_;
        nextFileName_.reset();
        return path;
    }
    return QFileDialog::getOpenFileName(parent, caption, dir, filter);
}

} // namespace gh::console
