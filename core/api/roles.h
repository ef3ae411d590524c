#pragma once
// The roles an admin token can carry. Shared by the gateway (which checks them) and the console
// (which shows the UI a role allows).
//   viewer         reads configuration, reports, requests; never a secret, never a change
//   policy-editor  viewer + changes the route policy (routes, budgets, constraints)
//   security       viewer + credentials, gateway keys, rotation schedules, the audit chain
//   admin          everything, including admin tokens
#include <optional>
#include <string_view>

namespace gh::api {

enum class Role { Viewer, PolicyEditor, Security, Admin };

constexpr std::string_view toString(Role role) {
    switch (role) {
    case Role::Viewer: return "viewer";
    case Role::PolicyEditor: return "policy-editor";
    case Role::Security: return "security";
    case Role::Admin: return "admin";
    }
    return "viewer";
}

constexpr std::optional<Role> parseRole(std::string_view text) {
    for (Role r : {Role::Viewer, Role::PolicyEditor, Role::Security, Role::Admin})
        if (toString(r) == text)
            return r;
    return std::nullopt;
}

} // namespace gh::api
