#include "workspace.h"

#include "config.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/seal.h"
#include "audit/audit_log.h"
#include "crypto/certificate.h"
#include "store/admin_token_store.h"
#include "store/schema.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <ostream>
#include <sstream>
#include <system_error>
#include <vector>

namespace gh::gateway {

extern const char* const kExamplePolicy;

void writePrivateFile(const std::filesystem::path& path, const std::string& text) {
    const auto tmp = path.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "cannot create " + tmp);
    const bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
        throw std::system_error(errno, std::generic_category(), "cannot write " + path.string());
}

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

int initWorkspace(const std::filesystem::path& dir, std::ostream& out, std::ostream& err) {
    const Workspace ws{dir};
    std::error_code ec;
    // Never overwrite: a new master key would make every sealed credential unreadable.
    for (const auto& existing : {ws.configFile(), ws.masterKeyFile(), ws.adminTokenFile(), dir / "state.db",
                                 dir / "requests.db", dir / "policy.yaml", dir / "audit.db", ws.adminCertificateFile(),
                                 ws.adminKeyFile()})
        if (std::filesystem::exists(existing, ec)) {
            err << dir.string() << ": error: already a workspace (" << existing.string()
                << " exists); nothing was changed\n";
            return 1;
        }
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        err << dir.string() << ": error: cannot create the directory: " << ec.message() << "\n";
        return 1;
    }
    ::chmod(dir.c_str(), 0700);
    std::string fingerprint;
    try {
        const auto masterKey = crypto::generateMasterKey();
        writePrivateFile(ws.masterKeyFile(), crypto::formatMasterKey(masterKey));
        writePrivateFile(dir / "policy.yaml", kExamplePolicy);
        writePrivateFile(ws.configFile(), defaultConfigText());
        store::openStateDb(dir);
        store::openRequestsDb(dir);
        // The first admin token: stored hashed, its secret only in this 0600 file.
        store::AdminTokenStore tokens(dir);
        const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
        const auto first = tokens.issue("first admin (gatehoused init)", api::Role::Admin, std::nullopt, "gatehoused init", now);
        writePrivateFile(ws.adminTokenFile(), first.secret + "\n");
        audit::AuditLog(dir, masterKey).append({"gatehoused init", "", "token.create", "token:" + first.info.id, "ok",
                                                "{\"role\":\"admin\",\"name\":\"first admin (gatehoused init)\"}", ""},
                                               now);
        // The admin listener's certificate: self-signed, for the names a local console uses.
        char host[256] = {};
        std::vector<std::string> names{"localhost"};
        if (::gethostname(host, sizeof host - 1) == 0 && host[0] && std::string(host) != "localhost")
            names.emplace_back(host);
        const auto cert = crypto::generateSelfSigned(names, {"127.0.0.1", "::1"}, 825);
        writePrivateFile(ws.adminKeyFile(), cert.privateKeyPem);
        writePrivateFile(ws.adminCertificateFile(), cert.certificatePem);
        fingerprint = crypto::certificateFingerprintSha256(cert.certificatePem);
    } catch (const std::exception& e) {
        err << dir.string() << ": error: " << e.what() << "\n";
        return 1;
    }
    out << "created workspace " << dir.string() << "\n"
        << "  gatehoused.yaml  listen address, limits and paths\n"
        << "  policy.yaml      the example route policy: edit it, then gatehoused check-policy\n"
        << "  master.key       seals provider secrets (mode 0600; back it up apart from the databases)\n"
        << "  admin.token      the first admin token (mode 0600)\n"
        << "  admin-cert.pem   the admin API's self-signed certificate (admin-key.pem: its key, 0600)\n"
        << "  state.db, requests.db, audit.db\n"
        << "admin API certificate fingerprint (sha256): " << fingerprint << "\n"
        << "  the console shows this fingerprint on first connection: compare before trusting it\n"
        << "next: gatehoused credential set " << dir.string() << " ID   (for each credential the policy names)\n"
        << "      gatehoused key issue " << dir.string() << " --identity NAME --team TEAM\n"
        << "      gatehoused serve " << dir.string() << "\n";
    return 0;
}

} // namespace gh::gateway
