#include "audit_command.h"

#include "audit/audit_log.h"
#include "crypto/seal.h"
#include "workspace.h"

#include <ostream>

namespace gh::gateway {

int verifyAudit(const std::filesystem::path& workspaceDir, std::ostream& out, std::ostream& err) {
    const Workspace ws{workspaceDir};
    std::optional<crypto::MasterKey> key;
    try {
        key = crypto::parseMasterKey(readFile(ws.masterKeyFile()));
        if (!key) {
            err << ws.masterKeyFile().string() << ": error: not a master key (64 hex digits expected)\n";
            return 1;
        }
    } catch (const std::exception& e) {
        err << ws.masterKeyFile().string() << ": error: " << e.what() << "\n";
        return 1;
    }
    const audit::VerifyReport r = audit::verifyAuditFile(workspaceDir, *key);
    const std::string file = (workspaceDir / audit::kAuditDbFile).string();
    if (r.problem == "unreadable") {
        err << file << ": error: " << r.message << "\n";
        return 1;
    }
    if (r.ok) {
        out << file << ": intact: " << r.message << "\n"
            << "  entries checked:     " << r.entries << "\n"
            << "  signed checkpoints:  " << r.checkpoints << " (a seal on every entry, and the head)\n";
        if (r.headSeq > 0)
            out << "  head:                seq " << r.headSeq << ", sha256 " << r.headHashHex
                << " (keep a copy elsewhere to detect a rollback of the whole file)\n";
        return 0;
    }
    out << file << ": NOT INTACT: " << r.problem << "\n"
        << "  entries checked:     " << r.entries << " intact" << (r.firstBadSeq ? " before the first bad entry" : "")
        << "\n"
        << "  signed checkpoints:  " << r.checkpoints << "\n";
    if (r.firstBadSeq)
        out << "  first bad entry:     seq " << *r.firstBadSeq << " (" << r.problem << ")\n";
    out << "  problem:             " << r.message << "\n";
    if (r.problem == "key")
        out << "  Verify with the master.key of the workspace that wrote this audit.db.\n";
    else if (r.firstBadSeq)
        out << "  Entries before seq " << *r.firstBadSeq
            << " are intact. Keep this audit.db as evidence and find out who could write to it.\n";
    else
        out << "  Every entry is intact, the head checkpoint is not. Keep this audit.db as evidence and find out who "
               "could write to it.\n";
    return 1;
}

} // namespace gh::gateway
