#include "views/yaml_editor.h"

#include "models/policy_draft.h"
#include "views/colors.h"

#include <QFontDatabase>
#include <QPaintEvent>
#include <QPainter>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSyntaxHighlighter>
#include <QTextBlock>
#include <QTimer>

namespace gh::console {

namespace {

const QColor kError(0xd9, 0x3f, 0x3f);
const QColor kWarning(0xe8, 0xa3, 0x17);

class Gutter : public QWidget {
public:
    explicit Gutter(YamlEditor* editor) : QWidget(editor), editor_(editor) {}
    QSize sizeHint() const override { return {editor_->gutterWidth(), 0}; }

protected:
    void paintEvent(QPaintEvent* event) override { editor_->paintGutter(event, this); }

private:
    YamlEditor* editor_;
};

} // namespace

// Keys, comments and quoted strings: enough to read a policy, colours taken from the palette.
class YamlHighlighter : public QSyntaxHighlighter {
public:
    explicit YamlHighlighter(QTextDocument* document) : QSyntaxHighlighter(document) {}

    void setPalette(const QPalette& pal) {
        const QColor text = pal.color(QPalette::Text);
        key_.setForeground(mixColors(text, pal.color(QPalette::Link), 0.8));
        key_.setFontWeight(QFont::DemiBold);
        string_.setForeground(mixColors(text, QColor(0x2e, 0x9d, 0x4f), 0.75));
        comment_.setForeground(pal.color(QPalette::PlaceholderText));
        comment_.setFontItalic(true);
        rehighlight();
    }

protected:
    void highlightBlock(const QString& text) override {
        static const QRegularExpression keys(
            QStringLiteral("(?:^\\s*(?:-\\s+)?|[{,]\\s*)([A-Za-z_][\\w.-]*)\\s*:(?=\\s|$)"));
        static const QRegularExpression strings(QStringLiteral("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'"));
        for (auto it = keys.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            setFormat(int(m.capturedStart(1)), int(m.capturedLength(1)), key_);
        }
        int commentAt = -1;
        QList<QPair<int, int>> quoted;
        for (auto it = strings.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            quoted.append({int(m.capturedStart()), int(m.capturedEnd())});
            setFormat(int(m.capturedStart()), int(m.capturedLength()), string_);
        }
        // A '#' starts a comment at the line's start or after a blank, outside quotes.
        for (int i = 0; i < text.size() && commentAt < 0; ++i) {
            if (text[i] != QLatin1Char('#') || (i > 0 && !text[i - 1].isSpace()))
                continue;
            const bool inQuotes = std::any_of(quoted.begin(), quoted.end(),
                                              [i](const QPair<int, int>& q) { return i > q.first && i < q.second; });
            if (!inQuotes)
                commentAt = i;
        }
        if (commentAt >= 0)
            setFormat(commentAt, int(text.size()) - commentAt, comment_);
    }

private:
    QTextCharFormat key_;
    QTextCharFormat string_;
    QTextCharFormat comment_;
};

YamlEditor::YamlEditor(PolicyDraft* draft, QWidget* parent)
    : QPlainTextEdit(parent), draft_(draft), gutter_(new Gutter(this)), apply_(new QTimer(this)),
      highlighter_(new YamlHighlighter(document())) {
    setObjectName(QStringLiteral("yamlEdit"));
    setAccessibleName(tr("Policy YAML"));
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    setFont(mono);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setTabChangesFocus(false);
    setTabStopDistance(fontMetrics().horizontalAdvance(QLatin1Char(' ')) * 2);
    highlighter_->setPalette(palette());

    apply_->setSingleShot(true);
    apply_->setInterval(kApplyDelayMs);
    connect(apply_, &QTimer::timeout, this, &YamlEditor::applyNow);
    connect(this, &QPlainTextEdit::textChanged, this, [this] {
        if (!updating_)
            apply_->start();
    });
    connect(this, &QPlainTextEdit::blockCountChanged, this, [this] { setViewportMargins(gutterWidth(), 0, 0, 0); });
    connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect& rect, int dy) {
        if (dy)
            gutter_->scroll(0, dy);
        else
            gutter_->update(0, rect.y(), gutter_->width(), rect.height());
    });
    connect(draft_, &PolicyDraft::changed, this, &YamlEditor::fromDraft);
    connect(draft_, &PolicyDraft::readOnlyChanged, this, [this](bool readOnly) {
        setReadOnly(readOnly);
        if (readOnly) {
            // Typing still waiting for its pause would be refused by a read-only draft (or land in
            // the next connection's draft): drop it and show the draft as it is.
            apply_->stop();
            fromDraft();
        }
    });
    setReadOnly(draft_->isReadOnly());
    setViewportMargins(gutterWidth(), 0, 0, 0);
    fromDraft();
}

bool YamlEditor::hasPendingEdit() const {
    return apply_->isActive();
}

void YamlEditor::applyNow() {
    apply_->stop();
    draft_->setYaml(toPlainText());
}

void YamlEditor::fromDraft() {
    const QString text = draft_->yaml();
    if (text != toPlainText()) {
        // Another editor changed the draft: it wins over typing not yet applied.
        apply_->stop();
        const int block = textCursor().blockNumber();
        const int column = textCursor().positionInBlock();
        const int scroll = verticalScrollBar()->value();
        updating_ = true;
        QTextCursor all(document());
        all.beginEditBlock();
        all.select(QTextCursor::Document);
        all.insertText(text);
        all.endEditBlock();
        updating_ = false;
        QTextCursor back(document()->findBlockByNumber(std::min(block, document()->blockCount() - 1)));
        back.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, std::min(column, back.block().length() - 1));
        setTextCursor(back);
        verticalScrollBar()->setValue(scroll);
    }
    markProblems();
}

void YamlEditor::markProblems() {
    problemLines_.clear();
    QList<QTextEdit::ExtraSelection> marks;
    for (const auto& d : draft_->diagnostics()) {
        if (d.pos.line <= 0)
            continue;
        const int block = d.pos.line - 1;
        const int level = d.severity == policy::Severity::Error ? 0 : 1;
        if (problemLines_.contains(block) && problemLines_.value(block) <= level)
            continue;
        problemLines_.insert(block, level);
    }
    const QColor base = palette().color(QPalette::Base);
    for (auto it = problemLines_.begin(); it != problemLines_.end(); ++it) {
        const QTextBlock block = document()->findBlockByNumber(it.key());
        if (!block.isValid())
            continue;
        const QColor signal = it.value() == 0 ? kError : kWarning;
        QTextEdit::ExtraSelection line;
        line.cursor = QTextCursor(block);
        line.format.setBackground(mixColors(base, signal, 0.14));
        line.format.setProperty(QTextFormat::FullWidthSelection, true);
        marks << line;
        QTextEdit::ExtraSelection underline;
        underline.cursor = QTextCursor(block);
        underline.cursor.movePosition(QTextCursor::StartOfBlock);
        underline.cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        underline.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        underline.format.setUnderlineColor(signal);
        marks << underline;
    }
    setExtraSelections(marks);
    gutter_->update();
}

void YamlEditor::goToLine(int line, int column) {
    QTextBlock block = document()->findBlockByNumber(std::max(0, line - 1));
    if (!block.isValid())
        return;
    QTextCursor cursor(block);
    cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, std::clamp(column - 1, 0, block.length() - 1));
    setTextCursor(cursor);
    centerCursor();
    setFocus(Qt::OtherFocusReason);
}

int YamlEditor::gutterWidth() const {
    const int digits = QString::number(std::max(1, blockCount())).size();
    return 14 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * std::max(3, digits) + 10;
}

void YamlEditor::paintGutter(QPaintEvent* event, QWidget* gutter) {
    QPainter p(gutter);
    const QPalette pal = palette();
    p.fillRect(event->rect(), mixColors(pal.color(QPalette::Base), pal.color(QPalette::Window), 0.6));
    p.setRenderHint(QPainter::Antialiasing);
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    const int lineHeight = fontMetrics().height();
    const int current = textCursor().blockNumber();
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible()) {
            const int number = block.blockNumber();
            p.setPen(number == current ? pal.color(QPalette::Text) : pal.color(QPalette::PlaceholderText));
            p.setFont(font());
            p.drawText(0, top, gutter->width() - 6, lineHeight, Qt::AlignRight | Qt::AlignVCenter,
                       QString::number(number + 1));
            if (problemLines_.contains(number)) {
                p.setPen(Qt::NoPen);
                p.setBrush(problemLines_.value(number) == 0 ? kError : kWarning);
                const int d = std::min(8, lineHeight - 4);
                p.drawEllipse(QRect(3, top + (lineHeight - d) / 2, d, d));
            }
        }
        block = block.next();
        top += qRound(blockBoundingRect(block).height());
    }
}

void YamlEditor::resizeEvent(QResizeEvent* event) {
    QPlainTextEdit::resizeEvent(event);
    const QRect r = contentsRect();
    gutter_->setGeometry(QRect(r.left(), r.top(), gutterWidth(), r.height()));
}

void YamlEditor::changeEvent(QEvent* event) {
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        highlighter_->setPalette(palette());
        markProblems();
    }
}

} // namespace gh::console
