#include "store/schema.h"

namespace gh::store {
namespace {

Database openIn(const std::filesystem::path& workspace, const char* file, const OpenOptions& options,
                std::span<const Migration> steps) {
    if (!options.readOnly)
        std::filesystem::create_directories(workspace);
    Database db = Database::open(workspace / file, options);
    if (options.readOnly)
        requireSchema(db, steps);
    else
        migrate(db, steps);
    return db;
}

} // namespace


Database openStateDb(const std::filesystem::path& workspace, const OpenOptions& options) {
    return openIn(workspace, kStateDbFile, options, stateMigrations());
}

Database openRequestsDb(const std::filesystem::path& workspace, const OpenOptions& options) {
    return openIn(workspace, kRequestsDbFile, options, requestsMigrations());
}

} // namespace gh::store
