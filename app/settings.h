#pragma once
// The console's settings: every key declared once, here, with its default (STYLE.md practice 6),
// read and written through typed accessors. The store is injected, so a test works on an
// isolated file (QSettings(path, QSettings::IniFormat) in a temporary directory) and never on
// the user's real settings.
//
// Secrets never go here: tokens live in the keychain (token_store.h). A pinned certificate and
// its fingerprint are public data and may be stored.
#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QVariant>

#include <memory>

namespace gh::console {

// One setting: its key and the value it has when nothing was stored.
template <class T> struct Setting {
    const char* key;
    T fallback;
};

namespace settings {
// The profile the console connected with last; it is preselected next time.
inline const Setting<QString> lastProfile{"connection/lastProfile", {}};
// How long an ordinary admin API call may take before it is given up, and a replay (which
// re-decides a week of recorded traffic on the gateway).
inline const Setting<int> requestTimeoutSeconds{"connection/requestTimeoutSeconds", 30};
inline const Setting<int> replayTimeoutSeconds{"connection/replayTimeoutSeconds", 120};
// The main window's geometry and dock/toolbar state (QWidget::saveGeometry, QMainWindow::saveState).
inline const Setting<QByteArray> windowGeometry{"window/geometry", {}};
inline const Setting<QByteArray> windowState{"window/state", {}};
} // namespace settings

class Settings {
public:
    // `store` is not owned and must outlive this object.
    explicit Settings(QSettings* store) : store_(store) {}

    // The user's settings (organisation and application name set in main()).
    static std::unique_ptr<QSettings> openUserSettings();
    // An INI file at `path`, for tests and for `--settings FILE`.
    static std::unique_ptr<QSettings> openFile(const QString& path);

    template <class T> T value(const Setting<T>& s) const {
        const QVariant v = store_->value(QLatin1String(s.key));
        return v.isValid() && v.canConvert<T>() ? v.value<T>() : s.fallback;
    }
    template <class T> void setValue(const Setting<T>& s, const T& v) { store_->setValue(QLatin1String(s.key), v); }
    template <class T> void reset(const Setting<T>& s) { store_->remove(QLatin1String(s.key)); }

    // For structured data kept under a group of its own (connection profiles).
    QSettings& store() const { return *store_; }
    void sync() { store_->sync(); }

private:
    QSettings* store_;
};

} // namespace gh::console
