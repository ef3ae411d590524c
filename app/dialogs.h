#pragma once
// Message boxes and file dialogs behind one door that tests can answer in advance
// (KeePassXC's MessageBox::setNextAnswer, FileDialog::setNextFileName): a test sets the answer,
// then clicks; no timer races a modal loop. Modal boxes are for confirmations only; errors are
// shown inline (STYLE.md practice 8).
#include <QMessageBox>
#include <QString>

#include <optional>

class QWidget;

namespace gh::console {

class Dialogs {
public:
    // The next question()/warning() returns `answer` without showing anything.
    static void setNextAnswer(QMessageBox::StandardButton answer);
    // The next getOpenFileName() returns `path` (empty: as if cancelled) without showing anything.
    static void setNextFileName(const QString& path);
    // Forgets answers set in advance and not used (a test's cleanup()).
    static void reset();

    static QMessageBox::StandardButton question(QWidget* parent, const QString& title, const QString& text,
                                                QMessageBox::StandardButtons buttons = QMessageBox::Yes |
                                                                                       QMessageBox::No,
                                                QMessageBox::StandardButton defaultButton = QMessageBox::No);
    static QMessageBox::StandardButton warning(QWidget* parent, const QString& title, const QString& text,
                                               QMessageBox::StandardButtons buttons = QMessageBox::Ok |
                                                                                      QMessageBox::Cancel,
                                               QMessageBox::StandardButton defaultButton = QMessageBox::Cancel);
    // A destructive action: true only when the person chose `confirmText` (default button: Cancel).
    static bool confirm(QWidget* parent, const QString& title, const QString& text, const QString& confirmText);

    static QString getOpenFileName(QWidget* parent, const QString& caption, const QString& dir = {},
                                   const QString& filter = {});

private:
    static QMessageBox::StandardButton ask(QMessageBox::Icon icon, QWidget* parent, const QString& title,
                                           const QString& text, QMessageBox::StandardButtons buttons,
                                           QMessageBox::StandardButton defaultButton);
    static inline std::optional<QMessageBox::StandardButton> nextAnswer_;
    static inline std::optional<QString> nextFileName_;
};

} // namespace gh::console
