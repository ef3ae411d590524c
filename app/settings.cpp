#include "app/settings.h"

namespace gh::console {

std::unique_ptr<QSettings> Settings::openUserSettings() {
    return std::make_unique<QSettings>();
}

std::unique_ptr<QSettings> Settings::openFile(const QString& path) {
    return std::make_unique<QSettings>(path, QSettings::IniFormat);
}

} // namespace gh::console
