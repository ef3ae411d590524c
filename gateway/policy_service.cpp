#include "policy_service.h"

#include "log.h"
#include "workspace.h"

#include <fstream>
#include <ostream>

namespace gh::gateway {

PolicyService::PolicyService(GatewayState& state, store::PolicyVersionStore& versions, std::filesystem::path policyFile,
                             policy::ValidationOptions options)
    : state_(state), versions_(versions), file_(std::move(policyFile)), options_(options) {}

PolicyCheck PolicyService::check(std::string_view yaml) const {
    auto loaded = policy::loadPolicy(yaml, options_);
    PolicyCheck out;
    out.diagnostics = std::move(loaded.diagnostics);
    if (loaded.document)
        out.evaluator = policy::Evaluator::compile(std::move(*loaded.document));
    return out;
}

void PolicyService::install(const std::shared_ptr<const policy::Evaluator>& evaluator, std::int64_t version) {
    state_.policy.store(std::make_shared<const PolicyRuntime>(PolicyRuntime{evaluator, version}),
                        std::memory_order_release);
}

void PolicyService::writeFile(const std::string& yaml) const {
    // Atomic replace, so a crash never leaves half a policy; 0600 like everything in the workspace.
    writePrivateFile(file_, yaml);
}

std::int64_t PolicyService::runningVersion() const {
    auto running = state_.currentPolicy();
    return running ? running->version : 0;
}

bool PolicyService::start(std::ostream& err, std::int64_t nowMs) {
    std::lock_guard lock(mutex_);
    std::string text;
    try {
        text = readFile(file_);
    } catch (const std::exception& e) {
        err << file_.string() << ": error: " << e.what() << "\n";
        return false;
    }
    auto checked = check(text);
    for (const auto& d : checked.diagnostics)
        err << policy::format(d, file_.string()) << "\n";
    if (!checked.evaluator)
        return false;
    auto newest = versions_.current();
    if (newest && newest->yaml == text) {
        install(checked.evaluator, newest->version);
        return true;
    }
    store::PolicyVersion draft;
    draft.yaml = text;
    draft.author = newest ? file_.filename().string() + " (edited on disk)" : "gatehoused init";
    draft.source = newest ? "file" : "init";
    draft.comment = newest ? "the policy file differed from the last applied version at start-up" : "first version";
    auto result = versions_.apply(newest ? newest->version : 0, draft, nowMs);
    if (!result.applied) {
        err << file_.string() << ": error: another process changed the policy versions while starting\n";
        return false;
    }
    install(checked.evaluator, result.currentVersion);
    return true;
}

PolicyChangeResult PolicyService::apply(std::int64_t expectedVersion, const PolicyChange& change, std::int64_t nowMs,
                                        const std::function<void(const store::PolicyVersion&, std::int64_t)>& beforeCommit) {
    std::lock_guard lock(mutex_);
    PolicyChangeResult out;
    auto running = versions_.current();
    out.currentVersion = running ? running->version : 0;
    if (out.currentVersion != expectedVersion) {
        out.status = PolicyChangeResult::Status::Stale;
        return out;
    }
    auto checked = check(change.yaml);
    out.diagnostics = std::move(checked.diagnostics);
    if (!checked.evaluator) {
        out.status = PolicyChangeResult::Status::Invalid;
        return out;
    }
    if (beforeCommit)
        beforeCommit(running.value_or(store::PolicyVersion{}), expectedVersion + 1);
    store::PolicyVersion draft;
    draft.yaml = change.yaml;
    draft.author = change.author;
    draft.role = change.role;
    draft.comment = change.comment;
    draft.source = change.source;
    draft.rolledBackFrom = change.rolledBackFrom;
    auto stored = versions_.apply(expectedVersion, draft, nowMs);
    out.currentVersion = stored.currentVersion;
    if (!stored.applied) { // another process (a second console on the same database) won
        out.status = PolicyChangeResult::Status::Stale;
        return out;
    }
    // The stored version is the policy now: run it, then bring the file in line. A file that
    // cannot be written (disk full) is logged loudly; the database stays the record.
    install(checked.evaluator, stored.currentVersion);
    try {
        writeFile(change.yaml);
    } catch (const std::exception& e) {
        log::error("policy applied, but the policy file could not be rewritten; fix the disk, then apply again",
                   {{"file", file_.string()}, {"version", std::to_string(stored.currentVersion)}, {"error", e.what()}});
    }
    out.status = PolicyChangeResult::Status::Applied;
    out.version = std::move(stored.version);
    return out;
}

bool PolicyService::reloadFile(std::ostream& messages, std::int64_t nowMs,
                               const std::function<void(const store::PolicyVersion&, std::int64_t)>& beforeCommit) {
    std::string text;
    try {
        text = readFile(file_);
    } catch (const std::exception& e) {
        messages << file_.string() << ": error: " << e.what() << "\n";
        return false;
    }
    const auto running = versions_.current();
    if (running && running->yaml == text) {
        messages << "the policy file is unchanged (version " << running->version << ")\n";
        return false;
    }
    PolicyChange change{text, file_.filename().string() + " (SIGHUP)", "", "reloaded from the policy file", "file", {}};
    auto result = apply(running ? running->version : 0, change, nowMs, beforeCommit);
    for (const auto& d : result.diagnostics)
        messages << policy::format(d, file_.string()) << "\n";
    return result.status == PolicyChangeResult::Status::Applied;
}

} // namespace gh::gateway
