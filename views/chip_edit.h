#pragma once
// A list of short values edited as chips: each value a small rounded label with an × button,
// followed by a line edit with suggestions. Enter (or picking a suggestion) adds the typed
// value, Backspace in the empty line edit removes the last chip. Used for every condition of a
// rule (teams, tasks, repository patterns, ...).
#include <QFrame>
#include <QHash>
#include <QStringList>

#include <functional>

class QCompleter;
class QLineEdit;
class QStringListModel;

namespace gh::console {

class FlowLayout;

class ChipEdit : public QFrame {
    Q_OBJECT
public:
    // Turns typed text into the values to add (several for "a, b"); an empty list refuses it.
    using Normaliser = std::function<QStringList(const QString& text)>;

    explicit ChipEdit(QWidget* parent = nullptr);

    QStringList chips() const { return chips_; }
    void setChips(const QStringList& chips); // does not emit changed()
    void setSuggestions(const QStringList& suggestions);
    void setNormaliser(Normaliser normaliser);
    void setPlaceholderText(const QString& text);
    void setReadOnly(bool readOnly);
    bool isReadOnly() const { return readOnly_; }
    // Marks chips that have a problem (value -> message): tinted red, message as tooltip.
    void setChipProblems(const QHash<QString, QString>& problems);
    QLineEdit* lineEdit() const { return edit_; }

    void addChips(const QString& text); // as if typed and Enter pressed; emits changed()
    void removeChip(int index);         // emits changed()

signals:
    void changed(const QStringList& chips);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void changeEvent(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    void rebuild();
    void commitText();

    QStringList chips_;
    QString placeholder_;
    QHash<QString, QString> problems_;
    FlowLayout* flow_;
    QLineEdit* edit_;
    QCompleter* completer_;
    QStringListModel* suggestions_;
    Normaliser normaliser_;
    QList<QWidget*> chipWidgets_;
    bool readOnly_ = false;
};

} // namespace gh::console
