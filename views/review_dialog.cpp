#include "views/review_dialog.h"

#include "policy/diff.h"
#include "policy/yaml_codec.h"
#include "views/colors.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSyntaxHighlighter>
#include <QVBoxLayout>

namespace gh::console {

namespace {

// The canonical form of a policy text, or the text itself when it does not parse.
std::string canonical(const QString& text) {
    const std::string utf8 = text.toStdString();
    return policy::canonicalYaml(utf8).value_or(utf8);
}

class DiffHighlighter : public QSyntaxHighlighter {
public:
    DiffHighlighter(QTextDocument* document, const QPalette& palette) : QSyntaxHighlighter(document) {
        const QColor base = palette.color(QPalette::Base);
        added_.setBackground(mixColors(base, QColor(0x2e, 0xa0, 0x43), 0.25));
        removed_.setBackground(mixColors(base, QColor(0xd9, 0x3a, 0x3a), 0.25));
        hunk_.setForeground(palette.color(QPalette::PlaceholderText));
        header_.setFontWeight(QFont::Bold);
    }

protected:
    void highlightBlock(const QString& text) override {
        if (text.startsWith(QLatin1String("+++")) || text.startsWith(QLatin1String("---")))
            setFormat(0, int(text.size()), header_);
        else if (text.startsWith(QLatin1Char('+')))
            setFormat(0, int(text.size()), added_);
        else if (text.startsWith(QLatin1Char('-')))
            setFormat(0, int(text.size()), removed_);
        else if (text.startsWith(QLatin1String("@@")))
            setFormat(0, int(text.size()), hunk_);
    }

private:
    QTextCharFormat added_, removed_, hunk_, header_;
};

} // namespace

DiffView::DiffView(QWidget* parent) : QPlainTextEdit(parent) {
    setReadOnly(true);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    highlighter_ = new DiffHighlighter(document(), palette());
}

void DiffView::showPolicyDiff(const QString& before, const QString& after, const QString& beforeLabel,
                              const QString& afterLabel, const QString& emptyText) {
    const std::string diff = policy::unifiedDiff(canonical(before), canonical(after), beforeLabel.toStdString(),
                                                 afterLabel.toStdString());
    added_ = removed_ = 0;
    if (diff.empty()) {
        setPlainText(emptyText);
        return;
    }
    const QString text = QString::fromStdString(diff);
    for (const QStringView line : QStringView(text).split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("+++")) || line.startsWith(QLatin1String("---")))
            continue;
        if (line.startsWith(QLatin1Char('+')))
            ++added_;
        else if (line.startsWith(QLatin1Char('-')))
            ++removed_;
    }
    setPlainText(text);
}

// ---- Review ---------------------------------------------------------------------------------

ReviewDialog::ReviewDialog(const QString& runningYaml, qint64 runningVersion, const QString& draftYaml,
                           int errorCount, bool readOnly, QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("reviewDialog"));
    setWindowTitle(tr("Review changes"));
    resize(900, 640);
    auto* layout = new QVBoxLayout(this);

    diff_ = new DiffView(this);
    diff_->setObjectName(QStringLiteral("diffView"));
    diff_->showPolicyDiff(runningYaml, draftYaml, tr("running v%1").arg(runningVersion), tr("draft"),
                    tr("The draft is the same as the running version: there is nothing to apply."));

    auto* summary = new QLabel(this);
    summary->setObjectName(QStringLiteral("reviewSummaryLabel"));
    summary->setWordWrap(true);
    if (diff_->addedLines() + diff_->removedLines() == 0)
        summary->setText(tr("No changes against running version %1.").arg(runningVersion));
    else
        summary->setText(tr("Changes against running version %1: %2 lines added, %3 removed. Applying makes "
                            "version %4; requests in flight finish on the version they started with.")
                             .arg(runningVersion)
                             .arg(diff_->addedLines())
                             .arg(diff_->removedLines())
                             .arg(runningVersion + 1));

    // The diff compares canonical forms; when the draft's text is canonical (it was edited in the
    // forms) and the running file is not, what is applied also loses the file's comments and
    // layout, which the diff does not show: say so.
    const bool canonicalDraft = draftYaml.toStdString() == canonical(draftYaml);
    if (draftYaml != runningYaml && canonicalDraft && runningYaml.toStdString() != canonical(runningYaml))
        summary->setText(summary->text() + QLatin1Char(' ') +
                         tr("The draft was edited in the forms, so it is applied as canonical YAML: the comments "
                            "and layout of version %1's file are not kept.")
                             .arg(runningVersion));

    error_ = new QLabel(this);
    error_->setObjectName(QStringLiteral("reviewErrorLabel"));
    error_->setWordWrap(true);
    error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette warn = error_->palette();
    warn.setColor(QPalette::WindowText, QColor(0xd9, 0x3a, 0x3a));
    error_->setPalette(warn);
    if (readOnly)
        error_->setText(tr("Your role may read the policy but not change it: ask a policy editor or an admin to "
                           "apply this."));
    else if (errorCount > 0)
        error_->setText(errorCount == 1 ? tr("The draft has a problem. Fix it in the editor before applying.")
                                        : tr("The draft has %1 problems. Fix them in the editor before applying.")
                                              .arg(errorCount));
    error_->setVisible(!error_->text().isEmpty());

    comment_ = new QLineEdit(this);
    comment_->setObjectName(QStringLiteral("commentEdit"));
    comment_->setPlaceholderText(tr("Why this change? (kept with the version, shown in its history)"));

    auto* buttons = new QDialogButtonBox(this);
    apply_ = buttons->addButton(tr("Apply as version %1").arg(runningVersion + 1), QDialogButtonBox::AcceptRole);
    apply_->setObjectName(QStringLiteral("applyButton"));
    buttons->addButton(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));
    blocked_ = readOnly || errorCount > 0 || diff_->addedLines() + diff_->removedLines() == 0;
    apply_->setDefault(!blocked_);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(apply_, &QPushButton::clicked, this, [this] {
        if (!blocked_ && !applying_)
            emit applyRequested(comment());
    });

    layout->addWidget(summary);
    layout->addWidget(diff_, 1);
    layout->addWidget(error_);
    layout->addWidget(new QLabel(tr("Comment:"), this));
    layout->addWidget(comment_);
    layout->addWidget(buttons);
    updateApplyButton();
}

QString ReviewDialog::comment() const { return comment_->text().trimmed(); }

void ReviewDialog::setApplying(bool applying) {
    applying_ = applying;
    comment_->setEnabled(!applying);
    updateApplyButton();
}

void ReviewDialog::showError(const QString& message) {
    error_->setText(message);
    error_->setVisible(true);
}

void ReviewDialog::updateApplyButton() { apply_->setEnabled(!blocked_ && !applying_); }

// ---- Conflict -------------------------------------------------------------------------------

ConflictDialog::ConflictDialog(const QString& baseYaml, qint64 baseVersion, const QString& currentYaml,
                               qint64 currentVersion, const QString& currentAuthor, const QString& currentTime,
                               const QString& currentComment, bool merges, QWidget* parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("conflictDialog"));
    setWindowTitle(tr("The policy changed while you edited"));
    resize(900, 640);
    auto* layout = new QVBoxLayout(this);

    auto* explanation = new QLabel(this);
    explanation->setObjectName(QStringLiteral("conflictLabel"));
    explanation->setWordWrap(true);
    QString who = tr("Version %1 was applied by %2 at %3").arg(currentVersion).arg(currentAuthor, currentTime);
    if (!currentComment.isEmpty())
        who += tr(" (\u201c%1\u201d)").arg(currentComment);
    explanation->setText(tr("%1 while you were editing. Your draft started from version %2 and was not applied. "
                            "Below is what changed between version %2 and version %3.")
                             .arg(who)
                             .arg(baseVersion)
                             .arg(currentVersion));

    auto* diff = new DiffView(this);
    diff->setObjectName(QStringLiteral("conflictDiffView"));
    diff->showPolicyDiff(baseYaml, currentYaml, tr("v%1 (your draft's base)").arg(baseVersion), tr("v%1 (running)").arg(currentVersion),
                   tr("The texts are the same."));

    auto* note = new QLabel(merges ? tr("Your changes and theirs touch different parts of the policy: keeping your "
                                        "draft puts your changes on top of version %1, and Review shows just them.")
                                         .arg(currentVersion)
                                   : tr("Your changes and theirs touch the same part of the policy, so they cannot be "
                                        "combined: keeping your draft reviews it against version %1, where their "
                                        "changes show as removed, and applying would undo them.")
                                         .arg(currentVersion),
                            this);
    note->setObjectName(QStringLiteral("conflictNoteLabel"));
    note->setWordWrap(true);

    auto* buttons = new QDialogButtonBox(this);
    auto* keep = buttons->addButton(merges ? tr("Put my changes on top of v%1").arg(currentVersion)
                                           : tr("Keep my draft, review against v%1").arg(currentVersion),
                                    QDialogButtonBox::AcceptRole);
    keep->setObjectName(QStringLiteral("keepDraftButton"));
    auto* discard = buttons->addButton(tr("Discard my draft, load v%1").arg(currentVersion), QDialogButtonBox::DestructiveRole);
    discard->setObjectName(QStringLiteral("discardDraftButton"));
    buttons->addButton(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));
    connect(keep, &QPushButton::clicked, this, [this] {
        emit chosen(Choice::KeepDraft);
        accept();
    });
    connect(discard, &QPushButton::clicked, this, [this] {
        emit chosen(Choice::DiscardDraft);
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    layout->addWidget(explanation);
    layout->addWidget(diff, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
}

} // namespace gh::console
