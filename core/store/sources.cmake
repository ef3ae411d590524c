# Sources of core/store, relative to core/.
list(APPEND GATEHOUSE_CORE_SOURCES
  store/database.cpp store/database.h
  store/schema.cpp store/schema.h store/schema_state.cpp store/schema_requests.cpp
  store/request_record.cpp store/request_record.h
  store/request_log.cpp store/request_log.h
  store/request_query.cpp store/request_query.h
  store/reports.cpp store/reports.h
  store/key_store.cpp store/key_store.h
  store/rotation.cpp store/rotation.h
  store/admin_token_store.cpp store/admin_token_store.h
  store/policy_versions.cpp store/policy_versions.h
  store/idempotency.cpp store/idempotency.h
  store/alert_log.cpp store/alert_log.h
)
