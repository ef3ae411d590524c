#pragma once
// The YAML tab: the draft's text in a monospace editor with line numbers, a little syntax
// colouring, and the lines with problems marked (tinted, with a dot in the gutter). Typing is
// applied to the draft after a short pause; while the text does not parse the forms keep the
// last good document and the problem list says where the text is wrong. Edits made in the
// forms replace the text here (as one undoable step).
#include <QPlainTextEdit>

class QTimer;

namespace gh::console {

class PolicyDraft;

class YamlEditor : public QPlainTextEdit {
    Q_OBJECT
public:
    static constexpr int kApplyDelayMs = 300;

    explicit YamlEditor(PolicyDraft* draft, QWidget* parent = nullptr);

    void goToLine(int line, int column = 1);
    void applyNow(); // hands pending typing to the draft at once (before Review, in tests)
    bool hasPendingEdit() const;

    int gutterWidth() const;
    void paintGutter(class QPaintEvent* event, QWidget* gutter);

protected:
    void resizeEvent(QResizeEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void fromDraft();
    void markProblems();

    PolicyDraft* draft_;
    QWidget* gutter_;
    QTimer* apply_;
    class YamlHighlighter* highlighter_;
    QHash<int, int> problemLines_; // 0-based block -> worst severity (0 error, 1 warning)
    bool updating_ = false;
};

} // namespace gh::console
