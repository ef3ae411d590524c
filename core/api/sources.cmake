# Sources of core/api, relative to core/.
list(APPEND GATEHOUSE_CORE_SOURCES
  api/roles.h
)
