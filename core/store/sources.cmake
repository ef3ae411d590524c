# Sources of core/store, relative to core/.
list(APPEND GATEHOUSE_CORE_SOURCES
  store/database.cpp store/database.h
  store/schema.cpp store/schema.h store/schema_state.cpp store/schema_requests.cpp
  store/request_record.cpp store/request_record.h
  store/request_log.cpp store/request_log.h
  store/key_store.cpp store/key_store.h
)
