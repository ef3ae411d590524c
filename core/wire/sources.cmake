# Sources of core/wire, relative to core/.
list(APPEND GATEHOUSE_CORE_SOURCES
  wire/common.cpp wire/common.h
  wire/json_util.cpp wire/json_util.h
  wire/sse.cpp wire/sse.h
  wire/usage.cpp wire/usage.h
  wire/request_summary.cpp wire/request_summary.h
  wire/errors.cpp wire/errors.h
  wire/translate.h wire/translate_internal.h
  wire/translate_request.cpp wire/translate_response.cpp wire/translate_stream.cpp
)
