// gatehouse: the admin console (README.md, "The console").
//
//   gatehouse                                   the connection dialog, or the last profile
//   gatehouse --admin-url https://HOST:PORT --token-file WS/admin.token [--certificate WS/admin-cert.pem]
//
// A certificate file named on the command line is pinned without asking: the operator chose it
// (scripts/demo passes the workspace's own). The token is read from a 0600 file, never from the
// command line, where other users of the machine could read it.
#include "app/connect_dialog.h"
#include "app/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTextStream>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Gatehouse"));
    QApplication::setApplicationName(QStringLiteral("gatehouse"));
    QApplication::setApplicationDisplayName(QStringLiteral("Gatehouse"));
    QApplication::setApplicationVersion(QStringLiteral(GATEHOUSE_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/gatehouse/gatehouse.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Gatehouse admin console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption adminUrl(QStringLiteral("admin-url"),
                                      QApplication::translate("main", "The gateway's admin API, https://HOST:PORT."),
                                      QStringLiteral("url"));
    const QCommandLineOption tokenFile(QStringLiteral("token-file"),
                                       QApplication::translate("main", "A 0600 file holding the admin token."),
                                       QStringLiteral("file"));
    const QCommandLineOption certificate(
        QStringLiteral("certificate"),
        QApplication::translate("main", "The admin API's certificate (PEM) to pin, e.g. WORKSPACE/admin-cert.pem."),
        QStringLiteral("file"));
    parser.addOptions({adminUrl, tokenFile, certificate});
    parser.process(app);

    gh::console::MainWindow window;
    window.show();
    if (parser.isSet(adminUrl)) {
        QString error;
        const auto access = gh::console::ConnectionController::accessFromCommandLine(
            parser.value(adminUrl), parser.value(tokenFile), parser.value(certificate), &error);
        if (!access) {
            QTextStream(stderr) << "gatehouse: " << error << '\n';
            return 2;
        }
        window.connectTo(*access, access->origin);
    } else {
        window.connectLastProfile();
    }
    return QApplication::exec();
}
