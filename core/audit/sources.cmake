# Sources of core/audit, relative to core/.
list(APPEND GATEHOUSE_CORE_SOURCES
)
