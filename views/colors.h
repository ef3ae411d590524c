#pragma once
// Colours of the console's signals (errors, warnings, success), mixed into the palette's own
// colours rather than hard-coded, so they read on light and dark palettes alike.
#include <QColor>

namespace gh::console {

// `base` moved `amount` (0..1) of the way towards `accent`.
inline QColor mixColors(const QColor& base, const QColor& accent, double amount) {
    const auto mix = [amount](float a, float b) { return float(a * (1 - amount) + b * amount); };
    return QColor::fromRgbF(mix(base.redF(), accent.redF()), mix(base.greenF(), accent.greenF()),
                            mix(base.blueF(), accent.blueF()));
}

} // namespace gh::console
