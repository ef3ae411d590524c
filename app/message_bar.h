#pragma once
// An inline message above a screen's content (STYLE.md practice 8): results and errors are
// reported here instead of in modal boxes, so nothing interrupts the person's work. It stays
// until closed or replaced; successes hide themselves after a while.
#include <QWidget>

class QLabel;
class QToolButton;

namespace gh::console {

class MessageBar : public QWidget {
    Q_OBJECT
public:
    enum class Kind { Success, Info, Warning, Error };
    explicit MessageBar(QWidget* parent = nullptr);

    void show(Kind kind, const QString& text);
    void showSuccess(const QString& text) { show(Kind::Success, text); }
    void showInfo(const QString& text) { show(Kind::Info, text); }
    void showWarning(const QString& text) { show(Kind::Warning, text); }
    void showError(const QString& text) { show(Kind::Error, text); }
    void clear();

    Kind kind() const { return kind_; }
    QString text() const;

private:
    Kind kind_ = Kind::Info;
    QLabel* icon_ = nullptr;
    QLabel* text_ = nullptr;
    QToolButton* close_ = nullptr;
    int generation_ = 0; // a newer message cancels the older one's auto-hide
};

} // namespace gh::console
