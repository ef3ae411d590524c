#pragma once
// A mock upstream and a gatehoused running e2e_policy.yaml, with its credentials set and three
// gateway keys: alice (team web), dana (team data), and pat (team web, limited to acme/payments-*).
#include "e2e_policy.h"
#include "support/e2e.h"

#include <QTest>

namespace gh::test {

struct E2eFixture {
    MockUpstream mock;
    Gateway gateway;
    QString webKey;    // identity alice, team web
    QString dataKey;   // identity dana, team data
    QString scopedKey; // identity pat, team web, repositories acme/payments-*

    // Starts both processes; false (with a warning) when anything fails.
    bool start() {
        if (gatehousedPath().isEmpty() || mockUpstreamPath().isEmpty()) {
            qWarning("GATEHOUSED and MOCK_UPSTREAM must name the built programs");
            return false;
        }
        if (!mock.start())
            return false;
        if (!gateway.init())
            return false;
        gateway.writePolicy(e2ePolicyText(), mock.url());
        for (const auto& c : kE2eCredentials)
            if (!gateway.setCredential(QString::fromLatin1(c[0]), QString::fromLatin1(c[1])))
                return false;
        webKey = gateway.issueKey("alice", "web");
        dataKey = gateway.issueKey("dana", "data");
        scopedKey = gateway.issueKey("pat", "web", "acme/payments-*");
        if (webKey.isEmpty() || dataKey.isEmpty() || scopedKey.isEmpty()) {
            qWarning("gatehoused key issue failed");
            return false;
        }
        return gateway.start();
    }

    bool gatewayRunning() {
        QProcess& p = gateway.process().process();
        // waitForFinished() notices an exit that happened while no event loop ran.
        return p.state() == QProcess::Running && !p.waitForFinished(1);
    }

    // After each test: a gateway that died fails that test (with the end of its log) and is
    // started again on the same workspace, so that one crash does not fail every later test.
    void verifyGatewaySurvived() {
        if (gatewayRunning())
            return;
        const QByteArray log = gateway.process().stderrText().right(1200);
        const bool restarted = gateway.start();
        QFAIL(qPrintable(QStringLiteral("gatehoused died during this test (%1); the end of its log:\n%2")
                             .arg(restarted ? QStringLiteral("restarted for the next tests") : QStringLiteral("restart failed"),
                                  QString::fromUtf8(log))));
    }

    // Every gateway key secret: none of them may ever reach a provider.
    QStringList keys() const { return {webKey, dataKey, scopedKey}; }

    // The mock's journal as it serialises it (headers and bodies of what it received).
    QByteArray rawJournal() { return curl({mock.url() + "/mock/requests"}).body; }
};

} // namespace gh::test
