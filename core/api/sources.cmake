# Sources of core/api, relative to core/.
list(APPEND GATEHOUSE_CORE_SOURCES
  api/roles.h
  api/json_mapping.h
  api/shapes.h
  api/time.cpp api/time.h
  api/usd.cpp api/usd.h
  api/simulation.cpp api/simulation.h
)
