#include "workspace.h"

#include "config.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "crypto/seal.h"
#include "store/schema.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <ostream>
#include <sstream>
#include <system_error>

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
                                 dir / "requests.db", dir / "policy.yaml"})
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
    try {
        writePrivateFile(ws.masterKeyFile(), crypto::formatMasterKey(crypto::generateMasterKey()));
        writePrivateFile(ws.adminTokenFile(), "gha_" + crypto::base64url(crypto::randomBytes(32)) + "\n");
        writePrivateFile(dir / "policy.yaml", kExamplePolicy);
        writePrivateFile(ws.configFile(), defaultConfigText());
        store::openStateDb(dir);
        store::openRequestsDb(dir);
    } catch (const std::exception& e) {
        err << dir.string() << ": error: " << e.what() << "\n";
        return 1;
    }
    out << "created workspace " << dir.string() << "\n"
        << "  gatehoused.yaml  listen address, limits and paths\n"
        << "  policy.yaml      the example route policy: edit it, then gatehoused check-policy\n"
        << "  master.key       seals provider secrets (mode 0600; back it up apart from the databases)\n"
        << "  admin.token      the first admin token (mode 0600)\n"
        << "  state.db, requests.db\n"
        << "next: gatehoused credential set " << dir.string() << " ID   (for each credential the policy names)\n"
        << "      gatehoused key issue " << dir.string() << " --identity NAME --team TEAM\n"
        << "      gatehoused serve " << dir.string() << "\n";
    return 0;
}

} // namespace gh::gateway
