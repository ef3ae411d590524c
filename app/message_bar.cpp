#include "app/message_bar.h"
#include "views/colors.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QTimer>
#include <QToolButton>

namespace gh::console {

namespace {

// A tint of the kind's colour over the window colour: readable in light and dark palettes.
QColor tint(const QColor& base, const QColor& accent) { return mixColors(base, accent, 0.18); }

} // namespace

MessageBar::MessageBar(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("messageBar"));
    setAutoFillBackground(true);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    icon_ = new QLabel(this);
    text_ = new QLabel(this);
    text_->setObjectName(QStringLiteral("messageText"));
    text_->setWordWrap(true);
    text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    close_ = new QToolButton(this);
    close_->setObjectName(QStringLiteral("messageCloseButton"));
    close_->setAutoRaise(true);
    close_->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    close_->setToolTip(tr("Close"));
    layout->addWidget(icon_);
    layout->addWidget(text_, 1);
    layout->addWidget(close_, 0, Qt::AlignTop);
    connect(close_, &QToolButton::clicked, this, &MessageBar::clear);
    setVisible(false);
}

void MessageBar::show(Kind kind, const QString& text) {
    kind_ = kind;
    text_->setText(text);
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    QColor accent(0x2d, 0x7d, 0xd2);
    switch (kind) {
    case Kind::Success: accent = QColor(0x2e, 0x9e, 0x4f); break;
    case Kind::Info: break;
    case Kind::Warning:
        icon = QStyle::SP_MessageBoxWarning;
        accent = QColor(0xe0, 0x9b, 0x1a);
        break;
    case Kind::Error:
        icon = QStyle::SP_MessageBoxCritical;
        accent = QColor(0xd9, 0x3a, 0x3a);
        break;
    }
    icon_->setPixmap(style()->standardIcon(icon).pixmap(20, 20));
    QPalette p = palette();
    p.setColor(QPalette::Window, tint(parentWidget() ? parentWidget()->palette().color(QPalette::Window)
                                                     : p.color(QPalette::Window),
                                      accent));
    setPalette(p);
    setVisible(true);
    const int generation = ++generation_;
    if (kind == Kind::Success)
        QTimer::singleShot(8000, this, [this, generation] {
            if (generation == generation_)
                clear();
        });
}

void MessageBar::clear() {
    ++generation_;
    text_->clear();
    setVisible(false);
}

QString MessageBar::text() const { return text_->text(); }

} // namespace gh::console
