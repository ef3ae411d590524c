#pragma once
// The stores' and the core's structs as the admin API's shapes (core/api/shapes.h). One place,
// so every answer that shows a key, credential or request shows it the same way — and none
// has a field that could carry a secret.
#include "api/shapes.h"
#include "api/usd.h"
#include "audit/audit_log.h"
#include "policy/diagnostic.h"
#include "policy/document.h"
#include "store/admin_token_store.h"
#include "store/alert_log.h"
#include "store/credential_vault.h"
#include "store/key_store.h"
#include "store/policy_versions.h"
#include "store/request_query.h"
#include "store/request_record.h"
#include "store/rotation.h"

namespace gh::gateway {

using api::usd; // six decimals: "12.500000"

api::Diagnostic shapeOf(const policy::Diagnostic& d);
std::vector<api::Diagnostic> shapeOf(const std::vector<policy::Diagnostic>& ds);
api::PolicyVersion shapeOf(const store::PolicyVersion& v, bool withYaml);
std::optional<api::Schedule> shapeOf(const std::optional<store::RotationSchedule>& s);
api::Credential shapeOf(const store::CredentialInfo& c, std::int64_t now, const policy::Document& doc);
api::GatewayKey shapeOf(const store::KeyInfo& k, std::int64_t now);
api::AdminToken shapeOf(const store::AdminTokenInfo& t);
api::RequestShape shapeOf(const store::RequestRecord& r);
api::SessionShape shapeOf(const store::SessionSummary& s);
api::AlertShape shapeOf(const store::AlertRecord& a);
api::AuditEntryShape shapeOf(const audit::Entry& e);
api::AuditVerification shapeOf(const audit::VerifyReport& r);

// A schedule from the API (days) to the stores (milliseconds); throws ApiError for nonsense,
// naming "<field>.period_days" etc. ("" for a schedule given as the body's own fields).
store::RotationSchedule scheduleFrom(const api::Schedule& s, const std::string& field);

} // namespace gh::gateway
