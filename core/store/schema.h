#pragma once
// The two databases of a workspace directory and their schemas.
//
//   state.db     configuration state the gateway owns: gateway keys (later: admin data)
//   requests.db  what happened: request records, hourly rollups, budget spend
//
// They are separate files because they live differently: requests.db takes a batch of writes
// many times a second and grows without bound, state.db changes a few times a day and is small
// enough to back up with every change. Neither blocks the other's writer.
#include "store/database.h"

#include <filesystem>
#include <span>

namespace gh::store {

inline constexpr const char* kStateDbFile = "state.db";
inline constexpr const char* kRequestsDbFile = "requests.db";

std::span<const Migration> stateMigrations();
std::span<const Migration> requestsMigrations();

// Open the workspace's database, creating the directory and the file and migrating the schema
// when writable; read-only connections require the current schema (see requireSchema).
Database openStateDb(const std::filesystem::path& workspace, const OpenOptions& options = {});
Database openRequestsDb(const std::filesystem::path& workspace, const OpenOptions& options = {});

} // namespace gh::store
