# Sources of core/audit, relative to core/.
list(APPEND GATEHOUSE_CORE_SOURCES
  audit/audit_log.cpp audit/audit_log.h audit/audit_schema.cpp
)
