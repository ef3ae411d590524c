#include "models/display_format.h"

#include "api/time.h"

#include <QDateTime>
#include <QLocale>
#include <QRegularExpression>

#include <cstdlib>

namespace gh::console {

QString displayTime(const std::string& rfc3339) {
    const auto ms = api::parseTime(rfc3339);
    if (!ms)
        return QString::fromStdString(rfc3339);
    return QDateTime::fromMSecsSinceEpoch(*ms, Qt::UTC).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString displayAuthor(const std::string& author) {
    const QString text = QString::fromStdString(author);
    static const QRegularExpression tokenAndName(QStringLiteral("^tok_[0-9a-zA-Z]+ \\((.+)\\)$"));
    const QRegularExpressionMatch m = tokenAndName.match(text);
    return m.hasMatch() ? m.captured(1) : text;
}

QString displayUsd(std::int64_t micros) {
    const QLocale locale(QLocale::English);
    const std::int64_t magnitude = std::llabs(micros);
    const QString sign = micros < 0 ? QStringLiteral("\u2212") : QString();
    if (magnitude == 0 || magnitude >= 10'000)
        return sign + QLatin1Char('$') + locale.toString(double(magnitude) / 1e6, 'f', 2);
    // Below a cent every micro-dollar is shown ("$0.00004"): a single cheap request is still
    // worth seeing, and rounding it to $0.00 would hide it.
    QString digits = QString::number(magnitude).rightJustified(6, QLatin1Char('0'));
    while (digits.size() > 4 && digits.endsWith(QLatin1Char('0')))
        digits.chop(1);
    return sign + QStringLiteral("$0.") + digits;
}

QString displayUsdDelta(std::int64_t micros) {
    return micros > 0 ? QLatin1Char('+') + displayUsd(micros) : displayUsd(micros);
}

} // namespace gh::console
