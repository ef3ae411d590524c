#include "models/problem_decoration.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QPainter>
#include <QPixmap>

namespace gh::console {

ProblemLevel worstLevel(const std::vector<policy::Diagnostic>& diagnostics) {
    ProblemLevel level = ProblemLevel::None;
    for (const auto& d : diagnostics) {
        if (d.severity == policy::Severity::Error)
            return ProblemLevel::Error;
        level = ProblemLevel::Warning;
    }
    return level;
}

namespace {

// Drawn rather than taken from an icon theme: the offscreen platform and minimal desktops have
// none, and the two signal colours read on light and dark palettes alike.
QIcon drawIcon(ProblemLevel level) {
    QIcon icon;
    for (int size : {16, 32}) {
        QPixmap pixmap(size, size);
        pixmap.fill(Qt::transparent);
        QPainter p(&pixmap);
        p.setRenderHint(QPainter::Antialiasing);
        const QRectF r(size * 0.06, size * 0.06, size * 0.88, size * 0.88);
        p.setPen(Qt::NoPen);
        if (level == ProblemLevel::Error) {
            p.setBrush(QColor(0xd9, 0x3f, 0x3f));
            p.drawEllipse(r);
        } else {
            p.setBrush(QColor(0xe8, 0xa3, 0x17));
            QPolygonF triangle;
            triangle << QPointF(r.center().x(), r.top()) << r.bottomRight() << r.bottomLeft();
            p.drawPolygon(triangle);
        }
        p.setPen(QPen(Qt::white, size * 0.12, Qt::SolidLine, Qt::RoundCap));
        const double x = r.center().x();
        p.drawLine(QPointF(x, r.top() + size * 0.28), QPointF(x, r.bottom() - size * 0.36));
        p.drawPoint(QPointF(x, r.bottom() - size * 0.18));
        p.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

} // namespace

QIcon problemIcon(ProblemLevel level) {
    // Pixmaps need a GUI application; a model used from a console tool shows no icon.
    if (!qobject_cast<QGuiApplication*>(QCoreApplication::instance()))
        return {};
    static const QIcon error = drawIcon(ProblemLevel::Error);
    static const QIcon warning = drawIcon(ProblemLevel::Warning);
    switch (level) {
    case ProblemLevel::Error:
        return error;
    case ProblemLevel::Warning:
        return warning;
    case ProblemLevel::None:
        break;
    }
    return {};
}

QIcon problemIcon(policy::Severity severity) {
    return problemIcon(severity == policy::Severity::Error ? ProblemLevel::Error : ProblemLevel::Warning);
}

QString severityText(policy::Severity severity) {
    return severity == policy::Severity::Error ? QCoreApplication::translate("gh::console::Problems", "error")
                                               : QCoreApplication::translate("gh::console::Problems", "warning");
}

QString problemToolTip(const std::vector<policy::Diagnostic>& diagnostics) {
    QStringList lines;
    for (const auto& d : diagnostics)
        lines << QStringLiteral("%1: %2").arg(severityText(d.severity), QString::fromStdString(d.message));
    return lines.join(QLatin1Char('\n'));
}

} // namespace gh::console
